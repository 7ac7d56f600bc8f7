package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Set is the hooks of one session.
type Set struct {
	Hooks []Hook
	// BypassTrust runs untrusted hooks too
	// (--dangerously-bypass-hook-trust).
	BypassTrust bool
	// Cwd is where hooks run; Env their environment (nil: ours).
	Cwd string
	Env []string
	// Warn receives one line per hook that failed (not a block).
	Warn io.Writer
}

// Outcome is what the hooks of one event decided.
type Outcome struct {
	// Block stops what the event announced (the tool call, the prompt)
	// or, for Stop, keeps the turn going; Reason says why.
	Block  bool
	Reason string
	// HookID names the blocking hook ("stop:<n>:<source>").
	HookID string
	// Context is text for the model (additionalContext, or the plain
	// stdout of SessionStart and UserPromptSubmit hooks).
	Context []string
}

// output is the JSON a hook may print on stdout.
type output struct {
	Continue   *bool  `json:"continue"`
	StopReason string `json:"stopReason"`
	Decision   string `json:"decision"`
	Reason     string `json:"reason"`
	Specific   struct {
		PermissionDecision       string `json:"permissionDecision"`
		PermissionDecisionReason string `json:"permissionDecisionReason"`
		AdditionalContext        string `json:"additionalContext"`
	} `json:"hookSpecificOutput"`
}

// Fire runs every trusted hook of event whose matcher selects value, in
// order, with input (the event JSON; hook_event_name is added). The
// first hook that blocks ends the run.
func (s *Set) Fire(ctx context.Context, event, value string, input map[string]any) Outcome {
	var out Outcome
	if s == nil {
		return out
	}
	for _, h := range s.Hooks {
		if h.Event != event || !h.Matches(value) {
			continue
		}
		if h.Trust != Trusted && !s.BypassTrust {
			continue
		}
		in := map[string]any{}
		for k, v := range input {
			in[k] = v
		}
		in["hook_event_name"] = event
		stdin, _ := json.Marshal(in)
		code, stdout, stderr, err := s.run(ctx, h, stdin)
		if err != nil {
			s.warn("hook %s: %v", h.Key, err)
			continue
		}
		id := fmt.Sprintf("%s:%d:%s", known[event], h.DisplayOrder, h.Source)
		switch code {
		case 0:
			if o, ok := parse(stdout); ok {
				if add := strings.TrimSpace(o.Specific.AdditionalContext); add != "" {
					out.Context = append(out.Context, add)
				}
				reason := firstNonEmpty(o.Specific.PermissionDecisionReason, o.Reason, o.StopReason)
				if o.Specific.PermissionDecision == "deny" || o.Decision == "block" || (o.Continue != nil && !*o.Continue) {
					return Outcome{Block: true, Reason: firstNonEmpty(reason, event+" hook blocked this"), HookID: id, Context: out.Context}
				}
			} else if t := strings.TrimSpace(stdout); t != "" && (event == SessionStart || event == UserPromptSubmit) {
				out.Context = append(out.Context, t)
			}
		case 2:
			return Outcome{Block: true, Reason: firstNonEmpty(strings.TrimSpace(stderr), event+" hook blocked this"), HookID: id, Context: out.Context}
		default:
			s.warn("hook %s exited with status %d: %s", h.Key, code, strings.TrimSpace(stderr))
		}
	}
	return out
}

func parse(stdout string) (output, bool) {
	var o output
	t := strings.TrimSpace(stdout)
	if !strings.HasPrefix(t, "{") {
		return o, false
	}
	if err := json.Unmarshal([]byte(t), &o); err != nil {
		return o, false
	}
	return o, true
}

func (s *Set) warn(format string, a ...any) {
	if s.Warn != nil {
		fmt.Fprintf(s.Warn, "warning: "+format+"\n", a...)
	}
}

// run starts the hook's command with sh -c in its own process group,
// writes stdin, and waits up to its timeout (the whole group is killed
// then, or when ctx ends).
func (s *Set) run(ctx context.Context, h Hook, stdin []byte) (code int, stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(h.Timeout)*time.Second)
	defer cancel()
	cmd := exec.Command("/bin/sh", "-c", h.Command)
	cmd.Dir, cmd.Env = s.Cwd, s.Env
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb limited
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return 0, "", "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
		// Whatever the hook left running in its group ends with it.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	case <-ctx.Done():
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		werr := <-done // reaped; the hook was killed
		return 0, out.String(), errb.String(), fmt.Errorf("timed out after %ds (%v)", h.Timeout, werr)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() < 0 {
			return 0, out.String(), errb.String(), fmt.Errorf("killed: %v", err)
		}
		return ee.ExitCode(), out.String(), errb.String(), nil
	}
	if err != nil {
		return 0, "", "", err
	}
	return 0, out.String(), errb.String(), nil
}

// limited keeps the first 1 MiB written to it.
type limited struct{ bytes.Buffer }

func (l *limited) Write(p []byte) (int, error) {
	if room := 1<<20 - l.Len(); room > 0 {
		if len(p) > room {
			l.Buffer.Write(p[:room])
		} else {
			l.Buffer.Write(p)
		}
	}
	return len(p), nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
