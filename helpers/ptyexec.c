/*
 * ptyexec - run a command on a terminal of its own, or with none at all.
 *
 *   ptyexec [-v] [-i] [-e NAME=VALUE]... COMMAND [ARG]...
 *
 * A process that shares its caller's terminal can reach the caller through
 * it: it can open /dev/tty (its controlling terminal) and push keystrokes
 * into the input of the shell that started it with ioctl(TIOCSTI), or wait
 * until the container has ended and type into that shell's prompt. Signals
 * from the keyboard (^C, ^Z) and window-size changes also go to everyone on
 * the terminal at once. So, like `docker run -it`, COMMAND gets its own
 * pseudo-terminal (see pty(7)):
 *
 *   caller's terminal <-> ptyexec <-> pty master | pty slave <-> COMMAND
 *
 * The child makes a new session (setsid) whose controlling terminal is the
 * pty's slave side; the parent puts the caller's terminal in raw mode and
 * copies bytes both ways, so that every key, ^C and ^Z included, is
 * interpreted by the pty's line discipline for COMMAND alone. COMMAND then
 * holds no descriptor to the caller's terminal, and cannot get one.
 *
 * Each of 0, 1 and 2 that is a terminal becomes the pty for COMMAND; the
 * others pass through as they are (`mkcontainer ... >file` typed at a
 * prompt: the file gets COMMAND's output as written, no terminal's \r\n
 * nor echo of what is typed; `... <file`: COMMAND reads the file itself,
 * every byte, to its end). A terminal on stdout or stderr only counts too:
 * such a descriptor is usually open for reading as well, and COMMAND could
 * read the user's keystrokes through it. The pty's output goes to the first
 * of stdout and stderr that is a terminal (or, with neither, to the
 * terminal itself, /dev/tty: it is the echo of what is typed).
 *
 * With no terminal on 0, 1 or 2 there is nothing to relay: COMMAND just gets
 * a new session with no controlling terminal, in the same process, so that
 * its PID is the one our caller started (mkcontainer records it).
 *
 * Descriptors other than 0, 1 and 2 pass through untouched: the chain hands
 * its lock descriptors on to COMMAND.
 *
 * -i and -e give COMMAND its environment, as env(1) -i NAME=VALUE would:
 * the session is the container's, not the caller's (whose variables may
 * hold secrets), and the environment a process starts with stays readable
 * in /proc/PID/environ for its whole life: that of the container's init
 * too, so it must be clean before the init's program starts.
 */
#include "common.h"
#include "supervise.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static noreturn void usage(void)
{
	puts("Usage: ptyexec [-v] [-i] [-e NAME=VALUE]... COMMAND [ARG]...\n"
	     "Run COMMAND on a pseudo-terminal of its own, or without any.\n"
	     "\n"
	     "When standard input, output or error is a terminal, COMMAND runs\n"
	     "in a new session on a new pseudo-terminal with the same settings\n"
	     "and window size, which replaces each of the three that is a\n"
	     "terminal (the others pass through as they are). ptyexec relays\n"
	     "input (in raw mode, if standard input is the terminal) and\n"
	     "output, passes window-size changes and the signals SIGTERM,\n"
	     "SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 on, and restores the\n"
	     "terminal when COMMAND ends. COMMAND can then neither open nor\n"
	     "inject input (TIOCSTI) into the caller's terminal.\n"
	     "\n"
	     "Otherwise COMMAND runs in a new session without a controlling\n"
	     "terminal, in the same process (same PID).\n"
	     "\n"
	     "Descriptors other than 0, 1 and 2 are passed on unchanged.\n"
	     "\n"
	     "Options:\n"
	     "  -i             start COMMAND with an empty environment\n"
	     "  -e NAME=VALUE  set NAME in COMMAND's environment (repeatable)\n"
	     "  -v   print each system call made\n"
	     "  -h   print this help\n"
	     "\n"
	     "Exit status: COMMAND's, or ptyexec dies of the signal that killed\n"
	     "it; 125: ptyexec failed; 126/127: COMMAND not executable / not\n"
	     "found.");
	exit(0);
}

/* ---- the caller's terminal ---------------------------------------------- */

/*
 * The caller's terminal settings, put back on every way out: exit() (errors
 * included) through atexit(), death by a passed-on signal explicitly. The
 * signals that would kill us otherwise are blocked and read from a signalfd.
 */
static struct termios saved_termios;
static int termios_saved;
/* The caller's terminal: 0, or 1 or 2 when stdin is not one. */
static int term_fd = STDIN_FILENO;
/* Which of 0, 1 and 2 are terminals (and become the pty for COMMAND). */
static int is_tty[3];
/* Where the pty's output goes: 1 or 2, whichever is a terminal first. */
static int out_fd = STDOUT_FILENO;

static void restore_terminal(void)
{
	if (!termios_saved)
		return;
	termios_saved = 0;
	trace("tcsetattr(0, TCSADRAIN, the saved settings)");
	/* TCSADRAIN: what we wrote is shown before the settings change back. */
	while (tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios) < 0)
		if (errno != EINTR) {
			/* A hung-up terminal (EIO) has nobody to restore it for. */
			if (errno != EIO)
				warn("cannot restore the terminal settings");
			break;
		}
}

/*
 * Raw mode: every byte, ^C and ^D included, comes to us unprocessed and
 * unechoed, and goes on to the pty, whose own line discipline (with the
 * caller's settings) echoes it and turns ^C into SIGINT for COMMAND only.
 */
static void make_raw(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		err(EXIT_SETUP, "cannot get the settings of the terminal");
	termios_saved = 1;
	if (atexit(restore_terminal) != 0)
		errx(EXIT_SETUP, "atexit failed");
	raw = saved_termios;
	cfmakeraw(&raw);
	trace("tcsetattr(0, TCSANOW, cfmakeraw) (see termios(3))");
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		err(EXIT_SETUP, "cannot put the terminal in raw mode");
}

/* The caller's window size onto the pty: its foreground group gets SIGWINCH. */
static void copy_winsize(int to)
{
	struct winsize ws;

	if (ioctl(term_fd, TIOCGWINSZ, &ws) < 0) {
		/* The terminal is gone (hung up): keep the last size. */
		if (errno != EIO)
			warn("cannot get the window size (TIOCGWINSZ)");
		return;
	}
	trace("ioctl(pty, TIOCSWINSZ, %ux%u)", ws.ws_row, ws.ws_col);
	if (ioctl(to, TIOCSWINSZ, &ws) < 0)
		warn("cannot set the window size of the pty (TIOCSWINSZ)");
}

/* ---- the child's end -------------------------------------------------------- */

static pid_t child;
static int child_status, child_ended;

/* The pty's master side, -1 when there is none (or no longer). */
static int master = -1;

/* Die the way the child died, so that our caller sees the same end. */
static noreturn void pass_on(int status)
{
	restore_terminal();
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));

	int sig = WTERMSIG(status);
	struct rlimit none = { 0, 0 };
	sigset_t set;

	/* No core file of ours for the child's crash (as unshare(1)). */
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		warn("setrlimit(RLIMIT_CORE)");
	sigemptyset(&set);
	sigaddset(&set, sig);
	if ((sig != SIGKILL && signal(sig, SIG_DFL) == SIG_ERR) ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) < 0 || raise(sig) != 0)
		warn("cannot die of signal %d", sig);
	/* Still alive: the signal's default action is not to terminate. */
	exit(128 + sig);
}

/*
 * Take the signals that arrived. Unlike supervise(), even those the kernel
 * sent (si_code SI_KERNEL, e.g. SIGHUP when the caller's terminal hangs up)
 * are passed on: COMMAND is in a session of its own, out of reach of our
 * terminal, so nobody else will tell it.
 */
static void take_signals(int sigfd)
{
	struct signalfd_siginfo info;
	ssize_t n;
	pid_t pid;
	int status;

	while ((n = read(sigfd, &info, sizeof(info))) == sizeof(info)) {
		int sig = (int)info.ssi_signo;

		/* The kernel signals the pty's foreground group itself when
		 * the pty's size changes. */
		if (sig == SIGWINCH && master >= 0) {
			copy_winsize(master);
			continue;
		}
		switch (sig) {
		case SIGCHLD:
			/* One SIGCHLD may stand for several exits: reap all
			 * (also children we inherited from our caller). */
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				if (pid == child) {
					trace("waitpid(%d): ended", (int)pid);
					child_status = status;
					child_ended = 1;
				}
			if (pid < 0 && errno != ECHILD)
				err(EXIT_SETUP, "waitpid");
			break;
		case SIGALRM:
			/* Blocked only because forwarded_signals() has it. */
			break;
		default:
			if (child_ended)
				break;
			trace("kill(%d, SIG%s)", (int)child, signame(sig));
			if (kill(child, sig) < 0 && errno != ESRCH)
				err(EXIT_SETUP, "cannot pass signal %d on to %d",
				    sig, (int)child);
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		err(EXIT_SETUP, "cannot read signals from the signalfd");
}

/*
 * Before the fork: block the signals to pass on and SIGCHLD, so that none
 * is lost before the signalfd takes them, in the poll loop with the I/O.
 */
static void block_signals(sigset_t *set)
{
	const int defaults[] = {
		SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
		SIGCHLD,
	};

	forwarded_signals(set);	/* has SIGCHLD too */
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		err(EXIT_SETUP, "sigprocmask");
	/*
	 * sh starts background jobs with SIGINT and SIGQUIT ignored, and an
	 * ignored SIGCHLD makes the kernel reap the child for us, even before
	 * we look: take back the defaults. Blocked, they never act.
	 */
	for (size_t k = 0; k < sizeof(defaults) / sizeof(defaults[0]); k++)
		if (signal(defaults[k], SIG_DFL) == SIG_ERR)
			err(EXIT_SETUP, "signal(%d)", defaults[k]);
}

static int open_signalfd(const sigset_t *set)
{
	int fd;

	trace("signalfd(forwarded signals + SIGCHLD) (see signalfd(2))");
	fd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		err(EXIT_SETUP, "signalfd");
	return fd;
}

/* ---- relaying bytes ---------------------------------------------------------- */

/* One direction of the relay: bytes read from `from`, not yet all written. */
struct flow {
	int from, to;
	char buf[4096];
	size_t len, off;
};

/* Read what is there into an empty buffer: >0, 0 at EOF, -1 on error. */
static ssize_t fill(struct flow *f)
{
	ssize_t n;

	do
		n = read(f->from, f->buf, sizeof(f->buf));
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		f->len = (size_t)n;
		f->off = 0;
	}
	return n;
}

/* Write what the buffer holds, as far as `to` takes it: 0, or -1 on error. */
static int flush(struct flow *f)
{
	while (f->off < f->len) {
		ssize_t n = write(f->to, f->buf + f->off, f->len - f->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;	/* poll for POLLOUT */
			return -1;
		}
		f->off += (size_t)n;
	}
	f->len = f->off = 0;
	return 0;
}

/*
 * Relay between the caller's terminal and the pty's master (without a pty,
 * only take signals) until the child has ended and its output is all out;
 * the child's status is then in child_status.
 */
static void relay(int sigfd)
{
	struct flow in = { .from = STDIN_FILENO, .to = master };
	struct flow out = { .from = master, .to = out_fd };
	/* A stdin that is not a terminal is COMMAND's own: not ours to read. */
	int in_open = master >= 0 && is_tty[0], pty_open = master >= 0;
	/* More than a pty holds (4 KiB + 640 KiB of tty buffers): what a
	 * process left behind may write after that is not waited for. */
	size_t drain_left = 1 << 20;

	for (;;) {
		struct pollfd p[4];
		int np = 0, ps = -1, pi = -1, pm = -1, po = -1, timeout = -1;

		/*
		 * Once the child has ended, its input is nobody's: what the
		 * user types from now on is for our caller. Its last output
		 * is in the pty already: read until none is left right now,
		 * since the child's own children may hold the pty open (and
		 * write on: then stop after drain_left bytes).
		 */
		if (child_ended) {
			in_open = 0;
			in.len = 0;
			if (out.len == 0 && drain_left == 0)
				pty_open = 0;
			if (!pty_open || out.len == 0)
				timeout = 0;
			if (!pty_open && out.len == 0)
				return;
		}
		p[ps = np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		if (in_open && in.len == 0)
			p[pi = np++] = (struct pollfd){ .fd = STDIN_FILENO,
							.events = POLLIN };
		/* The master only when there is something to do with it:
		 * once the slave is closed it would report POLLHUP at once. */
		if (pty_open && (out.len == 0 || in.len > 0))
			p[pm = np++] = (struct pollfd){
				.fd = master,
				.events = (short)((out.len == 0 ? POLLIN : 0) |
						  (in.len > 0 ? POLLOUT : 0)) };
		if (out.len > 0)
			p[po = np++] = (struct pollfd){ .fd = out_fd,
							.events = POLLOUT };

		int n = poll(p, (nfds_t)np, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err(EXIT_SETUP, "poll");
		}
		if (n == 0)
			return;	/* child ended, nothing more to read now */

		if (p[ps].revents)
			take_signals(sigfd);

		if (pi >= 0 && p[pi].revents) {
			ssize_t r = fill(&in);

			/* EOF (or a hung-up terminal): stop reading, but
			 * COMMAND may still have output to show. */
			if (r == 0 || (r < 0 && errno == EIO)) {
				trace("end of standard input");
				in_open = 0;
			} else if (r < 0 && errno != EAGAIN) {
				warn("cannot read standard input");
				in_open = 0;
			}
		}

		if (pm >= 0 && (p[pm].revents & (POLLOUT | POLLERR | POLLHUP)) &&
		    in.len > 0 && flush(&in) < 0) {
			/* EIO: nobody has the slave open any more. */
			if (errno != EIO)
				warn("cannot write to the pty");
			in.len = 0;
			in_open = 0;
		}

		if (pm >= 0 && pty_open && out.len == 0 &&
		    (p[pm].revents & (POLLIN | POLLERR | POLLHUP))) {
			ssize_t r = fill(&out);

			if (r > 0 && child_ended)
				drain_left -= (size_t)r < drain_left ? (size_t)r
								     : drain_left;
			/* EIO (or EOF): every holder of the slave closed it. */
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				if (r < 0 && errno != EIO)
					warn("cannot read from the pty");
				trace("pty closed on the other side");
				pty_open = 0;
				in_open = 0;
				in.len = 0;
			}
		}

		/* The output we just read, or what stdout could not take. */
		if (out.len > 0 &&
		    (po < 0 || (p[po].revents & (POLLOUT | POLLERR | POLLHUP))) &&
		    flush(&out) < 0) {
			/*
			 * Nobody reads our output any more: hang the pty up,
			 * as a closed terminal window does. COMMAND's session
			 * gets SIGHUP; we still wait for the child to end,
			 * since we hold the container's locks until then.
			 */
			if (errno != EPIPE)
				warn("cannot write to standard output");
			trace("close(pty master): hang-up");
			close(master);
			master = -1;
			pty_open = 0;
			in_open = 0;
			in.len = out.len = 0;
		}
	}
}

/* ---- the two ways to run COMMAND ------------------------------------------ */

/*
 * COMMAND on a pty of its own: the child makes the session and runs COMMAND,
 * the parent relays between the caller's terminal and the pty's master.
 */
static noreturn void run_on_pty(char **command)
{
	struct termios tios;
	struct winsize ws;
	char name[64];
	sigset_t set;
	int slave, sigfd;

	/*
	 * With 0, 1 or 2 closed, the pty's master could take its number, and
	 * we would relay COMMAND's output back into its own input.
	 */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			err(EXIT_SETUP, "cannot open '/dev/null' as descriptor %d",
			    fd);

	trace_man("pty(7)");
	trace("posix_openpt(O_RDWR|O_NOCTTY|O_CLOEXEC)");
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		err(EXIT_SETUP, "cannot open a pseudo-terminal (posix_openpt)");
	if (grantpt(master) < 0 || unlockpt(master) < 0)
		err(EXIT_SETUP, "cannot unlock the pseudo-terminal");
	if ((errno = ptsname_r(master, name, sizeof(name))) != 0)
		err(EXIT_SETUP, "ptsname_r");
	trace("open(\"%s\", O_RDWR|O_NOCTTY|O_CLOEXEC)", name);
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		err(EXIT_SETUP, "cannot open '%s'", name);

	/* The same settings and size as the caller's terminal, so that
	 * COMMAND sees no difference (erase key, rows and columns...). */
	if (tcgetattr(term_fd, &tios) < 0)
		err(EXIT_SETUP, "cannot get the settings of the terminal");
	if (tcsetattr(slave, TCSANOW, &tios) < 0)
		err(EXIT_SETUP, "cannot set the settings of '%s'", name);
	/* No terminal on stdout or stderr: the pty's output (the echo of
	 * what is typed) goes to the terminal itself. */
	if (!is_tty[1] && !is_tty[2]) {
		trace("open(\"/dev/tty\", O_WRONLY|O_NOCTTY|O_CLOEXEC)");
		out_fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (out_fd < 0)
			err(EXIT_SETUP, "cannot open '/dev/tty'");
	} else {
		out_fd = is_tty[1] ? STDOUT_FILENO : STDERR_FILENO;
	}
	if (ioctl(term_fd, TIOCGWINSZ, &ws) < 0)
		err(EXIT_SETUP, "cannot get the window size (TIOCGWINSZ)");
	trace("ioctl(%s, TIOCSWINSZ, %ux%u)", name, ws.ws_row, ws.ws_col);
	if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
		err(EXIT_SETUP, "cannot set the window size of '%s'", name);

	block_signals(&set);
	trace("fork()");
	child = fork();
	if (child < 0)
		err(EXIT_SETUP, "fork");
	if (child == 0) {
		/*
		 * A new session has no controlling terminal; the first
		 * terminal its leader asks for (TIOCSCTTY) becomes it. From
		 * now on /dev/tty is the pty, for COMMAND and all it starts.
		 */
		trace("setsid() (see credentials(7))");
		if (setsid() < 0)
			err(EXIT_SETUP, "setsid");
		trace("ioctl(%s, TIOCSCTTY, 0)", name);
		if (ioctl(slave, TIOCSCTTY, 0) < 0)
			err(EXIT_SETUP, "cannot make '%s' the controlling "
					"terminal (TIOCSCTTY)", name);
		/* The terminals become the pty; the rest is COMMAND's as it
		 * is. dup2 clears close-on-exec on the copies, as wanted. */
		for (int fd = 0; fd <= 2; fd++)
			if (is_tty[fd] && dup2(slave, fd) < 0)
				err(EXIT_SETUP, "dup2");
		close(master);
		if (slave > 2)
			close(slave);
		reset_signals();
		exec_next(command);
	}
	trace("child %d runs on %s", (int)child, name);
	/* Only the child holds the slave: when all its holders close it,
	 * reading the master fails with EIO instead of waiting forever. */
	close(slave);
	/* The relay must not block on the pty: COMMAND may not be reading. */
	if (fcntl(master, F_SETFL, O_NONBLOCK) < 0)
		err(EXIT_SETUP, "fcntl(O_NONBLOCK) on the pty");
	/* A closed stdout gives EPIPE, which relay() deals with, not death. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(EXIT_SETUP, "signal(SIGPIPE)");
	sigfd = open_signalfd(&set);
	if (term_fd == STDIN_FILENO)
		make_raw();
	/* A resize between our TIOCGWINSZ and the signalfd: catch it up. */
	copy_winsize(master);
	relay(sigfd);
	pass_on(child_status);
}

/*
 * No terminal: COMMAND only needs a session of its own, which also leaves
 * any controlling terminal we had behind.
 */
static noreturn void run_without_tty(char **command)
{
	sigset_t set;
	int sigfd;

	trace("setsid() (see credentials(7))");
	if (setsid() >= 0)
		exec_next(command);
	if (errno != EPERM)
		err(EXIT_SETUP, "setsid");
	/*
	 * EPERM: we lead a process group (an interactive shell made one for
	 * us), and a group leader cannot start a session. Only a child can,
	 * under another PID; we wait for it and pass on its end. All signals
	 * are passed on: the child is out of reach of our terminal's ^C.
	 */
	block_signals(&set);
	trace("setsid: EPERM (a process group leader): fork()");
	child = fork();
	if (child < 0)
		err(EXIT_SETUP, "fork");
	if (child == 0) {
		trace("setsid()");
		if (setsid() < 0)
			err(EXIT_SETUP, "setsid");
		reset_signals();
		exec_next(command);
	}
	sigfd = open_signalfd(&set);
	relay(sigfd);
	pass_on(child_status);
}

int main(int argc, char **argv)
{
	char *set[64];
	int opt, nset = 0, clear = 0;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:ie:vh")) != -1) {
		switch (opt) {
		case 'i': clear = 1; break;
		case 'e':
			if (optarg[0] == '=' || !strchr(optarg, '='))
				usage_error("invalid -e '%s': expected NAME=VALUE", optarg);
			if (nset == (int)(sizeof(set) / sizeof(set[0])))
				usage_error("too many -e (at most %d)", nset);
			set[nset++] = optarg;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	if (optind >= argc)
		usage_error("no command given");
	if (clear) {
		trace("clearenv()");
		if (clearenv() != 0)
			errx(EXIT_SETUP, "cannot clear the environment");
	}
	for (int i = 0; i < nset; i++)
		if (putenv(set[i]) != 0)
			err(EXIT_SETUP, "cannot set '%s'", set[i]);

	for (int fd = STDERR_FILENO; fd >= STDIN_FILENO; fd--)
		if ((is_tty[fd] = isatty(fd)))
			term_fd = fd;
	if (is_tty[0] || is_tty[1] || is_tty[2])
		run_on_pty(argv + optind);
	run_without_tty(argv + optind);
}
