/*
 * server - a TCP server for the cross-namespace demo.
 *
 *   server [-1] PORT [ADDRESS]
 *
 * Listens on port PORT of ADDRESS (default: every address). For each client it
 * reads one line and answers "hello from HOSTNAME (ADDRESS): LINE". Prints
 * "listening on port PORT" once it is ready, so a script can wait for it.
 * With -1 it exits after the first client.
 */
#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void serve(int conn, const struct sockaddr_in *peer)
{
	char line[256], host[64] = "?", reply[400];
	struct sockaddr_in self;
	socklen_t len = sizeof(self);
	ssize_t n = read(conn, line, sizeof(line) - 1);

	if (n < 0) {
		warn("read");
		return;
	}
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	gethostname(host, sizeof(host) - 1);
	getsockname(conn, (struct sockaddr *)&self, &len);
	int r = snprintf(reply, sizeof(reply), "hello from %s (%s): %s\n", host,
			 inet_ntoa(self.sin_addr), line);
	if (write(conn, reply, (size_t)r) < 0)
		warn("write");
	printf("%s said: %s\n", inet_ntoa(peer->sin_addr), line);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int once = 0, fd, one = 1;
	struct sockaddr_in addr = { .sin_family = AF_INET };

	if (argc > 1 && strcmp(argv[1], "-1") == 0) {
		once = 1;
		argv++, argc--;
	}
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535 ||
	    (argc == 3 && inet_pton(AF_INET, argv[2], &addr.sin_addr) != 1)) {
		fprintf(stderr, "usage: server [-1] PORT [ADDRESS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	addr.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err(1, "cannot listen on port %s", argv[1]);
	if (listen(fd, 64) < 0)
		err(1, "listen");
	printf("listening on port %s\n", argv[1]);
	fflush(stdout);
	do {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int conn = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

		if (conn < 0) {
			warn("accept");
			continue;
		}
		serve(conn, &peer);
		close(conn);
	} while (!once);
	return 0;
}
