/*
 * cpuburn - spin on the CPU and report how much CPU time that got.
 *
 *   cpuburn SECONDS
 *
 * Spins for SECONDS of wall-clock time, then prints the CPU time it was given,
 * e.g. "cpuburn: 2.00 s wall, 0.50 s cpu, 25% of one CPU". Under a cgroup CPU
 * limit of 0.25 CPUs the last figure is close to 25.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc == 2 ? atof(argv[1]) : 0, start, wall, cpu;
	volatile unsigned long spins = 0;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "usage: cpuburn SECONDS\n");
		return 2;
	}
	start = now(CLOCK_MONOTONIC);
	while (now(CLOCK_MONOTONIC) - start < seconds)
		for (int i = 0; i < 100000; i++)
			spins++;
	wall = now(CLOCK_MONOTONIC) - start;
	cpu = now(CLOCK_PROCESS_CPUTIME_ID);
	printf("cpuburn: %.2f s wall, %.2f s cpu, %.0f%% of one CPU\n", wall, cpu,
	       100 * cpu / wall);
	return 0;
}
