package mcpconn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a stdio server child: its pipes, its exit, and the tail of
// its stderr (kept for error messages when it dies early).
type process struct {
	cmd    *exec.Cmd
	stdin  *os.File      // our write end
	stdout *os.File      // our read end
	grace  time.Duration // stdin closed -> SIGTERM
	term   time.Duration // SIGTERM -> SIGKILL

	exited  chan struct{} // closed once Wait returned
	waitErr error         // valid after exited is closed

	stderrDone chan struct{}
	mu         sync.Mutex
	tail       []string // last stderr lines
	stopOnce   sync.Once
	stopErr    error
}

const tailLines = 8

// startProcess starts cmd in its own process group with fresh pipes.
// Server stderr lines go to errOut with prefix (nil discards them).
func startProcess(cmd *exec.Cmd, errOut io.Writer, prefix string, grace, term time.Duration) (*process, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW)
		return nil, fmt.Errorf("pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		closeAll(inR, inW, outR, outW)
		return nil, fmt.Errorf("pipe: %w", err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		closeAll(inR, inW, outR, outW, errR, errW)
		return nil, err
	}
	// The child holds its own copies now; closing ours lets EOF arrive
	// when the child exits.
	closeAll(inR, outW, errW)
	p := &process{cmd: cmd, stdin: inW, stdout: outR, grace: grace, term: term,
		exited: make(chan struct{}), stderrDone: make(chan struct{})}
	go p.copyStderr(errR, errOut, prefix)
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		_ = f.Close()
	}
}

// copyStderr forwards each stderr line, prefixed, and remembers the last
// few. It ends at EOF, i.e. when every holder of the pipe has exited.
func (p *process) copyStderr(r *os.File, w io.Writer, prefix string) {
	defer close(p.stderrDone)
	defer func() { _ = r.Close() }()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		p.mu.Lock()
		p.tail = append(p.tail, line)
		if len(p.tail) > tailLines {
			p.tail = p.tail[len(p.tail)-tailLines:]
		}
		p.mu.Unlock()
		if w != nil {
			_, _ = fmt.Fprintf(w, "%s%s\n", prefix, line)
		}
	}
	// A line longer than the buffer or a read error ends forwarding;
	// drain the rest so the server never blocks writing stderr.
	_, _ = io.Copy(io.Discard, r)
}

// stderrTail returns the last stderr lines joined with "; ".
func (p *process) stderrTail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "; ")
}

// exitError describes how the process ended, once it has.
func (p *process) exitError() error {
	select {
	case <-p.exited:
	default:
		return nil
	}
	if p.waitErr == nil {
		return errors.New("server exited (exit status 0)")
	}
	return fmt.Errorf("server exited (%w)", p.waitErr)
}

// stop ends the server the way the MCP spec asks: close its stdin, wait;
// SIGTERM, wait; SIGKILL. It always reaps.
func (p *process) stop() error {
	_ = p.stdin.Close()
	p.waitFor(p.grace)
	return p.terminate()
}

// terminate escalates for a server still running after its stdin was
// closed and the grace period passed: SIGTERM, wait, SIGKILL. Signals go
// to the whole process group so wrappers (npx, sh -c) take their children
// with them. It always reaps, and returns how the server ended.
func (p *process) terminate() error {
	p.stopOnce.Do(func() {
		_ = p.stdin.Close()
		select {
		case <-p.exited:
		default:
			_ = signalGroup(p.cmd, syscall.SIGTERM)
			if !p.waitFor(p.term) {
				_ = signalGroup(p.cmd, syscall.SIGKILL)
				<-p.exited
			}
		}
		_ = p.stdout.Close()
		// Stragglers in the group that kept stderr open would block the
		// copier forever; they are killed so the copier can finish.
		t := time.NewTimer(p.term)
		defer t.Stop()
		select {
		case <-p.stderrDone:
		case <-t.C:
			_ = signalGroup(p.cmd, syscall.SIGKILL)
			<-p.stderrDone
		}
		p.stopErr = p.exitError()
	})
	return p.stopErr
}

func (p *process) waitFor(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// stderrTailAfterExit waits (briefly) for the stderr copier to reach EOF,
// so the last words of a dying server are included.
func (p *process) stderrTailAfterExit() string {
	t := time.NewTimer(p.term)
	defer t.Stop()
	select {
	case <-p.stderrDone:
	case <-t.C:
	}
	return p.stderrTail()
}
