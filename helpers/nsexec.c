/*
 * nsexec - run a command in new and/or existing namespaces.
 *
 *   nsexec [options] COMMAND [ARG]...
 *
 * A namespace gives a process its own copy of one kind of kernel resource:
 * its own mount table (mnt), hostname (uts), System V IPC (ipc), network stack
 * (net), process IDs (pid), user IDs (user) or cgroup root (cgroup). Each one
 * is a file under /proc/PID/ns/; setns(2) joins the namespace a file names and
 * unshare(2) makes new ones for the caller.
 *
 * The order matters:
 *   1. open every namespace file to join first: once we are in another mount
 *      namespace, the paths may no longer mean the same thing;
 *   2. setns() into each, then unshare() the new ones;
 *   3. set the hostname, which now changes only the new UTS namespace;
 *   4. a new PID namespace applies to children only (the caller keeps its
 *      PID), so fork: the child is PID 1 there. It becomes the container's
 *      init and forks COMMAND as PID 2. The parent stays on the host side,
 *      passes signals in, and exits as the container did.
 */
#include "common.h"
#include "sys.h"
#include "supervise.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <linux/sched.h>	/* struct clone_args, CLONE_INTO_CGROUP */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One row per namespace type, in the order they are joined (as nsenter). */
static struct ns {
	const char *name;	/* file name under /proc/PID/ns/ */
	int flag;		/* CLONE_NEW* */
	int opt;		/* short option that makes a new one */
	const char *flagname;	/* for -v */
	const char *join;	/* file to join, from --NAME=FILE or -t PID */
} namespaces[] = {
	{ "user",   CLONE_NEWUSER,   'U', "CLONE_NEWUSER",   NULL },
	{ "cgroup", CLONE_NEWCGROUP, 'C', "CLONE_NEWCGROUP", NULL },
	{ "ipc",    CLONE_NEWIPC,    'i', "CLONE_NEWIPC",    NULL },
	{ "uts",    CLONE_NEWUTS,    'u', "CLONE_NEWUTS",    NULL },
	{ "net",    CLONE_NEWNET,    'n', "CLONE_NEWNET",    NULL },
	{ "pid",    CLONE_NEWPID,    'p', "CLONE_NEWPID",    NULL },
	{ "mnt",    CLONE_NEWNS,     'm', "CLONE_NEWNS",     NULL },
};
#define NNS (sizeof(namespaces) / sizeof(namespaces[0]))

static noreturn void usage(void)
{
	puts("Usage: nsexec [options] COMMAND [ARG]...\n"
	     "Run COMMAND in new and/or existing namespaces.\n"
	     "\n"
	     "New namespaces:\n"
	     "  -m, -u, -i, -n, -p, -C   mount, UTS, IPC, network, PID, cgroup\n"
	     "\n"
	     "Join existing namespaces (FILE as /proc/PID/ns/net or /run/netns/NAME):\n"
	     "  --mnt=FILE --uts=FILE --ipc=FILE --net=FILE --pid=FILE --cgroup=FILE\n"
	     "  --user=FILE\n"
	     "  -t PID                   join every namespace of process PID, and\n"
	     "                           its root directory\n"
	     "\n"
	     "Other options:\n"
	     "  --hostname=NAME          set the hostname (needs -u)\n"
	     "  --keep-fd=FD             pass descriptor FD to COMMAND (repeatable);\n"
	     "                           with -p or a joined PID namespace, all\n"
	     "                           others but 0, 1 and 2 are closed\n"
	     "  --hold-fd=FD             the host-side process keeps FD open\n"
	     "                           (repeatable); it closes all others\n"
	     "  --pidfile=FILE           write the host PID of the container's\n"
	     "                           PID 1 (or of COMMAND) to FILE\n"
	     "  --into-cgroup=DIR        with -p: start COMMAND in the cgroup v2\n"
	     "                           directory DIR (clone3 CLONE_INTO_CGROUP),\n"
	     "                           the init staying where it is\n"
	     "  -k SECONDS               after forwarding SIGTERM or SIGHUP, SIGKILL\n"
	     "                           the container when it is still running\n"
	     "                           SECONDS later (default 10; 0: never)\n"
	     "  -v                       print each system call made\n"
	     "  -h                       print this help\n"
	     "\n"
	     "With a new PID namespace, PID 1 is a minimal init that reaps orphans\n"
	     "and forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and\n"
	     "SIGWINCH to COMMAND; nsexec exits with COMMAND's status, or dies of\n"
	     "the same signal. Exit status 125: nsexec failed; 126/127: COMMAND\n"
	     "not executable / not found.");
	exit(0);
}

/* Text of the CLONE_NEW* flags, for -v. */
static const char *flag_names(int flags)
{
	static char buf[160];

	buf[0] = '\0';
	for (size_t i = 0; i < NNS; i++) {
		if (!(flags & namespaces[i].flag))
			continue;
		if (buf[0])
			strcat(buf, "|");
		strcat(buf, namespaces[i].flagname);
	}
	return buf;
}

/*
 * Rename ourselves "init" in ps: our argv holds the whole host-side command
 * line (host paths included), which is none of the container's business.
 */
static void set_title(int argc, char **argv, const char *title)
{
	static char self[] = "nsexec";
	char *end = argv[argc - 1] + strlen(argv[argc - 1]);

	/* err(3) and trace() name us through argv[0], about to be cleared */
	program_invocation_name = program_invocation_short_name = self;
	memset(argv[0], 0, (size_t)(end - argv[0]));
	strncpy(argv[0], title, (size_t)(end - argv[0]));
	if (prctl(PR_SET_NAME, title, 0, 0, 0) < 0)
		warn("prctl(PR_SET_NAME)");
}

/*
 * The caller's descriptors that --keep-fd passes to COMMAND, and those that
 * --hold-fd leaves to the host-side process (the container's locks).
 */
#define MAX_FDS 4
struct fdset { int fd[MAX_FDS + 1], n; };
static struct fdset keep, hold;

/* Insertion sort: close_except() wants them in order. */
static void insert_fd(struct fdset *set, int fd)
{
	int i;

	for (i = set->n++; i > 0 && set->fd[i - 1] > fd; i--)
		set->fd[i] = set->fd[i - 1];
	set->fd[i] = fd;
}

static void add_fd(struct fdset *set, const char *opt, const char *arg)
{
	uint64_t fd;

	if (parse_u64(arg, &fd) < 0 || fd < 3 || fd > 1024)
		usage_error("invalid %s '%s': a descriptor from 3", opt, arg);
	if (set->n == MAX_FDS)
		usage_error("too many %s (at most %d)", opt, MAX_FDS);
	if (fcntl((int)fd, F_GETFD) < 0)
		err(EXIT_SETUP, "%s %d", opt, (int)fd);
	insert_fd(set, (int)fd);
}

/* Close (or, with CLOSE_RANGE_CLOEXEC, mark) every descriptor from 3 up but
 * those in the sorted set. */
static void close_except(const struct fdset *set, unsigned flags)
{
	unsigned from = 3;

	for (int i = 0; i < set->n; i++) {
		if ((unsigned)set->fd[i] > from &&
		    close_range(from, (unsigned)set->fd[i] - 1, flags) < 0)
			err(EXIT_SETUP, "close_range");
		from = (unsigned)set->fd[i] + 1;
	}
	if (close_range(from, ~0U, flags) < 0)
		err(EXIT_SETUP, "close_range");
}

/*
 * The init only waits and passes signals on: of root's powers it keeps just
 * CAP_KILL (to signal COMMAND when that runs under another user ID, -U).
 * Whatever reaches the init cannot do more than the container itself.
 */
static void init_caps(void)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };

	data[0].effective = data[0].permitted = 1U << CAP_KILL;
	trace("init: capset(permitted = effective = CAP_KILL)");
	if (syscall(SYS_capset, &head, data) < 0)
		err(EXIT_SETUP, "init: capset");
}

/*
 * --into-cgroup: COMMAND is born in that cgroup, with clone3(2)'s
 * CLONE_INTO_CGROUP. Moving a process by writing its PID to cgroup.procs
 * (setcg's way) waits for an RCU grace period, 15 to 25 ms of every start;
 * a process created there costs nothing more than a fork.
 */
static const char *into_cgroup;
static int cgroup_fd = -1;

static pid_t spawn_command(void)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	long pid;

	if (cgroup_fd < 0)
		return fork();
	/* The child only resets its signals and execs: after a bare clone3,
	 * the C library still holds the parent's thread ID. */
	trace("init: clone3(CLONE_INTO_CGROUP, \"%s\") (see clone(2))", into_cgroup);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid >= 0)
		return (pid_t)pid;
	if (errno == EBUSY)
		errx(EXIT_SETUP, "cannot start COMMAND in cgroup '%s': it hands "
		     "controllers to cgroups below it, and cgroup v2 keeps "
		     "processes in leaves", into_cgroup);
	err(EXIT_SETUP, "cannot start COMMAND in cgroup '%s' (a cgroup v2 "
	    "directory is needed, on Linux 5.7 or later)", into_cgroup);
}

/*
 * PID 1 of the new namespace: run COMMAND as PID 2 and supervise it. The
 * signals are still blocked from before the fork, so none is lost.
 */
static noreturn void run_init(int argc, char **argv, char **command)
{
	/*
	 * Our working directory is still the caller's, on the host. pivot_root
	 * moves only the directories that are the old root itself, so keeping
	 * it would leave /proc/1/cwd as a door to the host's files, and pin the
	 * old root. Leave it before COMMAND can pivot_root; COMMAND goes back
	 * to it (a relative ROOTFS for pivot is relative to it).
	 */
	int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	pid_t pid;

	if (cwd < 0)
		err(EXIT_SETUP, "cannot open the working directory");
	if (chdir("/") < 0)
		err(EXIT_SETUP, "cannot change directory to '/'");
	pid = spawn_command();
	if (pid < 0)
		err(EXIT_SETUP, "fork");
	if (pid == 0) {
		if (fchdir(cwd) < 0)
			err(EXIT_SETUP, "cannot return to the working directory");
		reset_signals();
		exec_next(command);
	}
	trace("init: PID 1 in the new PID namespace, COMMAND is PID %d",
	      (int)pid);
	/* The init needs none of the caller's descriptors: not holding the
	 * --keep-fd ones lets COMMAND's exec close them for good. */
	if (close_range(3, ~0U, 0) < 0)
		err(EXIT_SETUP, "close_range");
	set_title(argc, argv, "init");
	init_caps();
	supervise(pid, 1, 0);
}

/*
 * The child must not outlive the host-side parent: the parent holds the
 * container's locks, and a container nobody waits for would be invisible to
 * cleanup. PR_SET_PDEATHSIG does that, but only from the moment it is set;
 * the pipe tells whether the parent had already died before that.
 */
static void die_with_parent(int pipe_rd)
{
	struct pollfd p = { .fd = pipe_rd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		err(EXIT_SETUP, "prctl(PR_SET_PDEATHSIG)");
	if (poll(&p, 1, 0) < 0)
		err(EXIT_SETUP, "poll");
	if (p.revents & (POLLHUP | POLLIN))
		_exit(EXIT_SETUP);
	close(pipe_rd);
}

/*
 * The pid file is opened before anything is joined or unshared: once the
 * container has done pivot_root, even this host-side process, which shares
 * its mount namespace, sees the container's files at the path.
 */
static int pidfile_fd = -1;
static const char *pidfile;

static void open_pidfile(void)
{
	pidfile_fd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pidfile_fd < 0)
		err(EXIT_SETUP, "cannot open pid file '%s'", pidfile);
}

static void write_pidfile(pid_t pid)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);

	if (write(pidfile_fd, buf, (size_t)len) != len || close(pidfile_fd) < 0)
		err(EXIT_SETUP, "cannot write pid file '%s'", pidfile);
}

/*
 * Fork into the PID namespace (made or joined). The child is PID 1 of a new
 * namespace, or a member of the joined one; the parent supervises it.
 */
static noreturn void fork_into(int argc, char **argv, char **command,
			       unsigned kill_after)
{
	sigset_t set;
	int sync[2];
	pid_t child;

	/*
	 * Not dumpable: this is a host binary, and its child (the container's
	 * init) goes on running it inside. Nobody without CAP_SYS_PTRACE may
	 * then open /proc/PID/exe, a way to the host's binary (CVE-2019-5736).
	 * COMMAND's exec makes COMMAND dumpable again.
	 */
	trace("prctl(PR_SET_DUMPABLE, 0)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		err(EXIT_SETUP, "prctl(PR_SET_DUMPABLE)");
	/* Block the signals we forward first, so that any sent from now on
	 * waits for the supervisor loop. */
	forwarded_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		err(EXIT_SETUP, "sigprocmask");
	/* SIGCHLD ignored by our caller would make the kernel reap for us. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		err(EXIT_SETUP, "signal(SIGCHLD)");
	if (pipe2(sync, O_CLOEXEC) < 0)
		err(EXIT_SETUP, "pipe2");
	trace("fork() (see pid_namespaces(7))");
	child = fork();
	if (child < 0)
		err(EXIT_SETUP, "fork");
	if (child == 0) {
		close(sync[1]);
		if (pidfile_fd >= 0)
			close(pidfile_fd);
		die_with_parent(sync[0]);
		/*
		 * Nothing of the caller's but stdin, stdout, stderr and the
		 * --keep-fd ones goes in: an inherited descriptor is a door
		 * back to the host. Closed by COMMAND's exec (close-on-exec),
		 * not now: the next helper may be held open until then.
		 */
		close_except(&keep, CLOSE_RANGE_CLOEXEC);
		if (getpid() == 1)
			run_init(argc, argv, command);
		reset_signals();
		exec_next(command);
	}
	close(sync[0]);
	if (pidfile)
		write_pidfile(child);
	/*
	 * This process lives as long as the container: it keeps the --hold-fd
	 * descriptors and the write end of the pipe its child watches, and
	 * nothing else of the caller's (a pipe held open here would keep the
	 * caller's reader waiting, a kept descriptor would stay open).
	 */
	struct fdset mine = hold;

	insert_fd(&mine, sync[1]);
	close_except(&mine, 0);
	supervise(child, 0, kill_after);
}

/*
 * With -t PID, also take PID's root directory: joining its mount namespace
 * alone puts us at the namespace's first root, which pivot_root left behind.
 */
static void enter_root(int rootfd)
{
	trace("fchdir(root of the target) + chroot(\".\") (see chroot(2))");
	if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		err(EXIT_SETUP, "cannot enter the root directory of the target");
	close(rootfd);
}

int main(int argc, char **argv)
{
	enum { OPT_HOSTNAME = 256, OPT_KEEP, OPT_HOLD, OPT_PIDFILE, OPT_CGROUP,
	       OPT_JOIN = 512 };
	struct option longopts[NNS + 6];
	const char *hostname = NULL, *target = NULL;
	unsigned kill_after = 10;
	uint64_t n;
	int unshare_flags = 0, join_fds[NNS], opt, rootfd = -1;
	int join_pid = 0;

	for (size_t i = 0; i < NNS; i++)
		longopts[i] = (struct option){ namespaces[i].name,
					       required_argument, NULL,
					       OPT_JOIN + (int)i };
	longopts[NNS] = (struct option){ "hostname", required_argument, NULL,
					 OPT_HOSTNAME };
	longopts[NNS + 1] = (struct option){ "keep-fd", required_argument, NULL,
					     OPT_KEEP };
	longopts[NNS + 2] = (struct option){ "pidfile", required_argument, NULL,
					     OPT_PIDFILE };
	longopts[NNS + 3] = (struct option){ "hold-fd", required_argument, NULL,
					     OPT_HOLD };
	longopts[NNS + 4] = (struct option){ "into-cgroup", required_argument,
					     NULL, OPT_CGROUP };
	longopts[NNS + 5] = (struct option){ 0 };

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:muinpCUt:k:vh", longopts,
				  NULL)) != -1) {
		if (opt >= OPT_JOIN) {
			namespaces[opt - OPT_JOIN].join = optarg;
			continue;
		}
		switch (opt) {
		case OPT_HOSTNAME: hostname = optarg; break;
		case OPT_KEEP: add_fd(&keep, "--keep-fd", optarg); break;
		case OPT_HOLD: add_fd(&hold, "--hold-fd", optarg); break;
		case OPT_PIDFILE: pidfile = optarg; break;
		case OPT_CGROUP: into_cgroup = optarg; break;
		case 't':
			if (parse_u64(optarg, &n) < 0 || n == 0 || n > INT32_MAX)
				usage_error("invalid -t PID '%s'", optarg);
			target = optarg;
			break;
		case 'k':
			if (parse_u64(optarg, &n) < 0 || n > 86400)
				usage_error("invalid -k seconds '%s'", optarg);
			kill_after = (unsigned)n;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		case ':':
		case '?': bad_option(opt, argc, argv);
		default:
			for (size_t i = 0; i < NNS; i++)
				if (opt == namespaces[i].opt)
					unshare_flags |= namespaces[i].flag;
		}
	}
	if (optind >= argc)
		usage_error("no command given");
	if (unshare_flags & CLONE_NEWUSER)
		errx(EXIT_SETUP, "-U: a new user namespace needs ID mappings, "
				 "which nsexec does not write yet");
	if (hostname && !(unshare_flags & CLONE_NEWUTS))
		usage_error("--hostname needs a new UTS namespace (-u): "
			    "it would rename the host");
	if (into_cgroup && !(unshare_flags & CLONE_NEWPID))
		usage_error("--into-cgroup needs a new PID namespace (-p): "
			    "its init starts COMMAND");

	/* 1. Open everything to join before joining anything. */
	trace_man("namespaces(7)");
	prepare_next(argv + optind);
	if (pidfile)
		open_pidfile();
	if (into_cgroup) {
		cgroup_fd = open(into_cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cgroup_fd < 0)
			err(EXIT_SETUP, "cannot open cgroup '%s'", into_cgroup);
	}
	for (size_t i = 0; i < NNS; i++) {
		char path[64];
		const char *file = namespaces[i].join;
		struct stat ours, theirs;

		join_fds[i] = -1;
		if (!file && target) {
			snprintf(path, sizeof(path), "/proc/%s/ns/%s", target,
				 namespaces[i].name);
			file = path;
		}
		if (!file)
			continue;
		join_fds[i] = open(file, O_RDONLY | O_CLOEXEC);
		if (join_fds[i] < 0)
			err(EXIT_SETUP, "cannot open namespace '%s'", file);
		/* With -t, skip the ones we already share (setns of our own
		 * user namespace is an error). */
		snprintf(path, sizeof(path), "/proc/self/ns/%s",
			 namespaces[i].name);
		if (target && !namespaces[i].join && stat(path, &ours) == 0 &&
		    fstat(join_fds[i], &theirs) == 0 &&
		    ours.st_ino == theirs.st_ino && ours.st_dev == theirs.st_dev) {
			close(join_fds[i]);
			join_fds[i] = -1;
		}
	}
	if (target) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%s/root", target);
		rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			err(EXIT_SETUP, "cannot open '%s'", path);
	}

	/* 2. Join, then make the new ones. */
	for (size_t i = 0; i < NNS; i++) {
		char from_pid[64];
		const char *file = namespaces[i].join;

		if (join_fds[i] < 0)
			continue;
		if (!file) {
			snprintf(from_pid, sizeof(from_pid), "/proc/%s/ns/%s",
				 target, namespaces[i].name);
			file = from_pid;
		}
		trace("setns(fd of %s, %s) (see setns(2))", file,
		      namespaces[i].flagname);
		if (setns(join_fds[i], namespaces[i].flag) < 0)
			err(EXIT_SETUP, "cannot join %s namespace '%s'",
			    namespaces[i].name, file);
		close(join_fds[i]);
		if (namespaces[i].flag == CLONE_NEWPID)
			join_pid = 1;
	}
	if (rootfd >= 0)
		enter_root(rootfd);
	if (unshare_flags) {
		trace("unshare(%s) (see unshare(2))", flag_names(unshare_flags));
		if (unshare(unshare_flags) < 0)
			err(EXIT_SETUP, "unshare(%s)", flag_names(unshare_flags));
	}

	/*
	 * A new mount namespace starts as a copy whose mounts may still be
	 * "shared" with the host's (systemd makes / shared): a mount made here
	 * would then appear on the host too. Make them private, as unshare(1)
	 * does by default.
	 */
	if (unshare_flags & CLONE_NEWNS) {
		trace("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL) "
		      "(see mount_namespaces(7))");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			err(EXIT_SETUP, "cannot make '/' private");
	}

	/* 3. The hostname belongs to the UTS namespace we just made. */
	if (hostname) {
		trace("sethostname(\"%s\") (see sethostname(2))", hostname);
		if (sethostname(hostname, strlen(hostname)) < 0)
			err(EXIT_SETUP, "cannot set hostname '%s'", hostname);
	}

	/* 4. A PID namespace applies to children only: fork into it. */
	if ((unshare_flags & CLONE_NEWPID) || join_pid)
		fork_into(argc, argv, argv + optind, kill_after);
	if (pidfile)
		write_pidfile(getpid());
	exec_next(argv + optind);
}
