/*
 * tcpbench - TCP bulk throughput between two endpoints.
 *
 *   tcpbench -s PORT [ADDRESS]       receive, print what each client sent
 *   tcpbench IP PORT [MEGABYTES]     send MEGABYTES (default 1000), print MB/s
 *
 * The sender writes 128 KiB buffers as fast as the kernel takes them and
 * reports "tcpbench: N MB in S s: R MB/s" once the receiver has seen the
 * end of the stream (it waits for the receiver's close, so the figure
 * counts what arrived, not what sat in buffers). The receiver prints
 * "listening on port PORT" when ready, like server.
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (128 * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int receive(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	static char buf[BUF];
	int fd, one = 1;

	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	if (argc < 3 || atoi(argv[2]) <= 0 ||
	    (argc == 4 && inet_pton(AF_INET, argv[3], &addr.sin_addr) != 1))
		errx(2, "usage: tcpbench -s PORT [ADDRESS]");
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0)
		err(1, "cannot listen on port %s", argv[2]);
	printf("listening on port %s\n", argv[2]);
	fflush(stdout);
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		long long total = 0;
		ssize_t n;

		if (c < 0) {
			warn("accept");
			continue;
		}
		while ((n = read(c, buf, sizeof(buf))) > 0)
			total += n;
		close(c);
		printf("received %lld MB\n", total / 1000000);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	static char buf[BUF];
	long long mb, left;
	double start, secs;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "-s") == 0)
		return receive(argc, argv);
	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 ||
	    atoi(argv[2]) <= 0)
		errx(2, "usage: tcpbench -s PORT [ADDRESS] | tcpbench IP PORT [MEGABYTES]");
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	mb = argc == 4 ? atoll(argv[3]) : 1000;
	if (mb <= 0)
		errx(2, "invalid MEGABYTES '%s'", argv[3]);
	memset(buf, 'x', sizeof(buf));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err(1, "cannot connect to %s port %s", argv[1], argv[2]);
	start = now();
	for (left = mb * 1000000; left > 0;) {
		ssize_t n = write(fd, buf, left < BUF ? (size_t)left : BUF);
		if (n < 0)
			err(1, "write");
		left -= n;
	}
	/* Wait for the receiver's close: everything has arrived. */
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	secs = now() - start;
	printf("tcpbench: %lld MB in %.3f s: %.0f MB/s\n", mb, secs, (double)mb / secs);
	return 0;
}
