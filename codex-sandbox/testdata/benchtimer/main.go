// Command benchtimer times whole processes for bench.sh: it runs each
// named command N times, interleaved so load drifts hit all alike, and
// prints the median wall time and the ratio and overhead against the
// first (baseline) command. (Peak RSS is left to /usr/bin/time: a child
// forked by Go shares the parent's memory until exec, which would be
// counted.)
//
// usage: benchtimer N name 'argv...' [name 'argv...']...
package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 4 || len(os.Args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: benchtimer N name 'argv...' [name 'argv...']...")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "benchtimer: bad N")
		os.Exit(2)
	}
	type cmdSpec struct {
		name string
		argv []string
		dur  []time.Duration
	}
	var cmds []*cmdSpec
	for i := 2; i < len(os.Args); i += 2 {
		cmds = append(cmds, &cmdSpec{name: os.Args[i], argv: strings.Fields(os.Args[i+1])})
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtimer:", err)
		os.Exit(1)
	}
	run := func(c *cmdSpec) time.Duration {
		cmd := exec.Command(c.argv[0], c.argv[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			fmt.Fprintf(os.Stderr, "benchtimer: %s: %v\n", c.name, err)
			os.Exit(1)
		}
		return d
	}
	for w := 0; w < 10; w++ {
		for _, c := range cmds {
			run(c)
		}
	}
	for i := 0; i < n; i++ {
		for _, c := range cmds {
			c.dur = append(c.dur, run(c))
		}
	}
	median := func(d []time.Duration) time.Duration {
		s := append([]time.Duration(nil), d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)/2]
	}
	base := median(cmds[0].dur)
	fmt.Printf("%-44s %10s %8s %12s\n", "command", "median", "ratio", "overhead")
	var tsv strings.Builder
	for _, c := range cmds {
		m := median(c.dur)
		fmt.Printf("%-44s %8.3fms %7.2fx %+10.3fms\n", c.name, ms(m), float64(m)/float64(base), ms(m-base))
		fmt.Fprintf(&tsv, "%s\t%.3f\n", c.name, ms(m))
	}
	// BENCHTIMER_TSV names a file that gets "name<TAB>median ms" lines,
	// for bench.sh's goal checks.
	if path := os.Getenv("BENCHTIMER_TSV"); path != "" {
		if err := os.WriteFile(path, []byte(tsv.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "benchtimer:", err)
			os.Exit(1)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
