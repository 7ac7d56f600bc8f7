package model

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff computes retry delays: base·2^(n-1) with ±20% jitter, as the
// Codex CLI does (base 200 ms).
type Backoff struct {
	Base time.Duration
	Max  time.Duration
	// Jitter returns a factor in [0.8, 1.2]; nil uses math/rand.
	Jitter func() float64
}

// Delay returns the delay before attempt n (1-based).
func (b Backoff) Delay(n int) time.Duration {
	base := b.Base
	if base <= 0 {
		base = 200 * time.Millisecond
	}
	d := base
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	j := 0.8 + 0.4*rand.Float64()
	if b.Jitter != nil {
		j = b.Jitter()
	}
	d = time.Duration(float64(d) * j)
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	return d
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// StreamRetry is the stream-level retry rule (stream_max_retries).
type StreamRetry struct {
	Max     int // default 5 when negative is not given; capped at 100
	Backoff Backoff
	Sleep   func(ctx context.Context, d time.Duration) error
}

// Run streams req through c, reconnecting on retryable failures up to
// r.Max times. Before each reconnect, onRetry is told the attempt number,
// the maximum, and the error; events already emitted by the failed attempt
// must be discarded by the caller then. The last error is returned when
// all attempts fail.
func Run(ctx context.Context, c Client, req *Request, r StreamRetry, emit func(StreamEvent), onRetry func(n, max int, err error)) error {
	max := r.Max
	if max > 100 {
		max = 100
	}
	if max < 0 {
		max = 0
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	for n := 1; ; n++ {
		err := c.Stream(ctx, req, emit)
		if err == nil || ctx.Err() != nil {
			if err != nil {
				return ctx.Err()
			}
			return nil
		}
		ok, delay := Retryable(err)
		if !ok || n > max {
			return err
		}
		if onRetry != nil {
			onRetry(n, max, err)
		}
		if delay <= 0 {
			delay = r.Backoff.Delay(n)
		}
		if err := sleep(ctx, delay); err != nil {
			return err
		}
	}
}
