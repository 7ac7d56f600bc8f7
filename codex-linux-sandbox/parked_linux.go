package linuxsandbox

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// parkedReportFD is where a parked helper's supervisor reads its report
// (the --report-fd its plan names too).
const parkedReportFD = 3

// runParked is the helper started ahead of its command (ParkedArg): its
// runtime start, the dearest part of a helper's start, happens while the
// agent waits for the model. It holds no policy, no command and no
// restriction until the plan comes: it makes itself non-dumpable, says
// it is ready (one byte), reads exactly one plan with the command's
// three standard descriptors, closes the socket, puts the descriptors
// at 0, 1 and 2 and then runs the plan exactly as a helper started with
// those arguments would (the same parsing, resolution, restriction and
// exec, on this one thread). End of file before a whole plan (the agent
// reaped it unused, or died) ends it with status 125, running nothing.
func runParked(fdArg string, _, stderr io.Writer) int {
	rep := reporter(parkedReportFD)
	fail := func(format string, a ...any) int {
		rep.write(HelperReport{Stage: "error", Error: fmt.Sprintf(format, a...), ExitCode: ExitSetupFailed})
		return ExitSetupFailed
	}
	fd, err := strconv.Atoi(fdArg)
	if err != nil || fd <= parkedReportFD {
		fmt.Fprintf(stderr, "%s: %s needs a descriptor number above %d\n", ToolName, ParkedArg, parkedReportFD)
		return ExitUsage
	}
	runtime.LockOSThread()
	// Started in a user namespace of its own: its maps, while it is
	// still dumpable (MapIDsVar).
	if _, ids := cutMapIDs(os.Environ()); ids != "" {
		if err := mapOwnIDs(ids); err != nil {
			return fail("parked helper: %v", err)
		}
	}
	// Until it restricts itself nothing it holds may be traced or read.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fail("parked helper: non-dumpable: %v", err)
	}
	// Best effort: the agent may have sent its plan and closed its end
	// already, and the plan is read all the same.
	_ = unix.Sendmsg(fd, []byte{'r'}, nil, nil, unix.MSG_NOSIGNAL)
	args, env, fds, err := readPlan(fd)
	_ = unix.Close(fd)
	if err != nil {
		for _, f := range fds {
			_ = unix.Close(f)
		}
		if err == io.EOF {
			// Never a success: whoever waits for it ran nothing.
			return ExitSetupFailed
		}
		return fail("parked helper: %v", err)
	}
	for i, f := range fds {
		if err := unix.Dup3(f, i, 0); err != nil {
			return fail("parked helper: standard descriptor %d: %v", i, err)
		}
	}
	for _, f := range fds {
		if f > 2 {
			_ = unix.Close(f)
		}
	}
	// Mapped above already: the plan's copy of the variable must not
	// have run write the maps a second time.
	return run(args, WithoutMapIDs(env), os.Stdout, os.Stderr)
}

// readPlan reads one plan message and its three descriptors from the
// socket fd; io.EOF when the socket closed before any of it.
func readPlan(fd int) (args, env []string, fds []int, err error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*4))
	n, oobn, flags, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
	for err == unix.EINTR {
		n, oobn, flags, _, err = unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read plan: %w", err)
	}
	if oobn > 0 {
		msgs, perr := unix.ParseSocketControlMessage(oob[:oobn])
		if perr == nil {
			for _, m := range msgs {
				if got, rerr := unix.ParseUnixRights(&m); rerr == nil {
					fds = append(fds, got...)
				}
			}
		}
	}
	if n == 0 {
		return nil, nil, fds, io.EOF
	}
	if flags&unix.MSG_CTRUNC != 0 || len(fds) != 3 {
		return nil, nil, fds, fmt.Errorf("plan came with %d descriptors, want 3", len(fds))
	}
	if n < 4 {
		return nil, nil, fds, fmt.Errorf("plan: short message")
	}
	want := int(binary.LittleEndian.Uint32(buf))
	if want > maxPlanMessage {
		return nil, nil, fds, fmt.Errorf("plan: %d bytes is too large", want)
	}
	msg := append([]byte(nil), buf[4:n]...)
	for len(msg) < want {
		if cap(msg) < want {
			msg = append(make([]byte, 0, want), msg...)
		}
		m, rerr := unix.Read(fd, msg[len(msg):want])
		if rerr == unix.EINTR {
			continue
		}
		if rerr != nil || m == 0 {
			return nil, nil, fds, fmt.Errorf("plan: cut short after %d of %d bytes", len(msg), want)
		}
		msg = msg[:len(msg)+m]
	}
	if len(msg) != want {
		return nil, nil, fds, fmt.Errorf("plan: %d bytes where %d were announced", len(msg), want)
	}
	args, env, err = parsePlanMessage(msg)
	return args, env, fds, err
}
