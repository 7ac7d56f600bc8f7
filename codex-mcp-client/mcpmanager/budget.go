package mcpmanager

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errToolTimeout is the cause of a tool call's context when its
// tool_timeout_sec ran out.
var errToolTimeout = errors.New("tool call timed out")

// budget is a tool call's tool_timeout_sec as a clock that can be
// stopped: while the server's elicitation waits for the user the time
// does not count, as in the Codex CLI 0.169 (measured: with
// tool_timeout_sec = 2, a tool that waits 1.5 s, elicits, and waits
// 1.5 s after a 5 s answer times out 0.5 s after the answer; one that
// elicits at once completes after the 5 s answer).
type budget struct {
	mu      sync.Mutex
	left    time.Duration // time still allowed when the clock last stopped
	started time.Time     // when the clock last started (paused == 0)
	paused  int           // elicitations waiting (they may overlap)
	timer   *time.Timer
	fired   bool
	cancel  context.CancelCauseFunc
}

// newBudget returns ctx bounded by limit of running time, and the
// budget that can stop the clock.
func newBudget(ctx context.Context, limit time.Duration) (context.Context, *budget) {
	cctx, cancel := context.WithCancelCause(ctx)
	b := &budget{left: limit, started: time.Now(), cancel: cancel}
	b.timer = time.AfterFunc(limit, b.fire)
	return cctx, b
}

func (b *budget) fire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.paused > 0 || b.fired {
		return
	}
	b.fired = true
	b.cancel(errToolTimeout)
}

// pause stops the clock (nested pauses need as many resumes).
func (b *budget) pause() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused++
	if b.paused != 1 || b.fired {
		return
	}
	if b.timer.Stop() {
		b.left -= time.Since(b.started)
	} else {
		// The time ran out as the elicitation came (fire waits for the
		// lock and will see the pause): it ends the call at resume.
		b.left = 0
	}
}

// resume starts the clock again with the time that was left.
func (b *budget) resume() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paused--
	if b.paused > 0 || b.fired {
		return
	}
	b.started = time.Now()
	if b.left <= 0 {
		b.fired = true
		b.cancel(errToolTimeout)
		return
	}
	b.timer.Reset(b.left)
}

// stop ends the budget (the call returned).
func (b *budget) stop() {
	b.mu.Lock()
	b.fired = true
	b.timer.Stop()
	b.mu.Unlock()
	b.cancel(context.Canceled)
}

// calls are a server's tool calls in flight, whose clocks an
// elicitation of that server stops: the MCP request does not say which
// call it belongs to, so every call to the server waits with it.
type calls struct {
	mu  sync.Mutex
	set map[*budget]struct{}
}

func (c *calls) add(b *budget) {
	c.mu.Lock()
	if c.set == nil {
		c.set = map[*budget]struct{}{}
	}
	c.set[b] = struct{}{}
	c.mu.Unlock()
}

func (c *calls) remove(b *budget) {
	c.mu.Lock()
	delete(c.set, b)
	c.mu.Unlock()
}

// pauseAll stops the clock of every call in flight and returns what
// starts them again.
func (c *calls) pauseAll() (resume func()) {
	c.mu.Lock()
	held := make([]*budget, 0, len(c.set))
	for b := range c.set {
		held = append(held, b)
		b.pause()
	}
	c.mu.Unlock()
	return func() {
		for _, b := range held {
			b.resume()
		}
	}
}
