/* common.c - errors, tracing, exec and number parsing shared by the helpers. */
#include "common.h"
#include "sys.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int verbose;
int exec_notify_fd = -1;
static int next_fd = -1; /* the next helper, opened by prepare_next() */

void trace(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void trace_man(const char *page)
{
	trace("(see %s)", page);
}

/*
 * The reader may be gone (mkcontainer -d was killed): that must not kill us
 * with SIGPIPE before COMMAND starts. Ignored only for the write: an ignored
 * signal would stay ignored in COMMAND.
 */
static void notify(const char *msg)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (sigaction(SIGPIPE, &ign, &old) < 0)
		err(EXIT_SETUP, "sigaction");
	if (write(exec_notify_fd, msg, strlen(msg)) < 0 && errno != EPIPE)
		warn("cannot write to descriptor %d", exec_notify_fd);
	if (sigaction(SIGPIPE, &old, NULL) < 0)
		err(EXIT_SETUP, "sigaction");
}

noreturn void exec_next(char **argv)
{
	if (exec_notify_fd >= 0) {
		notify("exec\n");
		if (fcntl(exec_notify_fd, F_SETFD, FD_CLOEXEC) < 0)
			err(EXIT_SETUP, "fcntl");
	}
	if (next_fd >= 0) {
		trace("execveat(fd of %s, \"\", ..., AT_EMPTY_PATH)", argv[0]);
		syscall(SYS_execveat, next_fd, "", argv, environ, AT_EMPTY_PATH);
	} else {
		trace("execvp(\"%s\", ...)", argv[0]);
		execvp(argv[0], argv);
	}
	/* As env(1) and chroot(1): 127 when not found, 126 when not runnable. */
	int saved = errno;
	int status = (saved == ENOENT || saved == ENOTDIR) ? EXIT_NOT_FOUND
							  : EXIT_CANNOT_EXEC;
	if (exec_notify_fd >= 0)
		notify("failed\n");
	errno = saved;
	warn("cannot execute '%s'", argv[0]);
	exit(status);
}

void prepare_next(char **argv)
{
	char next[PATH_MAX], sibling[PATH_MAX];
	struct stat self, ours;

	if (!strchr(argv[0], '/') || strlen(argv[0]) >= sizeof(next))
		return;
	/*
	 * One of ours: the next command's directory holds the very file we
	 * run, under our name (however the directory is spelled: bin/ or
	 * scripts/../bin/). Compared as files, not as paths: a helper run from
	 * the read-only copy below has "/" as its /proc/self/exe path.
	 */
	if (stat("/proc/self/exe", &self) < 0)
		err(EXIT_SETUP, "cannot stat '/proc/self/exe'");
	strcpy(next, argv[0]);
	if (snprintf(sibling, sizeof(sibling), "%s/%s", dirname(next),
		     program_invocation_short_name) >= (int)sizeof(sibling) ||
	    stat(sibling, &ours) < 0 ||
	    ours.st_dev != self.st_dev || ours.st_ino != self.st_ino)
		return;
	/*
	 * Not through the host's own, writable mount: through a private
	 * read-only copy of it. The file we run shows in /proc/PID/exe; were
	 * its mount writable, a container process that gets hold of it (in
	 * the instant before a helper makes itself non-dumpable, e.g. one run
	 * again by a "#!/proc/self/exe" script) could reopen it for writing
	 * once it no longer runs, and replace the host's helper (as in
	 * CVE-2019-5736). Through this mount that fails with EROFS.
	 */
	struct mount_attr ro = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};

	trace("open_tree(\"%s\", OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_RDONLY):"
	      " a helper, run after the root changes, from a read-only mount",
	      argv[0]);
	next_fd = open_tree(AT_FDCWD, argv[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (next_fd < 0)
		err(EXIT_SETUP, "cannot open '%s'", argv[0]);
	if (mount_setattr(next_fd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
		err(EXIT_SETUP, "cannot make a read-only mount of '%s'", argv[0]);
}

noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s -h' for more information.\n",
		program_invocation_short_name);
	exit(EXIT_SETUP);
}

noreturn void bad_option(int opt, int argc, char **argv)
{
	/*
	 * A long option (getopt_long) is named as it was typed. (A missing
	 * argument at the end leaves optind past argc.)
	 */
	const char *typed = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (strncmp(typed, "--", 2) == 0 && typed[2]) {
		if (opt == ':')
			usage_error("option '%s' requires an argument", typed);
		usage_error("invalid option '%s'", typed);
	}
	if (optopt <= ' ' || optopt > '~') {
		if (opt == ':')
			usage_error("an option requires an argument");
		usage_error("invalid option");
	}
	if (opt == ':')
		usage_error("option requires an argument -- '%c'", optopt);
	usage_error("invalid option -- '%c'", optopt);
}

int parse_u64(const char *s, uint64_t *value)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*value = v;
	return 0;
}

int parse_size(const char *s, uint64_t *bytes)
{
	char digits[32];
	size_t len = strlen(s);
	unsigned shift = 0;

	if (len == 0 || len >= sizeof(digits))
		return -1;
	switch (s[len - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	}
	if (shift)
		len--;
	memcpy(digits, s, len);
	digits[len] = '\0';
	if (parse_u64(digits, bytes) < 0 || *bytes > (UINT64_MAX >> 1) >> shift)
		return -1;
	*bytes <<= shift;
	return 0;
}

int parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us)
{
	char whole[21] = "", frac[3] = "00";
	const char *dot = strchr(s, '.');
	size_t wlen = dot ? (size_t)(dot - s) : strlen(s);
	uint64_t w, f;

	if (wlen == 0 || wlen >= sizeof(whole))
		return -1;
	memcpy(whole, s, wlen);
	if (dot) {
		size_t flen = strlen(dot + 1);
		if (flen == 0 || flen > 2)
			return -1;
		memcpy(frac, dot + 1, flen);
	}
	if (parse_u64(whole, &w) < 0 || parse_u64(frac, &f) < 0 || w > 4096)
		return -1;
	/* Hundredths of a CPU, times the period. */
	*quota_us = (w * 100 + f) * period_us / 100;
	return *quota_us ? 0 : -1;
}

static int vwrite_file(const char *path, const char *fmt, va_list ap)
{
	char buf[256];
	int len = vsnprintf(buf, sizeof(buf), fmt, ap);
	int fd, saved;
	ssize_t n;

	if (len < 0 || (size_t)len >= sizeof(buf)) {
		errno = EOVERFLOW;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, buf, (size_t)len);
	saved = errno;
	if (close(fd) < 0 && n == len)
		return -1;
	errno = saved;
	if (n == len)
		return 0;
	if (n >= 0)
		errno = EIO;
	return -1;
}

int try_write_file(const char *path, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vwrite_file(path, fmt, ap);
	va_end(ap);
	return r;
}

void write_file(const char *path, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vwrite_file(path, fmt, ap);
	va_end(ap);
	if (r < 0)
		err(EXIT_SETUP, "cannot write '%s'", path);
}

long read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t len = 0;
	int saved;

	if (fd < 0)
		return -1;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (long)len;
}

const char *signame(int sig)
{
	static const char *const names[] = {
		[SIGHUP] = "HUP",	[SIGINT] = "INT",	[SIGQUIT] = "QUIT",
		[SIGILL] = "ILL",	[SIGTRAP] = "TRAP",	[SIGABRT] = "ABRT",
		[SIGBUS] = "BUS",	[SIGFPE] = "FPE",	[SIGKILL] = "KILL",
		[SIGUSR1] = "USR1",	[SIGSEGV] = "SEGV",	[SIGUSR2] = "USR2",
		[SIGPIPE] = "PIPE",	[SIGALRM] = "ALRM",	[SIGTERM] = "TERM",
		[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD",	[SIGCONT] = "CONT",
		[SIGSTOP] = "STOP",	[SIGTSTP] = "TSTP",	[SIGTTIN] = "TTIN",
		[SIGTTOU] = "TTOU",	[SIGURG] = "URG",	[SIGXCPU] = "XCPU",
		[SIGXFSZ] = "XFSZ",	[SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
		[SIGWINCH] = "WINCH",	[SIGIO] = "IO",		[SIGPWR] = "PWR",
		[SIGSYS] = "SYS",
	};

	if (sig > 0 && sig < (int)(sizeof(names) / sizeof(names[0])) && names[sig])
		return names[sig];
	return "?";
}
