package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	linuxsandbox "github.com/codexgo/codex-linux-sandbox"
	"github.com/codexgo/common/protocol"
)

// defaultMaxOutput is how much of each stream --json keeps by default.
const defaultMaxOutput = 1 << 20

// maxRequest bounds the request read from stdin.
const maxRequest = 64 << 20

// runJSON reads one ExecRequest from stdin, runs it and writes one
// ExecResult to stdout. It exits 0 whenever a result was written, whatever
// the command did; 2 for a bad request.
func runJSON(ctx context.Context, o *options, env []string, stdin io.Reader, stdout, stderr io.Writer) int {
	req, err := decodeRequest(stdin, env)
	if err != nil {
		fmt.Fprintf(stderr, "%s: bad request: %v\n", ToolName, err)
		return ExitUsage
	}
	limit := req.MaxOutputBytes
	if limit <= 0 {
		limit = o.maxOutput
	}
	res, err := execute(ctx, req, limit)
	if err != nil {
		fmt.Fprintf(stderr, "%s: bad request: %v\n", ToolName, err)
		return ExitUsage
	}
	res.ProtocolVersion = protocol.ExecProtocolVersion
	if _, err := stdout.Write(append(res.AppendJSON(nil), '\n')); err != nil {
		return 1
	}
	return 0
}

// decodeRequest reads one ExecRequest and fills in defaults: read-only
// policy, and the given environment when the request has none.
func decodeRequest(r io.Reader, env []string) (protocol.ExecRequest, error) {
	var req protocol.ExecRequest
	if err := json.NewDecoder(io.LimitReader(r, maxRequest)).Decode(&req); err != nil {
		return req, err
	}
	if err := protocol.CheckVersion("the request", req.ProtocolVersion, protocol.ExecProtocolVersion); err != nil {
		return req, err
	}
	if len(req.Argv) == 0 || req.Argv[0] == "" {
		return req, fmt.Errorf("argv is empty")
	}
	if req.SandboxPolicy.Mode == "" {
		req.SandboxPolicy.Mode = protocol.SandboxReadOnly
	}
	if req.TimeoutMS < 0 || req.MaxOutputBytes < 0 {
		return req, fmt.Errorf("negative timeout_ms or max_output_bytes")
	}
	if req.Env == nil {
		req.Env = map[string]string{}
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				req.Env[k] = v
			}
		}
	}
	return req, nil
}

// execute runs req with output captured (head and tail of limit bytes).
func execute(ctx context.Context, req protocol.ExecRequest, limit int) (protocol.ExecResult, error) {
	cwd, err := resolveCwd(req.Cwd)
	if err != nil {
		return protocol.ExecResult{}, err
	}
	envl := envList(req.Env)
	plan, err := supervisorPlan(req.SandboxPolicy, cwd, linuxsandbox.Getenv(envl))
	if err != nil {
		return protocol.ExecResult{}, err
	}
	out, errb := newCapped(limit), newCapped(limit)
	var in io.Reader
	if req.Stdin != nil {
		in = strings.NewReader(*req.Stdin)
	}
	o := supervise(ctx, job{argv: req.Argv, plan: plan, env: envl, stdin: in, stdout: out, stderr: errb,
		timeout: time.Duration(req.TimeoutMS) * time.Millisecond})
	res := result(o)
	res.Stdout, res.StdoutTruncated = out.String()
	res.Stderr, res.StderrTruncated = errb.String()
	if res.Sandbox != nil && plan.Restricted() {
		res.Sandbox.Denied = likelyDenied(res.ExitCode, res.Stdout+res.Stderr)
		if res.Sandbox.NetworkHint = networkHint(req.SandboxPolicy, res.ExitCode, res.Stdout+res.Stderr); res.Sandbox.NetworkHint != "" {
			res.Sandbox.Denied = true
		}
	}
	return res, nil
}

// deniedHints are phrases a command prints when the kernel refused it
// something the sandbox forbids.
var deniedHints = []string{"operation not permitted", "permission denied", "read-only file system", "seccomp", "landlock"}

// likelyDenied guesses whether a failure came from the sandbox: a
// non-zero status with a refusal in the output, or death by SIGSYS.
// Success, timeouts and set-up failures never are.
func likelyDenied(code int, output string) bool {
	switch code {
	case 0, 124, 125:
		return false
	case 128 + 31:
		return true
	}
	low := strings.ToLower(output)
	for _, h := range deniedHints {
		if strings.Contains(low, h) {
			return true
		}
	}
	return false
}

// capped keeps the first and last limit/2 bytes written to it.
type capped struct {
	limit   int
	head    []byte
	tail    []byte
	dropped int64
}

func newCapped(limit int) *capped { return &capped{limit: limit} }

// Write keeps what fits in the head, then the latest bytes in the tail.
func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	half := c.limit / 2
	if room := c.limit - half - len(c.head); room > 0 {
		k := min(room, len(p))
		c.head = append(c.head, p[:k]...)
		p = p[k:]
	}
	if len(p) == 0 {
		return n, nil
	}
	c.tail = append(c.tail, p...)
	if over := len(c.tail) - half; over > 0 {
		c.dropped += int64(over)
		c.tail = append(c.tail[:0], c.tail[over:]...)
	}
	return n, nil
}

// String returns the kept output and whether anything was dropped.
func (c *capped) String() (string, bool) {
	if c.dropped == 0 {
		return string(c.head) + string(c.tail), false
	}
	var b bytes.Buffer
	b.Write(c.head)
	fmt.Fprintf(&b, "\n[... %d bytes truncated ...]\n", c.dropped)
	b.Write(c.tail)
	return b.String(), true
}
