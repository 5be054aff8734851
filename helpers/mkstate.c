/*
 * mkstate - the file system work on a container's state that sh cannot do
 * itself: make its directory, lock, remove.
 *
 *   mkstate [-v] -d DIR        make directory DIR, if missing (mkdir(2))
 *   mkstate [-v] -l FD [-l FD]...
 *                              lock the file open on each descriptor FD, in
 *                              order, without waiting (flock(2)); N if
 *                              someone holds the Nth
 *   mkstate [-v] -r PATH...    remove each PATH: a file, or a directory and
 *                              the files in it (unlink(2), rmdir(2))
 *
 * What mkdir(1), flock(1) and rm(1) do for these cases, in one small static
 * program: each of those is a dynamically linked exec that costs about a
 * millisecond of every container's start, four times over (README
 * "Performance"). The state directory's protocol is in scripts/mkc-lib.sh.
 * Several -l, for the container's name and its address, take one exec
 * instead of two.
 *
 * A lock is held by the open file description, which the caller shares: as
 * with `flock -n FD`, it stays held after we exit, for as long as the caller
 * (and whoever inherits the descriptor) keeps it open.
 */
#include "common.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LOCKS 8 /* -l: exit statuses 1 to 8 */

static noreturn void usage(void)
{
	puts("Usage: mkstate [-v] -d DIR\n"
	     "       mkstate [-v] -l FD [-l FD]...\n"
	     "       mkstate [-v] -r PATH...\n"
	     "A container's state files: make a directory, lock a descriptor,\n"
	     "remove files and directories (what mkdir, flock -n and rm -rf do,\n"
	     "in one quick static program).\n"
	     "\n"
	     "  -d DIR   make directory DIR (mode 0777 less the umask), if missing\n"
	     "  -l FD    take an exclusive lock on descriptor FD (open in the caller)\n"
	     "           without waiting; repeatable: the locks are taken in order,\n"
	     "           and the first held by another process ends it (exit N for\n"
	     "           the Nth -l; the locks before it stay taken)\n"
	     "  -r       remove each PATH: a file, or a directory and the files in\n"
	     "           it (not deeper; its \"lock\" last); a missing PATH, or a\n"
	     "           directory refilled once its lock went (a new owner's), is\n"
	     "           not an error\n"
	     "  -v       print each system call made\n"
	     "  -h       print this help\n"
	     "\n"
	     "Exit status: 0 done; N the Nth -l's lock is held by another process;\n"
	     "125 error.");
	exit(0);
}

static void make_dir(const char *dir)
{
	trace("mkdir(\"%s\", 0777) (see mkdir(2))", dir);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		err(EXIT_SETUP, "cannot create directory '%s'", dir);
}

static int parse_fd(const char *arg)
{
	uint64_t fd;

	if (parse_u64(arg, &fd) < 0 || fd > 1023)
		usage_error("invalid descriptor '%s'", arg);
	return (int)fd;
}

/* 0 when locked, 1 when another process holds the lock. */
static int lock_fd(int fd)
{
	trace("flock(%d, LOCK_EX|LOCK_NB) (see flock(2))", fd);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return 1;
	err(EXIT_SETUP, "cannot lock descriptor %d", fd);
}

/* Unlink NAME in directory fd DIRFD (of PATH): 0, or -1 after a warning. */
static int unlink_in(int dirfd, const char *path, const char *name)
{
	trace("unlinkat(\"%s\", \"%s\")", path, name);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
		warn("cannot remove '%s/%s'", path, name);
		return -1;
	}
	return 0;
}

/*
 * Remove PATH: a file, or a directory with the files in it. On an error,
 * say so and go on with the rest (as rm -rf): returns -1 then.
 *
 * A state directory's names are all read before the first is removed, and
 * its "lock" goes last: once it is gone, a new container of the same name
 * may make its own lock and files there, which must not be removed with
 * ours (the rmdir then fails, and the directory is the new container's:
 * that is a success).
 */
static int remove_path(const char *path)
{
	struct dirent *ent;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int fd, ret = 0, has_lock = 0;
	DIR *d;

	trace("unlink(\"%s\") (see unlink(2))", path);
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR) {
		warn("cannot remove '%s'", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		warn("cannot open directory '%s'", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((errno = 0, ent = readdir(d))) {
		if (ent->d_name[0] == '.' && (!ent->d_name[1] ||
		    (ent->d_name[1] == '.' && !ent->d_name[2])))
			continue;
		if (!strcmp(ent->d_name, "lock")) {
			has_lock = 1;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				err(EXIT_SETUP, "realloc");
		}
		if (!(names[n++] = strdup(ent->d_name)))
			err(EXIT_SETUP, "strdup");
	}
	if (errno) {
		warn("cannot read directory '%s'", path);
		ret = -1;
	}
	for (size_t i = 0; i < n; i++) {
		ret |= unlink_in(fd, path, names[i]);
		free(names[i]);
	}
	free(names);
	if (has_lock)
		ret |= unlink_in(fd, path, "lock");
	closedir(d);
	trace("rmdir(\"%s\") (see rmdir(2))", path);
	/*
	 * Not empty after our lock went, last: a new container of the same
	 * name has made its lock there meanwhile. The directory is its own
	 * now, and ours is removed: not an error.
	 */
	if (rmdir(path) < 0 && errno != ENOENT &&
	    !(has_lock && !ret && (errno == ENOTEMPTY || errno == EEXIST))) {
		warn("cannot remove directory '%s'", path);
		ret = -1;
	}
	return ret ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int fds[MAX_LOCKS], nfd = 0, opt, rm = 0, status = 0;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:d:l:rvh")) != -1) {
		switch (opt) {
		case 'd': dir = optarg; break;
		case 'l':
			if (nfd == MAX_LOCKS)
				usage_error("at most %d -l", MAX_LOCKS);
			fds[nfd++] = parse_fd(optarg);
			break;
		case 'r': rm = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	if (!!dir + !!nfd + rm != 1)
		usage_error("expected one of -d, -l and -r");
	if (!rm && optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (dir)
		make_dir(dir);
	else if (nfd) {
		for (int i = 0; i < nfd; i++)
			if (lock_fd(fds[i]))
				return i + 1;
	}
	else
		for (; optind < argc; optind++)
			if (remove_path(argv[optind]) < 0)
				status = EXIT_SETUP;
	return status;
}
