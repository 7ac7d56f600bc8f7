package login

import (
	"context"
	"fmt"

	"github.com/codexgo/codex-login/oauth"
)

// DeviceLogin runs the device code flow for machines without a browser:
// it gets a user code, hands it to o.OnDeviceCode, polls until the user
// approves on another device and writes auth.json. OpenAI's issuer uses
// its own device API (and no API-key exchange, like the Codex CLI); other
// issuers use RFC 8628. oauth.ErrDeviceUnsupported means the issuer has no
// device login (the CLI then falls back to the browser flow).
func DeviceLogin(ctx context.Context, o Options) (Result, error) {
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout, ErrTimeout)
	defer cancel()
	c := oauth.Client{Issuer: o.Issuer, HTTP: o.HTTP}
	dc, err := c.StartDevice(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, wrapCtx(ctx, o.Timeout)
		}
		return Result{}, err
	}
	if o.OnDeviceCode != nil {
		o.OnDeviceCode(dc)
	}
	tr, err := c.WaitDevice(ctx, dc, o.DeviceSlowDown)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, wrapCtx(ctx, o.Timeout)
		}
		return Result{}, fmt.Errorf("device login: %w", err)
	}
	return persist(ctx, &o, tr, false)
}
