/*
 * supervise.c - the waiting half of nsexec, used twice per container:
 *
 *  - on the host, by the parent that forked into the new PID namespace: it
 *    passes signals in and hands the container's end back to its caller;
 *  - inside, by PID 1, the container's init (like `docker run --init`).
 *
 * Why an init at all? PID 1 is special: the kernel re-parents every orphan of
 * the namespace to it, and it ignores any signal it has no handler for. A shell
 * or server that does not expect to be PID 1 would leave zombies and could not
 * be stopped by SIGTERM. So PID 1 is this small loop instead, and COMMAND runs
 * as PID 2, exactly as it would outside.
 *
 * Signals are taken synchronously with sigwaitinfo(2) rather than by handlers:
 * they stay blocked, queue up, and are handled one at a time in a plain loop,
 * with no async-signal-safety pitfalls.
 */
#include "supervise.h"
#include "common.h"

#include <err.h>
#include <signal.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};

void forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGALRM);
}

void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	/*
	 * A job started in the background by sh has SIGINT and SIGQUIT ignored,
	 * and ignored signals survive execve: restore every default so that
	 * COMMAND starts as it would from a terminal. Errors (SIGKILL, SIGSTOP,
	 * the C library's internal signals) are expected and harmless.
	 */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		err(EXIT_SETUP, "sigprocmask");
}

/* Die the way the child died, so our caller sees the same end. */
static noreturn void pass_on(int status, int as_init)
{
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));

	int sig = WTERMSIG(status);
	if (!as_init) {
		/* No core file of ours for the child's crash (as unshare(1)). */
		struct rlimit none = { 0, 0 };
		sigset_t set;

		if (setrlimit(RLIMIT_CORE, &none) < 0)
			warn("setrlimit(RLIMIT_CORE)");
		sigemptyset(&set);
		sigaddset(&set, sig);
		/* SIGKILL and SIGSTOP have no disposition to reset. */
		if ((sig != SIGKILL && sig != SIGSTOP &&
		     signal(sig, SIG_DFL) == SIG_ERR) ||
		    sigprocmask(SIG_UNBLOCK, &set, NULL) < 0 || raise(sig) != 0)
			warn("cannot die of signal %d", sig);
	}
	/* Still alive: the signal cannot kill us (PID 1), or was stopped. */
	exit(128 + sig);
}

noreturn void supervise(pid_t child, int as_init, unsigned kill_after)
{
	sigset_t set;
	siginfo_t info;
	int status, timer_armed = 0;
	pid_t pid;

	/* Ignored signals (sh ignores SIGINT in background jobs) might not be
	 * queued for sigwaitinfo(): take them back to their defaults. They are
	 * blocked, so the default action never runs. */
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		if (signal(forwarded[i], SIG_DFL) == SIG_ERR)
			err(EXIT_SETUP, "signal");
	forwarded_signals(&set);
	if (as_init) {
		/* The init has no timer: a SIGALRM from inside the container
		 * must not kill COMMAND. Unblocked, PID 1 ignores it. */
		sigset_t alarm_only;

		sigdelset(&set, SIGALRM);
		sigemptyset(&alarm_only);
		sigaddset(&alarm_only, SIGALRM);
		if (sigprocmask(SIG_UNBLOCK, &alarm_only, NULL) < 0)
			err(EXIT_SETUP, "sigprocmask");
	}
	for (;;) {
		int sig = sigwaitinfo(&set, &info);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			err(EXIT_SETUP, "sigwaitinfo");
		}
		switch (sig) {
		case SIGCHLD:
			/* One SIGCHLD may stand for several exits: reap them all. */
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				if (pid == child)
					pass_on(status, as_init);
			if (pid < 0 && errno != ECHILD)
				err(EXIT_SETUP, "waitpid");
			break;
		case SIGALRM:
			/* Only our own alarm(2) (sent by the kernel) counts. */
			if (!timer_armed || info.si_code != SI_KERNEL)
				break;
			trace("kill(%d, SIGKILL): grace period of %us is over",
			      (int)child, kill_after);
			if (kill(child, SIGKILL) < 0 && errno != ESRCH)
				err(EXIT_SETUP, "cannot kill %d", (int)child);
			break;
		default:
			/*
			 * The terminal sends SIGINT (^C), SIGQUIT and SIGWINCH to
			 * its whole foreground process group, COMMAND included:
			 * passing those on too would deliver them twice.
			 */
			if (info.si_code == SI_KERNEL)
				break;
			trace("kill(%d, SIG%s)", (int)child, signame(sig));
			if (kill(child, sig) < 0 && errno != ESRCH)
				err(EXIT_SETUP, "cannot forward signal to %d", (int)child);
			if (!as_init && kill_after && !timer_armed &&
			    (sig == SIGTERM || sig == SIGHUP)) {
				alarm(kill_after);
				timer_armed = 1;
			}
		}
	}
}
