/*
 * codex-init: the init of the sandbox's PID namespace (x86-64, no libc).
 *
 * codex-linux-sandbox, once it has restricted itself whole, execs this
 * program (from a memfd) instead of the command when it is PID 1 of a new
 * PID namespace, so that the command is not PID 1 itself (an init ignores
 * every signal it has no handler for, even one it sends itself).
 * argv[0] is the descriptor to report on (decimal, "-1": none), argv[1]
 * the command's resolved path, argv[2..] its argv. It forks the command
 * (which gets no report descriptor), reaps every process that is
 * reparented to it, and when the command ends writes
 * {"protocol_version":1,"stage":"exit","status":N} (N: the raw wait
 * status; protocol_version: the report's, protocol.SandboxReportProtocolVersion) on the report
 * descriptor and exits with the command's status (128+N for a signal);
 * the kernel then ends everything left in the namespace.
 * Built by TestInitProgram -update (gcc), embedded in ../init_amd64.go.
 */
typedef unsigned long u64;

static long sc(long n, long a, long b, long c, long d) {
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return r;
}

enum { SYS_write = 1, SYS_close = 3, SYS_fork = 57, SYS_execve = 59, SYS_wait4 = 61, SYS_exit_group = 231 };
enum { EINTR = 4, ENOENT = 2, ENOTDIR = 20, ECHILD = 10 };

__attribute__((noreturn)) static void die(long code) {
	for (;;) sc(SYS_exit_group, code, 0, 0, 0);
}

__attribute__((noreturn, used)) void start(long *sp) {
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	if (argc < 3) die(125);
	long fd = 0;
	const char *p = argv[0];
	if (*p == '-') fd = -1;
	else for (; *p >= '0' && *p <= '9'; p++) fd = fd * 10 + (*p - '0');
	long pid = sc(SYS_fork, 0, 0, 0, 0);
	if (pid == 0) {
		if (fd >= 0) sc(SYS_close, fd, 0, 0, 0);
		long e = -sc(SYS_execve, (long)argv[1], (long)(argv + 2), (long)envp, 0);
		die(e == ENOENT || e == ENOTDIR ? 127 : 126);
	}
	if (pid < 0) die(125);
	int status = 0;
	for (;;) {
		long r = sc(SYS_wait4, -1, (long)&status, 0, 0);
		if (r == pid) break;
		if (r == -ECHILD) die(125);
	}
	static const char head[] = "{\"protocol_version\":1,\"stage\":\"exit\",\"status\":";
	char buf[80];
	int n = 0;
	for (; head[n]; n++) buf[n] = head[n];
	char digits[12];
	int d = 0;
	unsigned s = (unsigned)status;
	do { digits[d++] = '0' + s % 10; s /= 10; } while (s);
	while (d) buf[n++] = digits[--d];
	buf[n++] = '}';
	buf[n++] = '\n';
	if (fd >= 0) sc(SYS_write, fd, (long)buf, n, 0);
	if ((status & 0x7f) == 0) die((status >> 8) & 0xff);
	die(128 + (status & 0x7f));
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start\n");
