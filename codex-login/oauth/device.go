package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OpenAIDeviceExpiry is how long an OpenAI device code is valid.
const OpenAIDeviceExpiry = 15 * time.Minute

// minPoll keeps a misbehaving issuer (interval 0) from being hammered.
const minPoll = 50 * time.Millisecond

// DeviceCode is a started device-code login.
type DeviceCode struct {
	UserCode string
	// VerificationURI is where the user enters UserCode.
	VerificationURI string
	// VerificationURIComplete embeds the code, when the issuer offers it.
	VerificationURIComplete string
	Interval                time.Duration
	ExpiresIn               time.Duration

	deviceAuthID string // OpenAI
	deviceCode   string // RFC 8628
}

// ErrDeviceUnsupported means the issuer has no device-code login.
var ErrDeviceUnsupported = errors.New("device code login is not enabled for this issuer")

// Device-flow outcomes the caller may want to tell apart.
var (
	ErrDeviceExpired = errors.New("device code expired before the login was approved")
	ErrDeviceDenied  = errors.New("device login was denied")
)

// errPending and errSlowDown are poll results that mean "ask again".
var (
	errPending  = errors.New("authorization pending")
	errSlowDown = errors.New("slow down")
)

// StartDevice asks the issuer for a user code.
func (c *Client) StartDevice(ctx context.Context) (*DeviceCode, error) {
	if c.Issuer.OpenAI {
		return c.startOpenAIDevice(ctx)
	}
	if c.Issuer.DeviceAuthorizationEndpoint == "" {
		return nil, ErrDeviceUnsupported
	}
	b := formBody(url.Values{"client_id": {c.Issuer.ClientID}, "scope": {c.Issuer.Scope}}, "client_id", "scope")
	resp, data, err := c.post(ctx, c.Issuer.DeviceAuthorizationEndpoint, b)
	if err != nil {
		return nil, fmt.Errorf("device authorization: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseError("device authorization endpoint", resp.StatusCode, data)
	}
	return ParseDeviceAuthorization(data)
}

// ParseDeviceAuthorization decodes an RFC 8628 §3.2 reply.
func ParseDeviceAuthorization(data []byte) (*DeviceCode, error) {
	var raw struct {
		DeviceCode              string          `json:"device_code"`
		UserCode                string          `json:"user_code"`
		VerificationURI         string          `json:"verification_uri"`
		VerificationURIComplete string          `json:"verification_uri_complete"`
		ExpiresIn               json.RawMessage `json:"expires_in"`
		Interval                json.RawMessage `json:"interval"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("bad device authorization reply: %w", err)
	}
	if raw.DeviceCode == "" || raw.UserCode == "" || raw.VerificationURI == "" {
		return nil, errors.New("bad device authorization reply: device_code, user_code or verification_uri missing")
	}
	exp, err := seconds(raw.ExpiresIn, 0)
	if err != nil || exp <= 0 {
		return nil, fmt.Errorf("bad device authorization reply: expires_in %s", raw.ExpiresIn)
	}
	iv, err := seconds(raw.Interval, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("bad device authorization reply: interval %s", raw.Interval)
	}
	return &DeviceCode{
		UserCode:                raw.UserCode,
		VerificationURI:         raw.VerificationURI,
		VerificationURIComplete: raw.VerificationURIComplete,
		Interval:                iv,
		ExpiresIn:               exp,
		deviceCode:              raw.DeviceCode,
	}, nil
}

func (c *Client) startOpenAIDevice(ctx context.Context) (*DeviceCode, error) {
	resp, data, err := c.post(ctx, c.Issuer.URL+"/api/accounts/deviceauth/usercode", jsonBody(map[string]string{"client_id": c.Issuer.ClientID}))
	if err != nil {
		return nil, fmt.Errorf("device code request: %w", err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrDeviceUnsupported
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseError("device code endpoint", resp.StatusCode, data)
	}
	var raw struct {
		DeviceAuthID string          `json:"device_auth_id"`
		UserCode     string          `json:"user_code"`
		UserCodeAlt  string          `json:"usercode"`
		Interval     json.RawMessage `json:"interval"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("bad device code reply: %w", err)
	}
	if raw.UserCode == "" {
		raw.UserCode = raw.UserCodeAlt
	}
	if raw.DeviceAuthID == "" || raw.UserCode == "" {
		return nil, errors.New("bad device code reply: device_auth_id or user_code missing")
	}
	iv, err := seconds(raw.Interval, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("bad device code reply: interval %s", raw.Interval)
	}
	return &DeviceCode{
		UserCode:        raw.UserCode,
		VerificationURI: c.Issuer.URL + "/codex/device",
		Interval:        iv,
		ExpiresIn:       OpenAIDeviceExpiry,
		deviceAuthID:    raw.DeviceAuthID,
	}, nil
}

// seconds reads a number of seconds sent as a JSON number or string.
func seconds(raw json.RawMessage, def time.Duration) (time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return def, nil
	}
	n, err := strconv.ParseFloat(strings.Trim(string(raw), `"`), 64)
	if err != nil || n < 0 || n > 86400 {
		return 0, errors.New("not a number of seconds")
	}
	return time.Duration(n * float64(time.Second)), nil
}

// WaitDevice polls until the user approves, denies, the code expires or
// ctx ends. slowDown is added to the interval on an RFC 8628 slow_down
// (0 means the RFC's 5 s).
func (c *Client) WaitDevice(ctx context.Context, dc *DeviceCode, slowDown time.Duration) (TokenResponse, error) {
	if slowDown <= 0 {
		slowDown = 5 * time.Second
	}
	expiry := time.NewTimer(dc.ExpiresIn)
	defer expiry.Stop()
	interval := dc.Interval
	for {
		wait := time.NewTimer(max(interval, minPoll))
		select {
		case <-ctx.Done():
			wait.Stop()
			return TokenResponse{}, ctx.Err()
		case <-expiry.C:
			wait.Stop()
			return TokenResponse{}, ErrDeviceExpired
		case <-wait.C:
		}
		tr, err := c.pollDevice(ctx, dc)
		switch {
		case errors.Is(err, errPending):
			continue
		case errors.Is(err, errSlowDown):
			interval += slowDown
			continue
		}
		return tr, err
	}
}

func (c *Client) pollDevice(ctx context.Context, dc *DeviceCode) (TokenResponse, error) {
	if dc.deviceAuthID != "" {
		return c.pollOpenAIDevice(ctx, dc)
	}
	b := formBody(url.Values{
		"grant_type":  {GrantDeviceCode},
		"device_code": {dc.deviceCode},
		"client_id":   {c.Issuer.ClientID},
	}, "grant_type", "device_code", "client_id")
	resp, data, err := c.post(ctx, c.Issuer.TokenEndpoint, b)
	if err != nil {
		return TokenResponse{}, fmt.Errorf("device token request: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return ParseTokenResponse(data)
	}
	e := parseError("token endpoint", resp.StatusCode, data)
	switch e.Code {
	case "authorization_pending":
		return TokenResponse{}, errPending
	case "slow_down":
		return TokenResponse{}, errSlowDown
	case "expired_token":
		return TokenResponse{}, ErrDeviceExpired
	case "access_denied":
		return TokenResponse{}, ErrDeviceDenied
	}
	return TokenResponse{}, e
}

func (c *Client) pollOpenAIDevice(ctx context.Context, dc *DeviceCode) (TokenResponse, error) {
	resp, data, err := c.post(ctx, c.Issuer.URL+"/api/accounts/deviceauth/token",
		jsonBody(map[string]string{"device_auth_id": dc.deviceAuthID, "user_code": dc.UserCode}))
	if err != nil {
		return TokenResponse{}, fmt.Errorf("device token request: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusForbidden, http.StatusNotFound:
		return TokenResponse{}, errPending
	default:
		return TokenResponse{}, parseError("device token endpoint", resp.StatusCode, data)
	}
	var raw struct {
		AuthorizationCode string `json:"authorization_code"`
		CodeChallenge     string `json:"code_challenge"`
		CodeVerifier      string `json:"code_verifier"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return TokenResponse{}, fmt.Errorf("bad device token reply: %w", err)
	}
	if raw.AuthorizationCode == "" || raw.CodeVerifier == "" {
		return TokenResponse{}, errors.New("bad device token reply: authorization_code or code_verifier missing")
	}
	return c.ExchangeCode(ctx, raw.AuthorizationCode, c.Issuer.URL+"/deviceauth/callback", raw.CodeVerifier)
}
