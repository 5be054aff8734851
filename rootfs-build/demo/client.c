/*
 * client - the other half of the demo: connect to a server, say hello.
 *
 *   client IP PORT [MESSAGE]
 *
 * Sends MESSAGE (default "hello from HOSTNAME") and prints the server's
 * answer. Gives up after 5 seconds. Exit status 0 when an answer came back.
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct timeval limit = { .tv_sec = 5 };
	char msg[256], host[64] = "?", reply[512];
	ssize_t n, got = 0;
	int fd;

	if (argc < 3 || argc > 4 || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1 ||
	    atoi(argv[2]) <= 0 || atoi(argv[2]) > 65535) {
		fprintf(stderr, "usage: client IP PORT [MESSAGE]\n");
		return 2;
	}
	addr.sin_port = htons((unsigned short)atoi(argv[2]));
	gethostname(host, sizeof(host) - 1);
	snprintf(msg, sizeof(msg), "%s\n", argc == 4 ? argv[3] : "");
	if (argc < 4)
		snprintf(msg, sizeof(msg), "hello from %s\n", host);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err(1, "cannot connect to %s port %s", argv[1], argv[2]);
	if (write(fd, msg, strlen(msg)) < 0)
		err(1, "write");
	while ((n = read(fd, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
		got += n;
	if (n < 0)
		err(1, "read");
	if (got == 0)
		errx(1, "no answer from %s port %s", argv[1], argv[2]);
	fwrite(reply, 1, (size_t)got, stdout);
	return 0;
}
