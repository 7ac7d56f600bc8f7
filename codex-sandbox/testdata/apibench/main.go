// Command apibench measures the agent's own cost per sandboxed command
// for bench.sh: from a running Go program, as codex-agent is, it runs
// /bin/true N times in each shape, interleaved so load drifts hit all
// alike, and prints the medians and their overhead over a plain exec of
// /bin/true from the same program:
//
//   - exec: os/exec of /bin/true, no sandbox (the baseline);
//   - process: sandbox.Run, a codex-sandbox supervisor process per
//     command, which starts the helper;
//   - in-process: sandbox.Supervisor{InProcess: true}.Run, this program
//     supervising the command itself: as root it sets the sandbox up
//     itself and starts the init (linuxsandbox.Launch); as an ordinary
//     user it starts the helper in a user namespace of its own;
//   - ahead: the same with a helper started ahead (sandbox.Ahead with
//     Always: as root no helper is parked otherwise) and
//     parked before the timed run, as the agent starts it while the
//     model streams (outside the timed run: the agent's cost per
//     command is from the model's call to the command's start).
//
// The standalone codex-sandbox and codex-linux-sandbox must sit next to
// this binary (as `make install` lays them out), or it re-executes itself.
//
// usage: apibench N WORKSPACE
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"time"

	sandbox "github.com/codexgo/codex-sandbox"
	"github.com/codexgo/common/protocol"
)

func main() {
	if code, ok := sandbox.BecomeHelperIfRequested(os.Args, os.Stdin, os.Stdout, os.Stderr); ok {
		os.Exit(code)
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: apibench N WORKSPACE")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "apibench: bad N")
		os.Exit(2)
	}
	ctx := context.Background()
	req := protocol.ExecRequest{Argv: []string{"/bin/true"}, Cwd: os.Args[2],
		SandboxPolicy: protocol.SandboxPolicy{Mode: protocol.SandboxWorkspaceWrite}}
	check := func(name string, res protocol.ExecResult, err error) {
		if err != nil || res.ExitCode != 0 {
			fmt.Fprintf(os.Stderr, "apibench: %s: exit %d, %v %s\n", name, res.ExitCode, err, res.Error)
			os.Exit(1)
		}
	}
	ahead := &sandbox.Ahead{Always: true}
	defer func() { _ = ahead.Close() }()
	shapes := []struct {
		name   string
		before func()
		run    func()
		d      []time.Duration
	}{
		{name: "exec of /bin/true from a Go program (baseline)", run: func() {
			if err := exec.Command("/bin/true").Run(); err != nil {
				check("exec", protocol.ExecResult{}, err)
			}
		}},
		{name: "sandbox.Run ww, codex-sandbox process supervises", run: func() {
			res, err := sandbox.Run(ctx, req, nil, nil)
			check("process", res, err)
		}},
		{name: "sandbox.Run ww, in-process (root: set up here; else a helper)", run: func() {
			res, err := sandbox.Supervisor{InProcess: true}.Run(ctx, req, nil, nil)
			check("in-process", res, err)
		}},
		{name: "sandbox.Run ww, in-process, helper started ahead", before: func() {
			// As the agent starts it while the model streams: parked
			// before the command is asked for.
			if err := ahead.Start(); err != nil {
				check("ahead", protocol.ExecResult{}, err)
			}
			if err := ahead.WaitReady(); err != nil {
				check("ahead", protocol.ExecResult{}, err)
			}
		}, run: func() {
			res, err := sandbox.Supervisor{InProcess: true, Ahead: ahead}.Run(ctx, req, nil, nil)
			check("ahead", res, err)
		}},
	}
	for w := 0; w < 10; w++ {
		for i := range shapes {
			if shapes[i].before != nil {
				shapes[i].before()
			}
			shapes[i].run()
		}
	}
	for k := 0; k < n; k++ {
		for i := range shapes {
			if shapes[i].before != nil {
				shapes[i].before()
			}
			start := time.Now()
			shapes[i].run()
			shapes[i].d = append(shapes[i].d, time.Since(start))
		}
	}
	median := func(d []time.Duration) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return float64(d[len(d)/2]) / float64(time.Millisecond)
	}
	base := median(shapes[0].d)
	for _, s := range shapes {
		m := median(s.d)
		fmt.Printf("%s\t%.3f\t%.3f\n", s.name, m, m-base)
	}
}
