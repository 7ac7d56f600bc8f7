package agent

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// killTree kills a command's whole process tree: its process group and
// every descendant, including those that left the group with setsid or
// setpgid. Descendants are stopped first, and the tree is walked again
// until no new process appears, so nothing forks its way out between
// the walk and the kill.
func killTree(pid int) {
	_ = syscall.Kill(-pid, syscall.SIGSTOP)
	seen := map[int]bool{pid: true}
	for range 10 {
		grew := false
		for _, p := range descendants(pid) {
			if !seen[p] {
				seen[p] = true
				grew = true
				_ = syscall.Kill(p, syscall.SIGSTOP)
			}
		}
		if !grew {
			break
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for p := range seen {
		_ = syscall.Kill(p, syscall.SIGKILL)
		// A process that made its own group took its children with it.
		if pg, err := syscall.Getpgid(p); err == nil && pg == p {
			_ = syscall.Kill(-p, syscall.SIGKILL)
		}
	}
}

// descendants lists the processes below pid, read from /proc.
func descendants(pid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// parentOf reads a process's parent pid from /proc/PID/stat; the comm
// field may hold spaces and parentheses, so parse after the last ')'.
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(f[1])
	return pp, err == nil
}
