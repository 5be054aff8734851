/*
 * crunch - a fixed amount of work, timed: for comparing where it runs.
 *
 *   crunch [-s] N
 *
 * Does N operations and prints "crunch: N ops in S s: R ops/s". An
 * operation is one round of a 64-bit integer mix (splitmix64), each round
 * depending on the one before: pure CPU, no memory traffic, no system calls,
 * so the figure shows the CPU share a process gets. With -s an operation is
 * one system call (getppid) instead: the figure then shows what each entry
 * into the kernel costs (a seccomp filter, a hypervisor) as well.
 * The result of the work goes to stderr with -v only; it is computed either
 * way, so the compiler cannot drop the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: crunch [-s] [-v] N   (N operations: integer mixing, or -s system calls)\n");
}

int main(int argc, char **argv)
{
	int syscalls = 0, verbose = 0, i = 1;
	long long n, k;
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	volatile unsigned long long sink;
	double start, secs;
	char *end;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "-s") == 0) {
			syscalls = 1;
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = 1;
		} else if (strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i != argc - 1) {
		usage(stderr);
		return 2;
	}
	errno = 0;
	n = strtoll(argv[i], &end, 10);
	if (errno != 0 || end == argv[i] || *end != '\0' || n <= 0) {
		fprintf(stderr, "crunch: invalid N '%s': expected a positive whole number\n", argv[i]);
		return 2;
	}

	start = now();
	if (syscalls) {
		for (k = 0; k < n; k++)
			x += (unsigned long long)syscall(SYS_getppid);
	} else {
		for (k = 0; k < n; k++) {
			unsigned long long z = (x += 0x9e3779b97f4a7c15ULL);

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			x ^= z ^ (z >> 31);
		}
	}
	secs = now() - start;
	sink = x;
	if (verbose)
		fprintf(stderr, "crunch: result %016llx\n", sink);
	if (secs <= 0)
		secs = 1e-9;
	printf("crunch: %lld ops in %.3f s: %.0f ops/s\n", n, secs, (double)n / secs);
	return 0;
}
