package sandbox

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// signalsKey is the context key of the *lazySignals notifyContextLazy
// returns.
type signalsKey struct{}

// lazySignals installs the handlers of a context made by
// notifyContextLazy when catch is first called.
type lazySignals struct {
	once  sync.Once
	catch func()
}

// notifyContextLazy is signal.NotifyContext for SIGINT, SIGTERM and
// SIGHUP with the handlers installed only when supervise calls
// catchSignals: before it starts a command whose descendants could
// outlive this process, and otherwise (a helper that is the init of a PID
// namespace with PR_SET_PDEATHSIG: a signal that ends the supervisor ends
// the whole namespace) just after it has started the helper, while the
// helper sets itself up. signal.Notify starts two runtime threads and
// makes a round trip to one of them per signal, 0.4-0.9 ms of a run on a
// loaded machine; done from a goroutine beside the start, it took that
// much from the helper's own start on two busy cores (README, Speed). A
// signal before then ends the supervisor as one before main would; a
// run that starts nothing (a usage error) never installs them. The
// caller exits once Main returns; the signals stay caught until then.
func notifyContextLazy() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	l := &lazySignals{catch: func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		go func() { cancel(signalCause{<-ch}) }()
	}}
	return context.WithValue(ctx, signalsKey{}, l)
}

// catchSignals installs the handlers of a context made by
// notifyContextLazy, once; any other context's caller has set up
// signals already, or none.
func catchSignals(ctx context.Context) {
	if l, ok := ctx.Value(signalsKey{}).(*lazySignals); ok {
		l.once.Do(l.catch)
	}
}

// signalCause is the cause of a context cancelled by a signal; its text
// starts with the signal's name, as signal.NotifyContext's does.
type signalCause struct{ sig os.Signal }

// Error names the signal.
func (c signalCause) Error() string { return c.sig.String() + " signal received" }
