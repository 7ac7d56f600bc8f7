package seccompbuild

import (
	"encoding/binary"
	"fmt"
	"sort"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"github.com/elastic/go-seccomp-bpf/arch"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// compile turns policy into a BPF program that finds a syscall's rules by
// binary search on its number instead of go-seccomp-bpf's linear chain of
// comparisons. The layout matters for speed, not only for the command's
// syscalls: when a filter is loaded, the kernel (5.11+) runs it in an
// emulator for every syscall number of every architecture to precompute
// which calls it always allows, so the load costs (numbers × length of
// the path each number takes). With a chain of ~80 comparisons that was
// ~145 µs of every sandboxed start here; a tree makes each path a few
// instructions long.
//
// Layout: architecture check (any other architecture: process killed, so a
// 32-bit binary cannot use socketcall to get around the socket rule), x32
// check (ENOSYS), then the tree; a leaf runs its syscall's rules in policy
// order, and anything that matches no rule is allowed. Only the policy
// features this package uses are supported: unconditional names and
// Equal, NotEqual and BitsSet conditions. ioctl's request (argument 1) is
// compared on its low 32 bits only, which is all the kernel looks at.
func compile(policy seccomp.Policy, info *arch.Info) ([]bpf.Instruction, error) {
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	rules, err := flatten(policy, info)
	if err != nil {
		return nil, err
	}
	c := &compiler{rules: rules, info: info, allowAction: uint32(policy.DefaultAction)}
	c.allow, c.kill, c.enosys = c.newLabel(), c.newLabel(), c.newLabel()
	c.emit(bpf.LoadAbsolute{Off: offArch, Size: 4})
	c.jump(bpf.JumpEqual, uint32(info.ID), next, c.kill)
	c.emit(bpf.LoadAbsolute{Off: offNr, Size: 4})
	if info.ID == arch.X86_64.ID {
		c.jump(bpf.JumpGreaterOrEqual, uint32(arch.X32.SeccompMask), c.enosys, next)
	}
	nrs := make([]uint32, 0, len(rules))
	for nr := range rules {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	if len(nrs) > 0 {
		if err := c.tree(nrs); err != nil {
			return nil, err
		}
	}
	c.set(c.allow)
	c.emit(bpf.RetConstant{Val: c.allowAction})
	c.set(c.kill)
	c.emit(bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS})
	c.set(c.enosys)
	c.emit(bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)})
	return c.resolve()
}

// Offsets in struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// rule is one entry of a syscall's rule list: when every condition holds
// (none: always), the filter returns action.
type rule struct {
	conds  seccomp.ArgumentConditions
	action uint32
}

// flatten lists each syscall's rules in policy order.
func flatten(policy seccomp.Policy, info *arch.Info) (map[uint32][]rule, error) {
	out := map[uint32][]rule{}
	num := func(name string) (uint32, error) {
		n, ok := info.SyscallNames[name]
		if !ok {
			return 0, fmt.Errorf("unknown syscall %q for %s", name, info.Name)
		}
		return uint32(n | info.SeccompMask), nil
	}
	for _, g := range policy.Syscalls {
		action := uint32(g.Action)
		if g.Action == seccomp.ActionErrno {
			action |= uint32(unix.EPERM)
		}
		for _, name := range g.Names {
			nr, err := num(name)
			if err != nil {
				return nil, err
			}
			out[nr] = append(out[nr], rule{action: action})
		}
		for _, nc := range g.NamesWithCondtions {
			nr, err := num(nc.Name)
			if err != nil {
				return nil, err
			}
			if problems := nc.Conditions.Validate(); len(problems) > 0 {
				return nil, fmt.Errorf("%s: %s", nc.Name, problems[0])
			}
			out[nr] = append(out[nr], rule{conds: nc.Conditions, action: action})
		}
	}
	return out, nil
}

// label names a jump target; next is the instruction that follows.
type label int

const next label = -1

type pendingJump struct {
	at   int
	t, f label
	// always marks an unconditional jump to t.
	always bool
}

type compiler struct {
	rules               map[uint32][]rule
	info                *arch.Info
	ins                 []bpf.Instruction
	jumps               []pendingJump
	labels              []int // label -> instruction index, -1 until set
	allow, kill, enosys label
	allowAction         uint32
}

func (c *compiler) newLabel() label {
	c.labels = append(c.labels, -1)
	return label(len(c.labels) - 1)
}

func (c *compiler) set(l label) { c.labels[l] = len(c.ins) }

func (c *compiler) emit(in bpf.Instruction) { c.ins = append(c.ins, in) }

// jump emits a conditional jump (JumpEqual, JumpGreaterOrEqual or
// JumpBitsSet) to t when true and f when false.
func (c *compiler) jump(cond bpf.JumpTest, val uint32, t, f label) {
	c.jumps = append(c.jumps, pendingJump{at: len(c.ins), t: t, f: f})
	c.emit(bpf.JumpIf{Cond: cond, Val: val})
}

// goTo emits an unconditional jump.
func (c *compiler) goTo(t label) {
	c.jumps = append(c.jumps, pendingJump{at: len(c.ins), t: t, always: true})
	c.emit(bpf.Jump{})
}

// tree emits a binary search over nrs (sorted, at least one). The
// accumulator holds the syscall number.
func (c *compiler) tree(nrs []uint32) error {
	if len(nrs) == 1 {
		c.jump(bpf.JumpEqual, nrs[0], next, c.allow)
		return c.leaf(nrs[0])
	}
	mid := len(nrs) / 2
	right := c.newLabel()
	c.jump(bpf.JumpGreaterOrEqual, nrs[mid], right, next)
	if err := c.tree(nrs[:mid]); err != nil {
		return err
	}
	c.set(right)
	return c.tree(nrs[mid:])
}

// leaf emits nr's rules in order; the first that matches decides.
func (c *compiler) leaf(nr uint32) error {
	for _, r := range c.rules[nr] {
		fail := c.newLabel()
		for _, cond := range r.conds {
			low32 := c.info.ID == arch.X86_64.ID && nr == unix.SYS_IOCTL && cond.Argument == 1
			if err := c.cond(cond, low32, fail); err != nil {
				return err
			}
		}
		c.emit(bpf.RetConstant{Val: r.action})
		c.set(fail)
		if len(r.conds) == 0 {
			return nil // nothing after an unconditional rule is reachable
		}
	}
	c.emit(bpf.RetConstant{Val: c.allowAction})
	return nil
}

// cond emits a test of one argument condition that falls through when it
// holds and jumps to fail when it does not.
func (c *compiler) cond(cond seccomp.Condition, low32 bool, fail label) error {
	hi, lo := uint32(cond.Value>>32), uint32(cond.Value)
	ldHi := func() { c.emit(bpf.LoadAbsolute{Off: argOffset(cond.Argument, true), Size: 4}) }
	ldLo := func() { c.emit(bpf.LoadAbsolute{Off: argOffset(cond.Argument, false), Size: 4}) }
	switch cond.Operation {
	case seccomp.Equal:
		if !low32 {
			ldHi()
			c.jump(bpf.JumpEqual, hi, next, fail)
		}
		ldLo()
		c.jump(bpf.JumpEqual, lo, next, fail)
	case seccomp.NotEqual:
		ok := c.newLabel()
		if !low32 {
			ldHi()
			c.jump(bpf.JumpEqual, hi, next, ok)
		}
		ldLo()
		c.jump(bpf.JumpEqual, lo, fail, next)
		c.set(ok)
	case seccomp.BitsSet:
		ok := c.newLabel()
		if hi != 0 && !low32 {
			ldHi()
			c.jump(bpf.JumpBitsSet, hi, ok, next)
		}
		if lo != 0 {
			ldLo()
			c.jump(bpf.JumpBitsSet, lo, next, fail)
		} else {
			c.goTo(fail)
		}
		c.set(ok)
	default:
		return fmt.Errorf("seccomp condition %s is not supported", cond.Operation)
	}
	return nil
}

// argOffset is where the high or low 32 bits of a 64-bit argument sit in
// seccomp_data, which holds them in native byte order.
func argOffset(arg uint32, high bool) uint32 {
	off := offArgs + 8*arg
	little := binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	if high == little {
		off += 4
	}
	return off
}

// resolve fills in the jump offsets. Every jump goes forward; a
// conditional one can skip at most 255 instructions.
func (c *compiler) resolve() ([]bpf.Instruction, error) {
	skip := func(from int, l label) (int, error) {
		if l == next {
			return 0, nil
		}
		to := c.labels[l]
		if to < 0 {
			return 0, fmt.Errorf("seccomp: label %d never set", l)
		}
		if to <= from {
			return 0, fmt.Errorf("seccomp: backward jump at %d", from)
		}
		return to - from - 1, nil
	}
	for _, j := range c.jumps {
		t, err := skip(j.at, j.t)
		if err != nil {
			return nil, err
		}
		if j.always {
			c.ins[j.at] = bpf.Jump{Skip: uint32(t)}
			continue
		}
		f, err := skip(j.at, j.f)
		if err != nil {
			return nil, err
		}
		if t > 255 || f > 255 {
			return nil, fmt.Errorf("seccomp: jump at %d too long for BPF", j.at)
		}
		in, ok := c.ins[j.at].(bpf.JumpIf)
		if !ok {
			return nil, fmt.Errorf("seccomp: instruction %d is not a jump", j.at)
		}
		in.SkipTrue, in.SkipFalse = uint8(t), uint8(f)
		c.ins[j.at] = in
	}
	return c.ins, nil
}
