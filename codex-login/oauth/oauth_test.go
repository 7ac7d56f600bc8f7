package oauth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthorizeURLMatchesCodexCLI(t *testing.T) {
	is := OpenAI("", "")
	p := PKCE{Verifier: "v", Challenge: "CHALLENGE"}
	got := is.AuthorizeURL("http://127.0.0.1:1455/auth/callback", p, "STATE")
	want := "https://auth.openai.com/oauth/authorize?response_type=code&client_id=app_EMoamEEZ73f0CkXaXp7hrann" +
		"&redirect_uri=http%3A%2F%2F127.0.0.1%3A1455%2Fauth%2Fcallback&code_challenge=CHALLENGE&code_challenge_method=S256" +
		"&state=STATE&scope=openid+profile+email+offline_access+api.connectors.read+api.connectors.invoke" +
		"&id_token_add_organizations=true&codex_cli_simplified_flow=true&originator=codex_cli_rs"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestAuthorizeURLGenericOIDC(t *testing.T) {
	is := Issuer{AuthorizationEndpoint: "https://idp.example/authorize?tenant=x", ClientID: "cli", Scope: OIDCScope}
	got := is.AuthorizeURL("http://127.0.0.1:1/auth/callback", PKCE{Challenge: "C"}, "S")
	if !strings.HasPrefix(got, "https://idp.example/authorize?tenant=x&response_type=code&") {
		t.Errorf("existing query not kept: %s", got)
	}
	if strings.Contains(got, "originator") || strings.Contains(got, "codex_cli_simplified_flow") {
		t.Errorf("OpenAI-only parameters sent to a generic issuer: %s", got)
	}
	if !strings.Contains(got, "scope=openid+profile+email+offline_access&") && !strings.HasSuffix(got, "scope=openid+profile+email+offline_access") {
		t.Errorf("standard scopes missing: %s", got)
	}
}

func TestPKCE(t *testing.T) {
	p, err := NewPKCE()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Verifier) != 86 || len(p.Challenge) != 43 {
		t.Errorf("verifier/challenge lengths = %d/%d, want 86/43", len(p.Verifier), len(p.Challenge))
	}
	// RFC 7636 appendix B test vector.
	if got := Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("Challenge(RFC vector) = %s", got)
	}
	q, _ := NewPKCE()
	s1, _ := NewState()
	s2, _ := NewState()
	if q.Verifier == p.Verifier || s1 == s2 || len(s1) != 43 {
		t.Errorf("verifiers/states not fresh or wrong length: %q %q", s1, s2)
	}
}

func TestParseTokenResponse(t *testing.T) {
	tests := []struct {
		in   string
		want TokenResponse
		err  bool
	}{
		{`{"id_token":"i","access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":3600}`,
			TokenResponse{IDToken: "i", AccessToken: "a", RefreshToken: "r", TokenType: "Bearer", ExpiresIn: time.Hour}, false},
		{`{"access_token":"a","expires_in":"60"}`, TokenResponse{AccessToken: "a", ExpiresIn: time.Minute}, false},
		{`{"access_token":"a","expires_in":null,"id_token":null}`, TokenResponse{AccessToken: "a"}, false},
		{`{"access_token":"a","expires_in":-1}`, TokenResponse{}, true},
		{`{"access_token":"a","expires_in":"soon"}`, TokenResponse{}, true},
		{`{"access_token":5}`, TokenResponse{}, true},
		{`<html>`, TokenResponse{}, true},
	}
	for _, tt := range tests {
		got, err := ParseTokenResponse([]byte(tt.in))
		if (err != nil) != tt.err {
			t.Errorf("ParseTokenResponse(%s) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseTokenResponse(%s) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		status    int
		body      string
		code, msg string
		permanent bool
	}{
		{400, `{"error":"invalid_grant","error_description":"expired"}`, "invalid_grant", "expired", true},
		{401, `{"error":{"message":"reused","type":"invalid_request_error","code":"refresh_token_reused"}}`, "refresh_token_reused", "reused", true},
		{400, `{"code":"refresh_token_expired","message":"gone"}`, "refresh_token_expired", "gone", true},
		{500, `upstream exploded`, "", "upstream exploded", false},
		{503, `{"error":"temporarily_unavailable"}`, "temporarily_unavailable", "", false},
		{401, `{}`, "", "", true},
	}
	for _, tt := range tests {
		e := parseError("token endpoint", tt.status, []byte(tt.body))
		if e.Code != tt.code || e.Message != tt.msg || e.Permanent() != tt.permanent {
			t.Errorf("parseError(%d, %s) = code %q msg %q permanent %v; want %q %q %v",
				tt.status, tt.body, e.Code, e.Message, e.Permanent(), tt.code, tt.msg, tt.permanent)
		}
	}
	e := parseError("token endpoint", http.StatusBadRequest, []byte(`{"error":"invalid_grant","error_description":"bad code"}`))
	if got, want := e.Error(), "token endpoint returned status 400: bad code"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParseDiscoveryRejects(t *testing.T) {
	for _, doc := range []string{
		`{}`,
		`{"authorization_endpoint":"https://a/x"}`,
		`{"authorization_endpoint":"http://evil.example/a","token_endpoint":"https://a/t"}`,
		`{"authorization_endpoint":"https://a/a","token_endpoint":"/relative"}`,
		`{"authorization_endpoint":"https://a/a","token_endpoint":"https://a/t","revocation_endpoint":"ftp://x"}`,
		`[]`,
	} {
		if _, err := parseDiscovery([]byte(doc)); err == nil {
			t.Errorf("parseDiscovery(%s) accepted", doc)
		}
	}
}

func TestParseStyle(t *testing.T) {
	for in, want := range map[string]Style{"": StyleAuto, "auto": StyleAuto, "openai": StyleOpenAI, "oidc": StyleOIDC} {
		if got, err := ParseStyle(in); err != nil || got != want {
			t.Errorf("ParseStyle(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseStyle("saml"); err == nil {
		t.Error("ParseStyle(saml) accepted")
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(`{"id_token":"i","access_token":"a","refresh_token":"r","expires_in":3600}`))
	f.Add([]byte(`{"expires_in":"1e9"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseTokenResponse(data)
		if err == nil && tr.ExpiresIn < 0 {
			t.Errorf("negative expires_in accepted: %v", tr.ExpiresIn)
		}
		_ = parseError("token endpoint", 400, data).Error()
	})
}

func FuzzParseDeviceAuthorization(f *testing.F) {
	f.Add([]byte(`{"device_code":"d","user_code":"U","verification_uri":"https://x/d","expires_in":900,"interval":5}`))
	f.Add([]byte(`{"device_code":"d","user_code":"U","verification_uri":"v","expires_in":"900","interval":"0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dc, err := ParseDeviceAuthorization(data)
		if err == nil && (dc.ExpiresIn <= 0 || dc.Interval < 0) {
			t.Errorf("bad durations accepted: %+v", dc)
		}
	})
}

func FuzzParseDiscovery(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://a","authorization_endpoint":"https://a/a","token_endpoint":"https://a/t"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseDiscovery(data)
		if err == nil && (d.AuthorizationEndpoint == "" || d.TokenEndpoint == "") {
			t.Errorf("discovery without endpoints accepted")
		}
	})
}
