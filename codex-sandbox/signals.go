package sandbox

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signalsReadyKey is the context key of a channel that is closed once
// SIGINT, SIGTERM and SIGHUP are caught (see notifyContextAsync).
type signalsReadyKey struct{}

// notifyContextAsync is signal.NotifyContext for SIGINT, SIGTERM and
// SIGHUP with the handlers installed by a goroutine, so that it overlaps
// flag parsing, planning and restricting the thread: signal.Notify
// starts two runtime threads and makes a round trip to one of them per
// signal (0.4-0.7 ms of a 5 ms run here; README, Speed). supervise waits
// for it before it starts anything, so no command ever runs with the
// signals not yet caught. A signal before then ends the supervisor as
// one before main would. The caller exits once Main returns; the
// signals stay caught until then.
func notifyContextAsync() context.Context {
	ready := make(chan struct{})
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		close(ready)
		cancel(signalCause{<-ch})
	}()
	return context.WithValue(ctx, signalsReadyKey{}, (<-chan struct{})(ready))
}

// signalsReady returns the channel notifyContextAsync closes, or nil for
// any other context (its caller has set up signals already, or none).
func signalsReady(ctx context.Context) <-chan struct{} {
	r, _ := ctx.Value(signalsReadyKey{}).(<-chan struct{})
	return r
}

// signalCause is the cause of a context cancelled by a signal; its text
// starts with the signal's name, as signal.NotifyContext's does.
type signalCause struct{ sig os.Signal }

// Error names the signal.
func (c signalCause) Error() string { return c.sig.String() + " signal received" }
