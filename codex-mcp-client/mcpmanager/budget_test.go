package mcpmanager

import (
	"context"
	"testing"
	"time"
)

// TestBudget: the clock of a tool call (budget.go), deterministically:
// the timer's firing is called by hand where it would come late.
func TestBudget(t *testing.T) {
	t.Parallel()
	t.Run("runs out", func(t *testing.T) {
		t.Parallel()
		ctx, _ := newBudget(context.Background(), time.Millisecond)
		<-ctx.Done()
		if context.Cause(ctx) != errToolTimeout {
			t.Errorf("cause %v, want the timeout", context.Cause(ctx))
		}
	})
	t.Run("paused, the timer firing changes nothing", func(t *testing.T) {
		t.Parallel()
		ctx, b := newBudget(context.Background(), time.Hour)
		b.pause()
		b.fire()
		b.pause() // nested: a second elicitation
		b.resume()
		b.fire()
		if ctx.Err() != nil {
			t.Fatalf("paused budget ended the call: %v", context.Cause(ctx))
		}
		b.resume()
		if ctx.Err() != nil || b.left <= 0 || b.left > time.Hour {
			t.Fatalf("resumed: err %v, left %v", ctx.Err(), b.left)
		}
	})
	t.Run("ran out as the elicitation came", func(t *testing.T) {
		t.Parallel()
		ctx, b := newBudget(context.Background(), time.Hour)
		b.timer.Stop() // as if it had fired and fire waited for the lock
		b.pause()
		b.fire()
		if ctx.Err() != nil {
			t.Fatal("ended while paused")
		}
		b.resume()
		if context.Cause(ctx) != errToolTimeout {
			t.Errorf("after resume: cause %v, want the timeout at once", context.Cause(ctx))
		}
	})
	t.Run("stopped", func(t *testing.T) {
		t.Parallel()
		ctx, b := newBudget(context.Background(), time.Hour)
		b.stop()
		b.pause()
		b.resume()
		b.fire()
		<-ctx.Done()
		if context.Cause(ctx) == errToolTimeout {
			t.Error("a stopped budget timed out")
		}
	})
}
