/*
 * forkbomb - try to start N processes, and say how many the kernel allowed.
 *
 *   forkbomb N
 *
 * Each child just waits. When fork fails (in a cgroup with pids.max, with
 * EAGAIN) it stops and prints "forkbomb: started K of N processes: REASON".
 * Then it kills every child it started and exits 0 if all N started, else 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc == 2 ? atol(argv[1]) : 0, started = 0;
	const char *why = "all started";
	pid_t *pids;

	if (n <= 0 || n > 100000) {
		fprintf(stderr, "usage: forkbomb N\n");
		return 2;
	}
	pids = calloc((size_t)n, sizeof(*pids));
	if (!pids) {
		perror("forkbomb");
		return 2;
	}
	for (; started < n; started++) {
		pid_t pid = fork();
		if (pid < 0) {
			why = strerror(errno);
			break;
		}
		if (pid == 0) {
			pause();
			_exit(0);
		}
		pids[started] = pid;
	}
	printf("forkbomb: started %ld of %ld processes: %s\n", started, n, why);
	fflush(stdout);
	for (long i = 0; i < started; i++)
		kill(pids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	return started == n ? 0 : 1;
}
