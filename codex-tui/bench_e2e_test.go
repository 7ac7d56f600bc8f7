package tui

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The speed bar of the TUI, measured in a real terminal (tmux) against a
// baseline run the same way in the same invocation, so the ratio, not the
// machine, is the figure: start to a usable composer (baseline: a shell
// printing the composer's prompt), and keypress to echo after 200 long
// turns (baseline: cat echoing a key). Run by `make bench`.

// paneWait polls the pane as fast as tmux answers until re matches and
// returns how long that took from start.
func paneWait(b *testing.B, tm *term, re *regexp.Regexp, start time.Time) time.Duration {
	b.Helper()
	deadline := start.Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, _ := tm.tmux("capture-pane", "-p", "-t", tm.name).Output()
		if re.Match(out) {
			return time.Since(start)
		}
	}
	b.Fatalf("pane never showed %s:\n%s", re, tm.capture())
	return 0
}

// benchTerm is a tmux session of 100x30 running argv (no test cleanup
// beyond the server).
func benchTerm(b *testing.B, argv ...string) *term {
	b.Helper()
	tm := &term{t: &testing.T{}, name: fmt.Sprintf("codex-tui-bench-%d-%d", os.Getpid(), time.Now().UnixNano())}
	args := append([]string{"start-server", ";", "new-session", "-d", "-s", tm.name, "-x", "100", "-y", "30"}, argv...)
	if out, err := tm.tmux(args...).CombinedOutput(); err != nil {
		b.Fatalf("tmux: %v: %s", err, out)
	}
	b.Cleanup(func() { _ = tm.tmux("kill-server").Run() })
	return tm
}

// BenchmarkE2EStartToComposer: from starting codex-tui (fake agent) in a
// terminal to its composer on the screen, as a ratio to a shell printing
// the same prompt.
func BenchmarkE2EStartToComposer(b *testing.B) {
	composer := regexp.MustCompile(`Ask Codex`)
	var tui, base time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		tm := startTerm(&testing.T{}, 100, 30, "-s", "workspace-write", "-a", "on-request")
		tui += paneWait(b, tm, composer, start)
		_ = tm.tmux("kill-server").Run()

		start = time.Now()
		bt := benchTerm(b, "sh", "-c", "printf '› Ask Codex'; exec sleep 60")
		base += paneWait(b, bt, composer, start)
		_ = bt.tmux("kill-server").Run()
	}
	n := float64(b.N)
	b.ReportMetric(float64(tui.Milliseconds())/n, "tui-ms/op")
	b.ReportMetric(float64(base.Milliseconds())/n, "baseline-ms/op")
	b.ReportMetric(float64(tui)/float64(base), "ratio")
}

// BenchmarkE2EKeyEchoAfter200Turns: after 200 turns of 40-line answers,
// the time from a key sent to it shown in the composer, as a ratio to cat
// echoing a key in the same terminal.
func BenchmarkE2EKeyEchoAfter200Turns(b *testing.B) {
	tm := startTerm(&testing.T{}, 100, 30, "-s", "workspace-write", "-a", "on-request")
	b.Cleanup(func() { _ = tm.tmux("kill-server").Run() })
	paneWait(b, tm, regexp.MustCompile(`Ask Codex`), time.Now())
	for i := 1; i <= 200; i++ {
		tm.keys("-l", fmt.Sprintf("turn %d long 40", i))
		tm.keys("Enter")
		// With the scrollback: the turn's prompt has scrolled off the screen.
		done := regexp.MustCompile(fmt.Sprintf(`(?s)› turn %d long 40.*Line 40 of the answer\..*› Ask Codex`, i))
		poll(tm.t, "turn "+fmt.Sprint(i), func() bool { return done.MatchString(tm.capture()) }, tm.capture)
	}
	bt := benchTerm(b, "cat")
	var tui, base time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A letter per round, then erased: the composer stays one line.
		k := string(rune('a' + i%26))
		start := time.Now()
		tm.keys("-l", k)
		tui += paneWait(b, tm, regexp.MustCompile(`› `+k+`\s*\n`), start)
		tm.keys("BSpace")
		paneWait(b, tm, regexp.MustCompile(`› Ask Codex`), time.Now())

		start = time.Now()
		bt.keys("-l", k)
		base += paneWait(b, bt, regexp.MustCompile(`(?m)^`+k+`\s*$`), start)
		bt.keys("C-u") // the line discipline erases the echo
		paneWait(b, bt, regexp.MustCompile(`^\s*$`), time.Now())
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(tui.Microseconds())/n/1000, "tui-ms/op")
	b.ReportMetric(float64(base.Microseconds())/n/1000, "baseline-ms/op")
	b.ReportMetric(float64(tui)/float64(base), "ratio")
	if strings.Count(tm.capture(), "Line 40 of the answer.") == 0 {
		b.Fatal("the turns did not reach the scrollback")
	}
}
