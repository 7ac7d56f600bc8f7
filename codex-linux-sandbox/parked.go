package linuxsandbox

import (
	"encoding/binary"
	"errors"
	"strings"
)

// ParkedArg is the one argument (followed by a descriptor number) that
// starts the helper parked: it starts its runtime, then waits on that
// descriptor, a Unix stream socket, for one plan (AppendPlanMessage with
// the command's standard input, output and error attached), and runs it
// as if it had been started with it. It is an argument, not a flag, so
// no CODEX_LINUX_SANDBOX_ variable can select it.
const ParkedArg = "--parked-plan-fd"

// maxPlanMessage bounds a parked helper's plan (argv and environment).
const maxPlanMessage = 16 << 20

// AppendPlanMessage appends the message a parked helper reads: the
// length of the rest, the argument and variable counts (little-endian
// uint32s), then each argument and each variable NUL-terminated.
func AppendPlanMessage(b []byte, args, env []string) ([]byte, error) {
	n := 8
	for _, s := range append(args[:len(args):len(args)], env...) {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errors.New("plan: an argument or variable holds a NUL byte")
		}
		n += len(s) + 1
	}
	if n > maxPlanMessage {
		return nil, errors.New("plan: argv and environment too large")
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(args)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(env)))
	for _, s := range args {
		b = append(append(b, s...), 0)
	}
	for _, s := range env {
		b = append(append(b, s...), 0)
	}
	return b, nil
}

// parsePlanMessage decodes the body of AppendPlanMessage (without its
// length).
func parsePlanMessage(b []byte) (args, env []string, err error) {
	if len(b) < 8 {
		return nil, nil, errors.New("plan: short message")
	}
	na, ne := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
	parts := strings.Split(string(b[8:]), "\x00")
	if len(parts) == 0 || parts[len(parts)-1] != "" || uint64(len(parts)-1) != uint64(na)+uint64(ne) {
		return nil, nil, errors.New("plan: malformed message")
	}
	parts = parts[:len(parts)-1]
	return parts[:na:na], parts[na:], nil
}
