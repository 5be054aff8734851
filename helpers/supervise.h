/* supervise.h - wait for a child, forward signals to it, pass on its end. */
#ifndef MKC_SUPERVISE_H
#define MKC_SUPERVISE_H

#include <signal.h>
#include <stdnoreturn.h>
#include <sys/types.h>

/*
 * The signals a supervisor passes on to its child. They must be blocked
 * (sigprocmask) before the child is forked, so that none is lost in between.
 */
void forwarded_signals(sigset_t *set);

/* In a freshly forked child: default dispositions, empty signal mask. */
void reset_signals(void);

/*
 * Wait for `child`, forwarding every signal in forwarded_signals() to it.
 *
 * As PID 1 of a PID namespace (as_init), also reap every orphan that the
 * kernel re-parents to us, and exit with 128+N when the child was killed by
 * signal N: PID 1 cannot usefully die of a signal sent to itself.
 *
 * Otherwise (the host-side parent) exit with the child's status, or die of
 * the same signal, as unshare(1) does. With kill_after > 0, a SIGTERM or
 * SIGHUP starts a timer: when it runs out, the child is sent SIGKILL.
 */
noreturn void supervise(pid_t child, int as_init, unsigned kill_after);

#endif
