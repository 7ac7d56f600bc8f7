package jwt

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

func token(payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(payload)) + ".sig"
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    Claims
	}{
		{
			name: "openai id_token",
			payload: `{"sub":"u1","email":"a@b.c","exp":1795463914,"https://api.openai.com/auth":{` +
				`"chatgpt_plan_type":"pro","chatgpt_user_id":"user-9","user_id":"ignored","chatgpt_account_id":"acct-1",` +
				`"organization_id":"org-1","project_id":"proj-1","completed_platform_onboarding":true,"is_org_owner":true}}`,
			want: Claims{Subject: "u1", Email: "a@b.c", Exp: time.Unix(1795463914, 0).UTC(), PlanType: "pro", UserID: "user-9",
				AccountID: "acct-1", OrganizationID: "org-1", ProjectID: "proj-1", CompletedPlatformOnboarding: true, IsOrgOwner: true},
		},
		{
			name:    "email from profile claim, user_id fallback",
			payload: `{"https://api.openai.com/profile":{"email":"p@q.r"},"https://api.openai.com/auth":{"user_id":"u2"}}`,
			want:    Claims{Email: "p@q.r", UserID: "u2"},
		},
		{
			name:    "fractional exp",
			payload: `{"exp":1700000000.5}`,
			want:    Claims{Exp: time.Unix(1700000000, 500000000).UTC()},
		},
		{
			name:    "wrong types are ignored",
			payload: `{"email":5,"exp":"soon","https://api.openai.com/auth":{"chatgpt_plan_type":null,"is_org_owner":"yes"}}`,
			want:    Claims{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(token(tt.payload))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePaddedPayload(t *testing.T) {
	p := base64.URLEncoding.EncodeToString([]byte(`{"email":"x@y"}`)) // with '=' padding
	got, err := Parse("h." + p + ".s")
	if err != nil || got.Email != "x@y" {
		t.Errorf("Parse(padded) = %+v, %v; want email x@y", got, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tok := range []string{"", "opaque-token", "a.b", "a.!!!.c", "a.b.c.d", "h." + base64.RawURLEncoding.EncodeToString([]byte("[1]")) + ".s"} {
		if _, err := Parse(tok); !errors.Is(err, ErrNotJWT) {
			t.Errorf("Parse(%q) error = %v, want ErrNotJWT", tok, err)
		}
	}
	if _, err := Parse(token(`{"email":`)); err == nil {
		t.Errorf("Parse(truncated JSON) succeeded")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(token(`{"email":"a@b.c","exp":1795463914,"https://api.openai.com/auth":{"chatgpt_account_id":"x"}}`))
	f.Add(token(`{"exp":1e300}`))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := Parse(tok)
		if err != nil {
			return
		}
		if !c.Exp.IsZero() && c.Exp.Unix() <= 0 {
			t.Errorf("non-positive exp %v accepted", c.Exp)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	tok := token(`{"email":"a@b.c","exp":1795463914,"https://api.openai.com/auth":{"chatgpt_plan_type":"pro","chatgpt_account_id":"acct-1"}}`)
	for i := 0; i < b.N; i++ {
		if _, err := Parse(tok); err != nil {
			b.Fatal(err)
		}
	}
}
