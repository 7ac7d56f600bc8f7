/*
 * codex-init: the init of the sandbox's PID namespace (x86-64, no libc).
 *
 * It is started in one of two ways, always as PID 1 of a new PID
 * namespace, so that the command is not PID 1 itself (an init ignores
 * every signal it has no handler for, even one it sends itself):
 *
 * - codex-linux-sandbox, once it has restricted itself whole, execs it
 *   (from a memfd) instead of the command;
 * - a supervisor that sets the sandbox up itself (linuxsandbox.Launch)
 *   starts it directly in new PID, mount and IPC namespaces with a
 *   control socket. The supervisor makes the mounts in that mount
 *   namespace from outside, then sends one message: the Landlock
 *   ruleset (as a descriptor), the seccomp program and the working
 *   directory. This program then mounts the namespace's /proc and
 *   restricts itself whole (no_new_privs, every capability, Landlock,
 *   seccomp, in that order) before anything else runs here. Nothing
 *   runs in the namespace before that but this program, blocked on the
 *   socket; if the supervisor goes away first the socket says so (or
 *   PR_SET_PDEATHSIG ends this process) and nothing is started.
 *
 * argv[0] is "R" or "R,C": R the descriptor to report on (decimal, "-1":
 * none), C the control socket. argv[1] is the command's resolved path,
 * argv[2..] its argv. Every other descriptor above 2 is closed. It forks
 * the command (whose copy of the report descriptor is close-on-exec: a
 * failed exec is reported on it as an "error" line, code 127 or 126),
 * reaps every process that is reparented to it, and when the command ends
 * writes {"protocol_version":1,"stage":"exit","status":N} (N: the raw
 * wait status; protocol_version: the report's,
 * protocol.SandboxReportProtocolVersion) on the report descriptor and
 * exits with the command's status (128+N for a signal); the kernel then
 * ends everything left in the namespace. A set-up step that fails is
 * reported as {"stage":"error",...,"exit_code":125} and nothing runs.
 *
 * Started with a control socket, it first ends and reaps everything else
 * in the namespace itself (kill(-1): all but this process), closes its
 * standard streams, writes the exit line, and then sends the raw wait
 * status (4 bytes) on the control socket: the supervisor, told that
 * nothing of the sandbox is left but this process, returns at once
 * instead of waiting for this exit, whose namespace teardown (the mount
 * namespace's unmounts, an RCU grace period) then runs beside it. The
 * socket is close-on-exec from the start of the command's process on,
 * so only this process can send that.
 * Built by TestInitProgram -update (gcc), embedded in ../init_amd64.go.
 */
typedef unsigned long u64;
typedef unsigned int u32;

static long sc(long n, long a, long b, long c, long d) {
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

static long sc5(long n, long a, long b, long c, long d, long e) {
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return r;
}

enum {
	SYS_write = 1, SYS_close = 3, SYS_recvmsg = 47, SYS_fork = 57, SYS_execve = 59, SYS_wait4 = 61,
	SYS_fcntl = 72, SYS_chdir = 80, SYS_capget = 125, SYS_capset = 126, SYS_prctl = 157,
	SYS_kill = 62, SYS_mount = 165, SYS_exit_group = 231, SYS_seccomp = 317, SYS_close_range = 436,
	SYS_landlock_restrict_self = 446,
};
enum { EINTR = 4, ENOENT = 2, ENOTDIR = 20, ECHILD = 10, EINVAL = 22 };

__attribute__((noreturn)) static void die(long code) {
	for (;;) sc(SYS_exit_group, code, 0, 0, 0);
}

static int put(char *b, int n, const char *s) {
	for (; *s; s++) b[n++] = *s;
	return n;
}

static int putnum(char *b, int n, long v) {
	char d[24];
	int k = 0;
	unsigned long u = v < 0 ? -v : v;
	if (v < 0) b[n++] = '-';
	do { d[k++] = '0' + u % 10; u /= 10; } while (u);
	while (k) b[n++] = d[--k];
	return n;
}

/* puts s as the inside of a JSON string, at most max bytes of it. */
static int putjson(char *b, int n, const char *s, int max) {
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; s[i] && i < max; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') { b[n++] = '\\'; b[n++] = c; }
		else if (c < 0x20) { n = put(b, n, "\\u00"); b[n++] = hex[c >> 4]; b[n++] = hex[c & 15]; }
		else b[n++] = c;
	}
	return n;
}

/* errno names as Go's syscall package spells them. */
static const char *errstr(long e) {
	switch (e) {
	case 1: return "operation not permitted";
	case 2: return "no such file or directory";
	case 7: return "argument list too long";
	case 8: return "exec format error";
	case 12: return "cannot allocate memory";
	case 13: return "permission denied";
	case 20: return "not a directory";
	case 21: return "is a directory";
	case 22: return "invalid argument";
	case 26: return "text file busy";
	case 38: return "function not implemented";
	case 40: return "too many levels of symbolic links";
	case 95: return "operation not supported";
	}
	return 0;
}

static char line[8192];

/* reports an error line (what: prefix, arg: quoted after it or 0, e: errno) and exits with code. */
__attribute__((noreturn)) static void fail(long fd, long code, const char *what, const char *arg, long e) {
	int n = put(line, 0, "{\"protocol_version\":1,\"stage\":\"error\",\"error\":\"");
	n = putjson(line, n, what, 200);
	if (arg) { line[n++] = ' '; n = putjson(line, n, arg, 1000); }
	n = put(line, n, ": ");
	const char *s = errstr(e);
	if (s) n = put(line, n, s);
	else { n = put(line, n, "errno "); n = putnum(line, n, e); }
	n = put(line, n, "\",\"exit_code\":");
	n = putnum(line, n, code);
	n = put(line, n, "}\n");
	if (fd >= 0) sc(SYS_write, fd, (long)line, n, 0);
	die(code);
}

/* The control message: a header, the seccomp program, the directory. */
struct ctlhead { u32 version, flags, ninsns, cwdlen; };
enum { CTL_PROC = 1, CTL_BOUND = 2, CTL_LANDLOCK = 4 };
enum { MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8 };
enum { PR_SET_PDEATHSIG = 1, PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4 };

struct iovec { void *base; u64 len; };
struct msghdr { void *name; u32 namelen; struct iovec *iov; u64 iovlen; void *control; u64 controllen; int flags; };
struct cmsghdr { u64 len; int level, type; };
struct caphdr { u32 version; int pid; };
struct capdata { u32 effective, permitted, inheritable; };
struct fprog { unsigned short len; void *filter; };

static unsigned char msg[65536] __attribute__((aligned(8)));

/* restrict receives the supervisor's message on ctl and restricts this
 * process with it; it exits (125) on any failure. */
static void restrict_self(long ctl, long rep) {
	u64 cbuf[4];
	struct iovec iov = {msg, sizeof msg - 1};
	struct msghdr mh = {0, 0, &iov, 1, cbuf, sizeof cbuf, 0};
	long n;
	do n = sc(SYS_recvmsg, ctl, (long)&mh, 0x40000000 /* MSG_CMSG_CLOEXEC */, 0);
	while (n == -EINTR);
	if (n < 0) fail(rep, 125, "sandbox setup failed: receive the plan", 0, -n);
	/* Kept for the end (see the top): never the command's. */
	long e = sc(SYS_fcntl, ctl, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */, 0);
	if (e < 0) fail(rep, 125, "sandbox setup failed: control socket", 0, -e);
	struct ctlhead *h = (struct ctlhead *)msg;
	if (n < (long)sizeof *h || (mh.flags & 0x28 /* MSG_TRUNC|MSG_CTRUNC */) || h->version != 1 ||
	    (u64)n != sizeof *h + (u64)h->ninsns * 8 + h->cwdlen || h->ninsns == 0 || h->ninsns > 4096)
		fail(rep, 125, "sandbox setup failed: no plan from the supervisor", 0, EINVAL);
	long ruleset = -1;
	if (mh.controllen >= sizeof(struct cmsghdr) + 4) {
		struct cmsghdr *c = (struct cmsghdr *)cbuf;
		if (c->level == 1 /* SOL_SOCKET */ && c->type == 1 /* SCM_RIGHTS */ && c->len == sizeof *c + 4)
			ruleset = *(int *)(c + 1);
	}
	if ((h->flags & CTL_LANDLOCK) && ruleset < 0)
		fail(rep, 125, "sandbox setup failed: no Landlock ruleset from the supervisor", 0, EINVAL);
	char *cwd = (char *)msg + sizeof *h + (u64)h->ninsns * 8;
	cwd[h->cwdlen] = 0;
	if ((h->flags & CTL_PROC) &&
	    (e = sc5(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, 0)) < 0)
		fail(rep, 125, "sandbox setup failed: mount /proc", 0, -e);
	if ((e = sc5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0)
		fail(rep, 125, "sandbox setup failed: set no_new_privs", 0, -e);
	if (h->flags & CTL_BOUND) {
		for (long c = 0; c < 64; c++) {
			e = sc5(SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, 0);
			if (e == -EINVAL) break;
			if (e < 0) fail(rep, 125, "sandbox setup failed: drop bounding capabilities", 0, -e);
		}
	}
	e = sc5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (e < 0 && e != -EINVAL) fail(rep, 125, "sandbox setup failed: clear ambient capabilities", 0, -e);
	struct caphdr ch = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
	struct capdata cd[2] = {{0, 0, 0}, {0, 0, 0}};
	if ((e = sc(SYS_capset, (long)&ch, (long)cd, 0, 0)) < 0) fail(rep, 125, "sandbox setup failed: capset", 0, -e);
	if ((e = sc(SYS_capget, (long)&ch, (long)cd, 0, 0)) < 0) fail(rep, 125, "sandbox setup failed: capget", 0, -e);
	if (cd[0].effective | cd[0].permitted | cd[1].effective | cd[1].permitted)
		fail(rep, 125, "sandbox setup failed: capabilities retained after drop", 0, EINVAL);
	if (ruleset >= 0) {
		if ((e = sc(SYS_landlock_restrict_self, ruleset, 0, 0, 0)) < 0)
			fail(rep, 125, "sandbox setup failed: landlock restrict self", 0, -e);
		sc(SYS_close, ruleset, 0, 0, 0);
	}
	struct fprog prog = {(unsigned short)h->ninsns, msg + sizeof *h};
	if ((e = sc(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, (long)&prog, 0)) < 0)
		fail(rep, 125, "sandbox setup failed: load seccomp filter", 0, -e);
	if (h->cwdlen && (e = sc(SYS_chdir, (long)cwd, 0, 0, 0)) < 0)
		fail(rep, 127, "change directory to", cwd, -e);
}

__attribute__((noreturn, used)) void start(long *sp) {
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 3) die(125);
	long fd = 0, ctl = -1;
	const char *p = argv[0];
	if (*p == '-') for (fd = -1, p++; *p >= '0' && *p <= '9'; p++) {}
	else for (; *p >= '0' && *p <= '9'; p++) fd = fd * 10 + (*p - '0');
	if (*p == ',') for (ctl = 0, p++; *p >= '0' && *p <= '9'; p++) ctl = ctl * 10 + (*p - '0');
	/* Not dumpable: the command, in the same Landlock domain and of the
	 * same uid, cannot trace it, read its memory or take its report
	 * descriptor (to forge the status) without CAP_SYS_PTRACE. */
	sc5(SYS_prctl, 4 /* PR_SET_DUMPABLE */, 0, 0, 0, 0);
	long keep = fd > ctl ? fd : ctl;
	/* Nothing but the streams, the report and the control socket. */
	sc(SYS_close_range, (keep > 2 ? keep : 2) + 1, ~0U, 0, 0);
	if (ctl >= 0) restrict_self(ctl, fd);
	long pid = sc(SYS_fork, 0, 0, 0, 0);
	if (pid == 0) {
		if (fd >= 0) sc(SYS_fcntl, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */, 0);
		long e = -sc(SYS_execve, (long)argv[1], (long)(argv + 2), (long)envp, 0);
		fail(fd, e == ENOENT || e == ENOTDIR ? 127 : 126, "exec", argv[2], e);
	}
	if (pid < 0) die(125);
	int status = 0;
	for (;;) {
		long r = sc(SYS_wait4, -1, (long)&status, 0, 0);
		if (r == pid) break;
		if (r == -ECHILD) die(125);
	}
	if (ctl >= 0) {
		/* Everything else in the namespace ends now, and is reaped:
		 * what the kernel would do at this process's exit, done before
		 * the supervisor is told. */
		int other;
		sc(SYS_kill, -1, 9 /* SIGKILL */, 0, 0);
		while (sc(SYS_wait4, -1, (long)&other, 0, 0) != -ECHILD) {}
		sc(SYS_close_range, 0, 2, 0, 0);
	}
	int n = put(line, 0, "{\"protocol_version\":1,\"stage\":\"exit\",\"status\":");
	n = putnum(line, n, (unsigned)status);
	n = put(line, n, "}\n");
	if (fd >= 0) sc(SYS_write, fd, (long)line, n, 0);
	if (ctl >= 0) sc(SYS_write, ctl, (long)&status, sizeof status, 0);
	if ((status & 0x7f) == 0) die((status >> 8) & 0xff);
	die(128 + (status & 0x7f));
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start\n");
