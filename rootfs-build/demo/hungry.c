/*
 * hungry - eat memory until the kernel says no.
 *
 *   hungry [LIMIT]
 *
 * Allocates memory 1 MiB at a time and writes to every page, so it really is
 * used (untouched memory costs nothing). Prints its total every 16 MiB. With
 * LIMIT (bytes, or with K, M or G) it stops there and exits 0; without, it
 * goes on until allocation fails (exit 1) or, in a memory-limited cgroup, the
 * OOM killer ends it with SIGKILL (exit status 137 in a shell).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STEP (1UL << 20)

int main(int argc, char **argv)
{
	unsigned long limit = 0, mib;
	char *end, line[64];

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-h") == 0)) {
		fprintf(stderr, "usage: hungry [LIMIT]\n");
		return 2;
	}
	if (argc == 2) {
		limit = strtoul(argv[1], &end, 10);
		switch (*end) {
		case 'G': case 'g': limit <<= 10; /* fall through */
		case 'M': case 'm': limit <<= 10; /* fall through */
		case 'K': case 'k': limit <<= 10; end++;
		}
		if (*end || limit == 0) {
			fprintf(stderr, "hungry: invalid limit '%s'\n", argv[1]);
			return 2;
		}
	}
	for (mib = 1; !limit || mib * STEP <= limit; mib++) {
		char *p = malloc(STEP);
		if (!p) {
			printf("hungry: allocation failed after %lu MiB\n", mib - 1);
			return 1;
		}
		memset(p, 0xa5, STEP);
		if (mib % 16 == 0) {
			/* write(2), not stdio: what was printed survives a SIGKILL */
			int n = snprintf(line, sizeof(line), "hungry: %lu MiB\n", mib);
			if (write(1, line, (size_t)n) < 0)
				return 1;
		}
	}
	printf("hungry: done, %lu MiB in use\n", mib - 1);
	return 0;
}
