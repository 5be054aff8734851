/*
 * mkuserns - make a user namespace and keep it in a file, like `ip netns add`.
 *
 *   mkuserns [-v] [-u HOSTUID] [-g HOSTGID] [-c COUNT] FILE [COMMAND [ARG]...]
 *   mkuserns [-v] -d FILE
 *
 * A user namespace maps user and group IDs: here IDs 0..COUNT-1 inside are
 * HOSTUID..HOSTUID+COUNT-1 on the host. Root of a container that joins it
 * (confine -u FILE) is root inside and an unprivileged ID outside: what it
 * could do to a host file that reaches it, any stranger could.
 *
 * Only a process outside can write the maps of a namespace with more than
 * its own ID (user_namespaces(7)): so a child makes the namespace, and we,
 * still root on the host, write its uid_map and gid_map and bind-mount its
 * /proc/PID/ns/user on FILE, which keeps the namespace alive without any
 * process in it. -d undoes that.
 */
#include "common.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static noreturn void usage(void)
{
	puts("Usage: mkuserns [-v] [-u HOSTUID] [-g HOSTGID] [-c COUNT] FILE [COMMAND [ARG]...]\n"
	     "       mkuserns [-v] -d FILE\n"
	     "Make a user namespace whose IDs 0..COUNT-1 are HOSTUID.. (and HOSTGID..)\n"
	     "on the host, keep it in FILE (a bind mount), then run COMMAND.\n"
	     "\n"
	     "  -u HOSTUID  first host user ID (default 100000)\n"
	     "  -g HOSTGID  first host group ID (default: HOSTUID)\n"
	     "  -c COUNT    number of IDs (default 65536)\n"
	     "  -d          remove the namespace kept in FILE (unmount, delete)\n"
	     "  -v          print each system call made\n"
	     "  -h          print this help");
	exit(0);
}

static void write_map(pid_t pid, const char *which, uint64_t first, uint64_t count)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, which);
	trace("write %s = \"0 %llu %llu\"", path, (unsigned long long)first,
	      (unsigned long long)count);
	write_file(path, "0 %llu %llu\n", (unsigned long long)first,
		   (unsigned long long)count);
}

/* FILE, made by us: removed again if we fail before it holds the namespace. */
static const char *made_file;

static void remove_made_file(void)
{
	if (made_file && unlink(made_file) < 0 && errno != ENOENT)
		warn("cannot remove '%s'", made_file);
}

static void make(const char *file, uint64_t uid, uint64_t gid, uint64_t count)
{
	int ready[2], done[2], fd;
	char c = 0, nspath[64];
	pid_t child;

	fd = open(file, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		made_file = file;
		if (atexit(remove_made_file) != 0)
			errx(EXIT_SETUP, "atexit failed");
	} else if (errno == EEXIST) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		err(EXIT_SETUP, "cannot create '%s'", file);
	close(fd);
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(done, O_CLOEXEC) < 0)
		err(EXIT_SETUP, "pipe2");
	child = fork();
	if (child < 0)
		err(EXIT_SETUP, "fork");
	if (child == 0) {
		/* The child only holds the namespace until it is mounted. */
		made_file = NULL;
		close(ready[0]);
		close(done[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			err(EXIT_SETUP, "unshare(CLONE_NEWUSER)");
		if (write(ready[1], &c, 1) != 1)
			_exit(EXIT_SETUP);
		while (read(done[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	trace("fork() + unshare(CLONE_NEWUSER) in the child (see user_namespaces(7))");
	if (read(ready[0], &c, 1) != 1)
		errx(EXIT_SETUP, "cannot create a user namespace");
	write_map(child, "uid_map", uid, count);
	write_map(child, "gid_map", gid, count);
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/user", (int)child);
	trace("mount(\"%s\", \"%s\", NULL, MS_BIND, NULL)", nspath, file);
	if (mount(nspath, file, NULL, MS_BIND, NULL) < 0)
		err(EXIT_SETUP, "cannot keep the user namespace in '%s'", file);
	made_file = NULL;
	close(done[1]);
	if (waitpid(child, NULL, 0) < 0)
		err(EXIT_SETUP, "waitpid");
}

static void remove_ns(const char *file)
{
	trace("umount2(\"%s\", MNT_DETACH) + unlink", file);
	if (umount2(file, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		err(EXIT_SETUP, "cannot unmount '%s'", file);
	if (unlink(file) < 0 && errno != ENOENT)
		err(EXIT_SETUP, "cannot remove '%s'", file);
}

int main(int argc, char **argv)
{
	uint64_t uid = 100000, gid = UINT64_MAX, count = 65536;
	int opt, del = 0;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:u:g:c:dvh")) != -1) {
		switch (opt) {
		case 'u':
			if (parse_u64(optarg, &uid) < 0 || uid == 0 || uid >= UINT32_MAX)
				usage_error("invalid HOSTUID '%s': not 0", optarg);
			break;
		case 'g':
			if (parse_u64(optarg, &gid) < 0 || gid == 0 || gid >= UINT32_MAX)
				usage_error("invalid HOSTGID '%s': not 0", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, &count) < 0 || count == 0 ||
			    count > UINT32_MAX)
				usage_error("invalid COUNT '%s'", optarg);
			break;
		case 'd': del = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	if (optind >= argc)
		usage_error("missing FILE");
	if (gid == UINT64_MAX)
		gid = uid;
	if (uid + count > UINT32_MAX || gid + count > UINT32_MAX)
		usage_error("the ID range goes past 4294967295");
	if (del) {
		if (argc - optind > 1)
			usage_error("-d takes only FILE");
		remove_ns(argv[optind]);
		return 0;
	}
	trace_man("user_namespaces(7)");
	make(argv[optind], uid, gid, count);
	if (argc - optind > 1)
		exec_next(argv + optind + 1);
	return 0;
}
