/*
 * pivot - make a directory the root filesystem, then run a command in it.
 *
 *   pivot [-v] [-b SRC:DST[:ro]]... ROOTFS COMMAND [ARG]...
 *
 * Run it in a new mount namespace (nsexec -m). The steps, and why in this order:
 *
 *   1. Make every mount under / private. Mounts are often "shared": a mount
 *      made below them would propagate back to the host's namespace.
 *   2. Bind ROOTFS onto itself. pivot_root(2) wants a mount point, and this
 *      one gets nodev, so no device node inside the rootfs can open a disk.
 *   3. Mount into it, while the host's files are still reachable: the volumes
 *      (-b), a fresh /proc for the new PID namespace (ps then shows only the
 *      container), a read-only /sys, and a minimal /dev (a tmpfs holding the
 *      few host devices a program needs, bound one by one, its own devpts for
 *      terminals and a /dev/shm).
 *   4. pivot_root(".", "."): the rootfs becomes "/", the old root is stacked
 *      on top of it; umount2(".", MNT_DETACH) then drops the old root, and
 *      with it every path back to the host's files.
 *   5. chdir("/") and exec COMMAND, found on the container's PATH.
 *
 * Every mount target is resolved inside ROOTFS with openat2(2) and
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, then mounted on through its file
 * descriptor with the new mount API (open_tree, fsopen, move_mount). A rootfs
 * whose /proc is a symlink to /etc, say, cannot make a mount appear on the
 * host: it is refused. pivot writes nothing into ROOTFS: /proc, /sys, /dev
 * and each volume's destination must exist there.
 */
#include "common.h"
#include "sys.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_VOLUMES 64

static const char *rootfs;	/* as given, for messages */
static int rootfd = -1;		/* the bound rootfs, every target is beneath it */

static const char *const kernel_dirs[] = { "/proc", "/sys", "/dev", NULL };

static const char *const devices[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

static noreturn void usage(void)
{
	puts("Usage: pivot [-v] [-b SRC:DST[:ro]]... [-n FD] [-U USERNS] ROOTFS COMMAND [ARG]...\n"
	     "Make ROOTFS the root filesystem of this mount namespace, then run\n"
	     "COMMAND in it. Run it in a new mount namespace (nsexec -m).\n"
	     "\n"
	     "  -b SRC:DST[:ro]  bind host path SRC at DST inside the rootfs\n"
	     "                   (nosuid, nodev; read-only with :ro); repeatable;\n"
	     "                   DST must exist in the rootfs\n"
	     "  -n FD            tell FD whether COMMAND started: \"exec\" then\n"
	     "                   end of file if it did, \"exec\", \"failed\" if not\n"
	     "  -U USERNS        idmap the rootfs and volumes for the user\n"
	     "                   namespace in file USERNS: its root owns what\n"
	     "                   the host's root owns (see mount_setattr(2))\n"
	     "  -v               print each system call made\n"
	     "  -h               print this help\n"
	     "\n"
	     "Mounts a new /proc, a read-only /sys and a minimal /dev (null, zero,\n"
	     "full, random, urandom, tty, pts, ptmx, shm, fd, stdin, stdout,\n"
	     "stderr), masks /proc/kcore, /proc/keys, /sys/firmware and others,\n"
	     "and makes /proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus and\n"
	     "/proc/fs read-only. Exit status 125: pivot failed; 126/127: COMMAND not\n"
	     "executable / not found; else COMMAND's.");
	exit(0);
}

static int openat2_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static noreturn void refuse_path(const char *path)
{
	if (errno == ELOOP)
		errx(EXIT_SETUP, "'%s' in root filesystem '%s' is or passes "
				 "through a symbolic link: refusing to mount there",
		     path, rootfs);
	err(EXIT_SETUP, "cannot open '%s' in root filesystem '%s'", path,
	    rootfs);
}

/*
 * Open PATH (absolute, as seen from inside the container) beneath the rootfs,
 * as an O_PATH descriptor to mount on. pivot changes nothing in the rootfs:
 * targets there must exist. Only in the /dev tmpfs it mounted itself does it
 * make them (MAKE_DIR, MAKE_FILE), and nothing there can be a symlink.
 */
enum make { EXISTING, MAKE_DIR, MAKE_FILE };
static int open_target(const char *path, enum make make)
{
	int fd;

	while (*path == '/')
		path++;
	if (make == MAKE_DIR && mkdirat(rootfd, path, 0755) < 0 && errno != EEXIST)
		err(EXIT_SETUP, "cannot create '/%s' in '%s'", path, rootfs);
	if (make == MAKE_FILE) {
		fd = openat(rootfd, path, O_WRONLY | O_CREAT | O_NOFOLLOW |
					  O_CLOEXEC, 0644);
		if (fd < 0)
			err(EXIT_SETUP, "cannot create '/%s' in '%s'", path, rootfs);
		close(fd);
	}
	fd = openat2_beneath(rootfd, *path ? path : ".", O_PATH);
	if (fd < 0 && errno == ENOENT)
		errx(EXIT_SETUP, "'/%s' does not exist in root filesystem '%s'",
		     path, rootfs);
	if (fd < 0)
		refuse_path(path);
	return fd;
}

/* Attach a detached mount (from open_tree or fsmount) at PATH in the rootfs. */
static void attach(int mnt, const char *what, const char *path, enum make make)
{
	int target = open_target(path, make);

	trace("move_mount(%s, \"%s\" in rootfs) (see move_mount(2))", what, path);
	if (move_mount(mnt, "", target, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		err(EXIT_SETUP, "cannot mount %s on '%s' in '%s'", what, path,
		    rootfs);
	close(target);
	close(mnt);
}

/*
 * A copy of the mount tree at SRC (a bind mount), not yet attached anywhere,
 * with the given MOUNT_ATTR_* flags set on every mount in it.
 */
static int userns_fd = -1;	/* -U: the user namespace to idmap for */

static int clone_tree(const char *src, uint64_t attrs)
{
	struct mount_attr attr = { .attr_set = attrs };
	int fd;

	if (attrs & MOUNT_ATTR_IDMAP) {
		if (userns_fd < 0)
			attr.attr_set &= ~(uint64_t)MOUNT_ATTR_IDMAP;
		else
			attr.userns_fd = (uint64_t)userns_fd;
	}

	trace("open_tree(\"%s\", OPEN_TREE_CLONE|AT_RECURSIVE) (see open_tree(2))",
	      src);
	fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
					      AT_RECURSIVE);
	if (fd < 0)
		err(EXIT_SETUP, "cannot bind '%s'", src);
	if (attr.attr_set && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
					   &attr, sizeof(attr)) < 0)
		err(EXIT_SETUP, "cannot set mount flags%s on '%s'",
		    attr.attr_set & MOUNT_ATTR_IDMAP ? " (an idmapped mount)" : "",
		    src);
	return fd;
}

/*
 * What the container must not see or change of the kernel through /proc and
 * /sys, as runc and Docker hide it: files that show kernel memory, timers or
 * keys of the whole machine get /dev/null, directories an empty read-only
 * tmpfs; the knobs of the whole kernel (/proc/sys, sysrq-trigger, ...) are
 * read-only. Where a path does not exist on this kernel, nothing to do.
 */
static const char *const masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/timer_stats",
	"/proc/interrupts",
	"/proc/sched_debug", "/proc/latency_stats", "/proc/acpi", "/proc/asound",
	"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
};
static const char *const read_only[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs",
};

static void mount_fs(const char *type, const char *options, uint64_t attrs,
		     const char *path, enum make make);

static void protect_kernel_files(void)
{
	struct stat st;
	int fd;

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		fd = openat2_beneath(rootfd, masked[i] + 1, O_PATH);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0)
			err(EXIT_SETUP, "cannot mask '%s'", masked[i]);
		close(fd);
		if (S_ISDIR(st.st_mode))
			mount_fs("tmpfs", "size=0,mode=0555", MOUNT_ATTR_RDONLY |
				 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				 MOUNT_ATTR_NOEXEC, masked[i], EXISTING);
		else
			attach(clone_tree("/dev/null", MOUNT_ATTR_RDONLY |
					  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC),
			       "/dev/null", masked[i], EXISTING);
	}
	for (size_t i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY |
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };

		/* A read-only copy of it, mounted over itself. */
		fd = open_tree(rootfd, read_only[i] + 1, OPEN_TREE_CLONE |
			       OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
		if (fd < 0 && errno == ENOENT)
			continue;
		trace("open_tree(\"%s\") + mount_setattr(MOUNT_ATTR_RDONLY)",
		      read_only[i]);
		if (fd < 0 || mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
					    &ro, sizeof(ro)) < 0)
			err(EXIT_SETUP, "cannot make '%s' read-only", read_only[i]);
		attach(fd, read_only[i], read_only[i], EXISTING);
	}
}

/* A new filesystem of TYPE with "key=value,flag" OPTIONS, mounted at PATH. */
static void mount_fs(const char *type, const char *options, uint64_t attrs,
		     const char *path, enum make make)
{
	char opts[128], *opt, *save = NULL, *value;
	int fs, mnt;

	trace("fsopen(\"%s\") + fsconfig(\"%s\") + fsmount (see fsopen(2))",
	      type, options);
	fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		err(EXIT_SETUP, "cannot create a %s filesystem", type);
	snprintf(opts, sizeof(opts), "%s", options);
	for (opt = strtok_r(opts, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		value = strchr(opt, '=');
		if (value)
			*value++ = '\0';
		if (fsconfig(fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG,
			     opt, value, 0) < 0)
			err(EXIT_SETUP, "%s option '%s'", type, opt);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		err(EXIT_SETUP, "cannot create a %s filesystem", type);
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (mnt < 0)
		err(EXIT_SETUP, "cannot mount a %s filesystem", type);
	close(fs);
	attach(mnt, type, path, make);
}

static void make_symlink(const char *target, const char *path)
{
	int dev = open_target("/dev", EXISTING);

	trace("symlink(\"%s\", \"%s\")", target, path);
	if (symlinkat(target, dev, path + strlen("/dev/")) < 0)
		err(EXIT_SETUP, "cannot create '%s' in '%s'", path, rootfs);
	close(dev);
}

/* /dev: only what a program needs, nothing that reaches hardware. */
static void make_dev(void)
{
	static const char *const links[][2] = {
		{ "pts/ptmx", "/dev/ptmx" },	   { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" }, { "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
	};
	char host[32], path[32];

	/* nodev: a node made in /dev later (mknod) opens nothing. The
	 * devices below are bind mounts of their own, not files of this tmpfs. */
	mount_fs("tmpfs", "mode=755,size=64k", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		 MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME, "/dev", EXISTING);
	/* Bound from the host rather than made with mknod(2): the same code
	 * then works where mknod is not allowed (a user namespace). They are
	 * the host's own nodes: read-only mounts, so that root inside cannot
	 * chmod or chown them (reading and writing the devices still work). */
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(host, sizeof(host), "/dev/%s", devices[i]);
		snprintf(path, sizeof(path), "/dev/%s", devices[i]);
		attach(clone_tree(host, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				  MOUNT_ATTR_NOEXEC), host, path, MAKE_FILE);
	}
	mount_fs("devpts", "newinstance,ptmxmode=0666,mode=0620",
		 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts", MAKE_DIR);
	mount_fs("tmpfs", "mode=1777,size=65536k", MOUNT_ATTR_NOSUID |
		 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/dev/shm", MAKE_DIR);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		make_symlink(links[i][0], links[i][1]);
	/* A terminal on stdin (ptyexec's): /dev/console, so that ttyname()
	 * finds it in the container's /dev, as with docker run -t. */
	/* (By its name: the descriptor's mount is in the namespace we came
	 * from, and open_tree clones only mounts of our own.) */
	char tty[PATH_MAX];
	if (isatty(0) && ttyname_r(0, tty, sizeof(tty)) == 0)
		attach(clone_tree(tty, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				  MOUNT_ATTR_NOEXEC), tty, "/dev/console", MAKE_FILE);
}

/*
 * A volume's destination: absolute, below /, every component a name (not
 * empty, "." or ".."): "/." or "//" would mount over the container's /.
 */
static bool plain_path(const char *p)
{
	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (const char *c = p + 1;;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (c[n] == '\0')
			return true;
		c += n + 1;
	}
}

/* -b SRC:DST[:ro] */
static void bind_volume(char *spec)
{
	char *dst = strchr(spec, ':'), *mode, src[PATH_MAX];
	uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_IDMAP;

	if (!dst || dst == spec)
		errx(EXIT_SETUP, "invalid volume '%s': expected SRC:DST[:ro]", spec);
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			attrs |= MOUNT_ATTR_RDONLY;
		else if (strcmp(mode, "rw") != 0)
			errx(EXIT_SETUP, "invalid volume mode '%s': use ro or rw", mode);
	}
	if (!plain_path(dst))
		errx(EXIT_SETUP, "invalid volume destination '%s': it must be an "
				 "absolute path below /, without '..', '.' or '//'", dst);
	/* pivot mounts its own /proc, /sys and /dev over these. */
	for (const char *const *k = kernel_dirs; *k; k++) {
		size_t n = strlen(*k);
		if (strncmp(dst, *k, n) == 0 && (dst[n] == '\0' || dst[n] == '/'))
			errx(EXIT_SETUP, "invalid volume destination '%s': %s is "
					 "the container's own", dst, *k);
	}
	if (!realpath(spec, src))
		err(EXIT_SETUP, "invalid volume source '%s'", spec);
	attach(clone_tree(src, attrs), src, dst, EXISTING);
}

/*
 * Refuse to run in the host's mount namespace: pivot_root(2) there would move
 * the root of every process on the host. The host's namespace is the one of
 * PID 1 in /proc (still the host's /proc at this point). Where PID 1 cannot be
 * inspected (a sandbox that hides it from root), the initial mount namespace
 * still has a fixed inode number on Linux >= 6.x.
 */
#define PROC_MNT_INIT_INO 0xEFFFFFF8U
static void check_own_mount_ns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/mnt", &self) < 0)
		err(EXIT_SETUP, "cannot inspect mount namespaces in /proc");
	if (stat("/proc/1/ns/mnt", &init) < 0) {
		if (errno != EACCES)
			err(EXIT_SETUP, "cannot inspect mount namespaces in /proc");
		init = self;
		init.st_ino = PROC_MNT_INIT_INO;
	}
	if (self.st_ino == init.st_ino && self.st_dev == init.st_dev)
		errx(EXIT_SETUP, "refusing to run in the host's mount namespace, "
				 "where it would change the host's mounts: run it "
				 "under nsexec -m (or unshare -m)");
}

int main(int argc, char **argv)
{
	char *volumes[MAX_VOLUMES], path[PATH_MAX];
	int nvol = 0, opt;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:b:n:U:vh")) != -1) {
		switch (opt) {
		case 'U':
			userns_fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (userns_fd < 0)
				err(EXIT_SETUP, "cannot open user namespace '%s'",
				    optarg);
			break;
		case 'n': {
			uint64_t fd;
			if (parse_u64(optarg, &fd) < 0 || fd < 3 || fd > 1024)
				usage_error("invalid -n descriptor '%s'", optarg);
			if (fcntl((int)fd, F_GETFD) < 0)
				err(EXIT_SETUP, "-n %d", (int)fd);
			exec_notify_fd = (int)fd;
			break;
		}
		case 'b':
			if (nvol == MAX_VOLUMES)
				usage_error("too many volumes (at most %d)", MAX_VOLUMES);
			volumes[nvol++] = optarg;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	if (argc - optind < 2)
		usage_error(argc == optind ? "no root filesystem given"
					   : "no command given");
	rootfs = argv[optind];
	check_own_mount_ns();
	prepare_next(argv + optind + 1);
	if (!realpath(rootfs, path))
		err(EXIT_SETUP, "invalid root filesystem '%s'", rootfs);
	if (strcmp(path, "/") == 0)
		errx(EXIT_SETUP, "invalid root filesystem '%s': it is the host's "
				 "root", rootfs);

	/* 1. Nothing we mount from here on may propagate to the host. */
	trace_man("mount_namespaces(7)");
	trace("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		err(EXIT_SETUP, "cannot make '/' private");

	/* 2. The rootfs, bound on itself so it is a mount point. */
	int tree = clone_tree(path, MOUNT_ATTR_NODEV | MOUNT_ATTR_IDMAP);
	trace("move_mount(\"%s\", onto itself)", path);
	if (move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		err(EXIT_SETUP, "cannot bind '%s' onto itself", path);
	close(tree);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		err(EXIT_SETUP, "cannot open root filesystem '%s'", rootfs);

	/* 3. Volumes, then the kernel's filesystems. */
	for (int i = 0; i < nvol; i++)
		bind_volume(volumes[i]);
	mount_fs("proc", "", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		 MOUNT_ATTR_NOEXEC, "/proc", EXISTING);
	mount_fs("sysfs", "", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
		 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/sys", EXISTING);
	make_dev();
	protect_kernel_files();

	/* 4. Swap roots and let go of the old one. */
	trace("pivot_root(\".\", \".\") in %s (see pivot_root(2))", path);
	if (fchdir(rootfd) < 0)
		err(EXIT_SETUP, "cannot change directory to '%s'", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		err(EXIT_SETUP, "failed to change root to '%s'", rootfs);
	trace("umount2(\".\", MNT_DETACH) (see umount2(2))");
	if (umount2(".", MNT_DETACH) < 0)
		err(EXIT_SETUP, "cannot detach the old root");
	close(rootfd);

	/* 5. Start in the top-level directory of the new root. */
	if (chdir("/") < 0)
		err(EXIT_SETUP, "cannot change directory to '/'");
	exec_next(argv + optind + 1);
}
