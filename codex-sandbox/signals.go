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
// notifyContextLazy, once, from a goroutine; done is closed when they are
// in place.
type lazySignals struct {
	once  sync.Once
	done  chan struct{}
	start func()
}

// notifyContextLazy is signal.NotifyContext for SIGINT, SIGTERM and
// SIGHUP with the handlers installed only when asked for
// (startSignals, catchSignals): supervise has them in place before it
// starts a command whose descendants could outlive this process, or
// when a result is owed on a signal (--json, --report-fd); main starts
// installing them early for the latter, beside its own work. A plain
// command line run in a PID namespace never installs them
// (job.dieOnSignal). signal.Notify starts two runtime threads and makes a
// round trip to one of them per signal: 0.4-0.7 ms of a run on a loaded
// machine, most of it taken from the helper's own start on two busy
// cores (README, Speed). A signal before then ends the supervisor as one
// before main would. The caller exits once Main returns; the signals
// stay caught until then.
func notifyContextLazy() context.Context {
	ctx, cancel := context.WithCancelCause(context.Background())
	l := &lazySignals{done: make(chan struct{})}
	l.start = func() {
		go func() {
			ch := make(chan os.Signal, 1)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			close(l.done)
			cancel(signalCause{<-ch})
		}()
	}
	return context.WithValue(ctx, signalsKey{}, l)
}

// startSignals starts installing the handlers of a context made by
// notifyContextLazy, once; any other context's caller has set up
// signals already, or none.
func startSignals(ctx context.Context) {
	if l, ok := ctx.Value(signalsKey{}).(*lazySignals); ok {
		l.once.Do(l.start)
	}
}

// catchSignals returns once the handlers of a context made by
// notifyContextLazy are in place (startSignals).
func catchSignals(ctx context.Context) {
	if l, ok := ctx.Value(signalsKey{}).(*lazySignals); ok {
		l.once.Do(l.start)
		<-l.done
	}
}

// signalsIgnored reports whether SIGINT, SIGTERM or SIGHUP was ignored
// when this process started (nohup, a background job of a script):
// then the supervisor could not simply die of them (job.dieOnSignal),
// and its handlers, which take them back, are installed as always.
func signalsIgnored() bool {
	return signal.Ignored(os.Interrupt) || signal.Ignored(syscall.SIGTERM) || signal.Ignored(syscall.SIGHUP)
}

// signalCause is the cause of a context cancelled by a signal; its text
// starts with the signal's name, as signal.NotifyContext's does.
type signalCause struct{ sig os.Signal }

// Error names the signal.
func (c signalCause) Error() string { return c.sig.String() + " signal received" }
