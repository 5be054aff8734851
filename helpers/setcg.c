/*
 * setcg - run a command in a cgroup with memory, CPU and process limits.
 *
 * Namespaces decide what a container can see; control groups (cgroups)
 * decide how much it can use. A cgroup is a directory in a special file
 * system under /sys/fs/cgroup: making the directory makes the group, writing
 * a number into one of its files sets a limit (memory.max, pids.max, ...),
 * and writing a process id into its cgroup.procs moves that process in. The
 * children the process forks afterwards are born in the same group, so a
 * whole container is held by the limits of the one process that joined.
 *
 * Linux has two versions of the interface:
 *
 *   v1      one hierarchy (one mounted tree) per controller:
 *           /sys/fs/cgroup/memory/mkc/host-1, /sys/fs/cgroup/pids/mkc/host-1
 *   v2      a single tree for every controller, /sys/fs/cgroup/mkc/host-1;
 *           a parent must hand a controller down to its children by writing
 *           "+memory" into its cgroup.subtree_control
 *   hybrid  v1 trees for the controllers plus a v2 tree at
 *           /sys/fs/cgroup/unified that holds whichever controllers v1 left
 *
 * So setcg detects once, at run time, which version each controller it uses
 * is mounted with, and keeps the differing file names in one table (knobs[])
 * instead of asking "v1 or v2?" all over the code, as crun's cgroup-utils.c
 * does. See cgroups(7) and the kernel's Documentation/admin-guide/cgroup-v2.rst.
 */
#include "common.h"

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_FS "/sys/fs/cgroup"
#define CPU_PERIOD_US 100000 /* 100 ms: the kernel's default CFS period */
#define PID_MAX_LIMIT 4194304 /* the kernel refuses a larger pids.max */
#define REMOVE_TIMEOUT_MS 10000

enum ctl { MEMORY, CPU, CPUACCT, PIDS, NCTL };

/* One mounted hierarchy, and the cgroup CGROUP inside it. */
struct hier {
	char root[64];		/* its mount point */
	int version;		/* 1 or 2 */
	dev_t dev;		/* co-mounted controllers share one tree */
	char dir[PATH_MAX];	/* root/CGROUP */
	int made_from, made_to;	/* depths of the dirs this run made, or 0 */
	bool joined;
};

static struct {
	const char *name;
	int version;		/* 0: not available on this host */
	struct hier *h;
} ctls[NCTL] = {
	{ .name = "memory" }, { .name = "cpu" }, { .name = "cpuacct" }, { .name = "pids" },
};

static struct hier hiers[NCTL];
static int nhiers;
static const char *cgroup;	/* the CGROUP operand, e.g. "mkc/host-1" */
static int depth;		/* its number of components */

/*
 * The one place where v1 and v2 differ in file names and formats. Entries
 * with a key are printed by -s: "field" picks a "field N" line, "word" the
 * N-th word (cpu.max is "QUOTA PERIOD"), "div" scales (v1 counts ns).
 */
struct file { const char *name, *field; int word; unsigned div; };
enum knob_id {
	MEM_LIMIT, MEM_CURRENT, MEM_PEAK, MEM_OOM, CPU_QUOTA, CPU_PERIOD,
	CPU_USAGE, PIDS_CURRENT, PIDS_MAX, MEM_SWAP, MEM_SWAPPINESS,
	MEM_OOM_GROUP, NKNOB
};
static const struct knob {
	const char *key;
	enum ctl ctl;
	struct file v1, v2;
} knobs[NKNOB] = {
	[MEM_LIMIT] = { "memory.limit", MEMORY,
		{ "memory.limit_in_bytes" }, { "memory.max" } },
	[MEM_CURRENT] = { "memory.current", MEMORY,
		{ "memory.usage_in_bytes" }, { "memory.current" } },
	[MEM_PEAK] = { "memory.peak", MEMORY,
		{ "memory.max_usage_in_bytes" }, { "memory.peak" } },
	[MEM_OOM] = { "memory.oom_kills", MEMORY,
		{ "memory.oom_control", "oom_kill" },
		{ "memory.events", "oom_kill" } },
	[CPU_QUOTA] = { "cpu.quota_usec", CPU,
		{ "cpu.cfs_quota_us" }, { "cpu.max", .word = 1 } },
	[CPU_PERIOD] = { "cpu.period_usec", CPU,
		{ "cpu.cfs_period_us" }, { "cpu.max", .word = 2 } },
	[CPU_USAGE] = { "cpu.usage_usec", CPUACCT,
		{ "cpuacct.usage", .div = 1000 }, { "cpu.stat", "usage_usec" } },
	[PIDS_CURRENT] = { "pids.current", PIDS,
		{ "pids.current" }, { "pids.current" } },
	[PIDS_MAX] = { "pids.max", PIDS, { "pids.max" }, { "pids.max" } },
	[MEM_SWAP] = { NULL, MEMORY,
		{ "memory.memsw.limit_in_bytes" }, { "memory.swap.max" } },
	[MEM_SWAPPINESS] = { NULL, MEMORY, { "memory.swappiness" }, { NULL } },
	[MEM_OOM_GROUP] = { NULL, MEMORY, { NULL }, { "memory.oom.group" } },
};

static noreturn void usage(void)
{
	printf("Usage: setcg [-v] [-m SIZE] [-c CPUS] [-p N] [-C|-n] CGROUP COMMAND [ARG]...\n"
	       "       setcg [-v] -j [-C] CGROUP COMMAND [ARG]...\n"
	       "       setcg [-v] -r [-f] CGROUP [COMMAND [ARG]...]\n"
	       "       setcg -s CGROUP\n"
	       "\n"
	       "Create (or reuse) CGROUP, a relative path such as mkc/host-1, in the\n"
	       "memory, cpu and pids hierarchies, write its limits, move this process\n"
	       "into it and execute COMMAND. Works on cgroup v1, v2 and hybrid hosts.\n"
	       "\n"
	       "  -m SIZE  memory limit: bytes, or with suffix K, M or G; no swap\n"
	       "  -c CPUS  CPU limit in cores, e.g. 0.5 (quota per 100 ms period)\n"
	       "  -p N     maximum number of processes (1 to %d)\n"
	       "  -C       new cgroup namespace: COMMAND sees its cgroup as /\n"
	       "  -n       make CGROUP with its limits but do not move in: the\n"
	       "           next command starts a process there (nsexec\n"
	       "           --into-cgroup, cgroup v2: no grace period to wait)\n"
	       "  -j       join CGROUP as it is, only if it exists; make nothing\n"
	       "  -r       remove CGROUP: kill its processes, wait until it is empty,\n"
	       "           remove it and then its empty parents; refuses systemd's\n"
	       "           cgroups (*.slice, *.scope, ...) and the one setcg runs in;\n"
	       "           then execute COMMAND, if given\n"
	       "  -f       with -r: a missing CGROUP is not an error\n"
	       "  -s       print CGROUP's limits and usage, one \"key value\" a line\n"
	       "  -v       trace every change made to the system\n"
	       "  -h       print this help and exit\n"
	       "\n"
	       "Exit status: COMMAND's; 125 if setcg failed, 126 if COMMAND could\n"
	       "not be executed, 127 if it was not found.\n", PID_MAX_LIMIT);
	exit(0);
}

/* Build a path in a PATH_MAX buffer; too long is an error, never truncated. */
__attribute__((format(printf, 2, 3)))
static void fmt_path(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		errx(EXIT_SETUP, "path too long for CGROUP '%s'", cgroup);
}

/* root/ plus the first n components of CGROUP. */
static void cg_path(char *buf, const struct hier *h, int n)
{
	const char *end = cgroup;

	for (int i = 0; i < n; i++) {
		end += strcspn(end, "/");
		if (i + 1 < n)
			end++;
	}
	fmt_path(buf, "%s%s%.*s", h->root, n ? "/" : "", (int)(end - cgroup),
		 cgroup);
}

/* A relative path of plain names: it must never climb out of the tree. */
static void check_name(const char *name)
{
	size_t len = 0;

	for (const char *p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			if (len == 0 || (len <= 2 && !strncmp(p - len, "..", len)))
				usage_error("invalid CGROUP '%s': want a relative path "
					    "of names such as mkc/host-1", name);
			depth++;
			if (*p == '\0')
				break;
			len = 0;
		} else if (isalnum((unsigned char)*p) || strchr("._-", *p)) {
			len++;
		} else {
			usage_error("invalid CGROUP '%s': only letters, digits, "
				    "'.', '_', '-' and '/' are allowed", name);
		}
	}
}

static long fs_type(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) == 0)
		return (long)st.f_type;
	if (errno != ENOENT)
		err(EXIT_SETUP, "cannot statfs '%s'", path);
	return 0;
}

static bool v2_has(const char *root, const char *name)
{
	char path[PATH_MAX], buf[512], *save = NULL;

	fmt_path(path, "%s/cgroup.controllers", root);
	if (read_file(path, buf, sizeof(buf)) < 0)
		err(EXIT_SETUP, "cannot read '%s'", path);
	for (char *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		if (!strcmp(w, name))
			return true;
	return false;
}

static struct hier *add_hier(const char *root, int version)
{
	struct stat st;
	struct hier *h;

	if (stat(root, &st) < 0)
		err(EXIT_SETUP, "cannot stat '%s'", root);
	for (h = hiers; h < hiers + nhiers; h++)
		if (h->dev == st.st_dev)
			return h;
	h = &hiers[nhiers++];
	snprintf(h->root, sizeof(h->root), "%s", root);
	h->version = version;
	h->dev = st.st_dev;
	cg_path(h->dir, h, depth);
	return h;
}

/* Fill ctls[] and hiers[]: which version, which tree, for each controller. */
static void detect(void)
{
	long type = fs_type(CGROUP_FS);
	const char *v2root = NULL;
	char path[PATH_MAX];

	if (type == CGROUP2_SUPER_MAGIC)
		v2root = CGROUP_FS;
	else if (type != TMPFS_MAGIC)
		errx(EXIT_SETUP, "no cgroup file system at '%s'", CGROUP_FS);
	else if (fs_type(CGROUP_FS "/unified") == CGROUP2_SUPER_MAGIC)
		v2root = CGROUP_FS "/unified";

	for (int c = 0; c < NCTL; c++) {
		fmt_path(path, "%s/%s", CGROUP_FS, ctls[c].name);
		if (type == TMPFS_MAGIC && fs_type(path) == CGROUP_SUPER_MAGIC) {
			ctls[c].version = 1;
			ctls[c].h = add_hier(path, 1);
		} else if (v2root && c != CPUACCT && v2_has(v2root, ctls[c].name)) {
			ctls[c].version = 2;
			ctls[c].h = add_hier(v2root, 2);
		}
	}
	/* v2 has no cpuacct: CPU time is in cpu.stat, next to the cpu files. */
	if (!ctls[CPUACCT].version && ctls[CPU].version == 2) {
		ctls[CPUACCT].version = 2;
		ctls[CPUACCT].h = ctls[CPU].h;
	}
}

static const struct file *knob_file(enum knob_id k)
{
	const struct file *f = ctls[knobs[k].ctl].version == 1 ? &knobs[k].v1
							      : &knobs[k].v2;
	return ctls[knobs[k].ctl].version && f->name ? f : NULL;
}

static bool knob_exists(enum knob_id k)
{
	const struct file *f = knob_file(k);
	char path[PATH_MAX];

	if (!f)
		return false;
	fmt_path(path, "%s/%s", ctls[knobs[k].ctl].h->dir, f->name);
	return access(path, F_OK) == 0;
}

/* Every change setcg makes to a cgroup goes through here, traced. */
__attribute__((format(printf, 3, 4)))
static void cg_write(const char *dir, const char *file, const char *fmt, ...)
{
	char path[PATH_MAX], value[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	fmt_path(path, "%s/%s", dir, file);
	trace("write(\"%s\", \"%s\")", path, value);
	write_file(path, "%s", value);
}

#define knob_write(k, ...) \
	cg_write(ctls[knobs[k].ctl].h->dir, knob_file(k)->name, __VA_ARGS__)

/*
 * mkdir -p, one hierarchy. Another setcg -r may remove an empty parent (say
 * a/ of a/b and a/c) between our mkdir of it and of its child: ENOENT then
 * means "start over".
 */
static void make_dirs(struct hier *h)
{
	char path[PATH_MAX];
	struct stat st;

	for (int attempt = 1;; attempt++) {
		int n;

		for (n = 1; n <= depth; n++) {
			cg_path(path, h, n);
			if (mkdir(path, 0755) == 0) {
				trace("mkdir(\"%s\", 0755)", path);
				if (!h->made_from || n < h->made_from)
					h->made_from = n;
				if (n > h->made_to)
					h->made_to = n;
			} else if (errno == ENOENT && attempt < 5) {
				break;
			} else if (errno != EEXIST || stat(path, &st) < 0 ||
				   !S_ISDIR(st.st_mode)) {
				err(EXIT_SETUP, "cannot create '%s'", path);
			}
		}
		if (n > depth)
			return;
	}
}

/* v2 only: each ancestor must delegate the controllers to its children. */
static void enable_controllers(const struct hier *h)
{
	char list[64] = "", path[PATH_MAX];

	for (int c = MEMORY; c < NCTL; c++)
		if (ctls[c].h == h && c != CPUACCT)
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s+%s", *list ? " " : "", ctls[c].name);
	for (int n = 0; n < depth && *list; n++) {
		cg_path(path, h, n);
		cg_write(path, "cgroup.subtree_control", "%s", list);
	}
}

static void set_limits(uint64_t mem, uint64_t quota, uint64_t pids)
{
	if (mem && ctls[MEMORY].version == 1 && knob_exists(MEM_SWAP)) {
		/* v1 insists memsw >= limit at every step, whatever was there. */
		knob_write(MEM_SWAP, "-1");
		knob_write(MEM_LIMIT, "%llu", (unsigned long long)mem);
		knob_write(MEM_SWAP, "%llu", (unsigned long long)mem);
	} else if (mem && ctls[MEMORY].version == 1) {
		/* Kernel without swap accounting: the best is not to swap. */
		knob_write(MEM_LIMIT, "%llu", (unsigned long long)mem);
		knob_write(MEM_SWAPPINESS, "0");
	} else if (mem) {
		knob_write(MEM_LIMIT, "%llu", (unsigned long long)mem);
		if (knob_exists(MEM_SWAP))
			knob_write(MEM_SWAP, "0");
		/* An OOM kill takes the whole container, not one random part. */
		if (knob_exists(MEM_OOM_GROUP))
			knob_write(MEM_OOM_GROUP, "1");
	}
	if (quota && ctls[CPU].version == 1) {
		knob_write(CPU_PERIOD, "%d", CPU_PERIOD_US);
		knob_write(CPU_QUOTA, "%llu", (unsigned long long)quota);
	} else if (quota) {
		knob_write(CPU_QUOTA, "%llu %d", (unsigned long long)quota,
			   CPU_PERIOD_US);
	}
	if (pids)
		knob_write(PIDS_MAX, "%llu", (unsigned long long)pids);
}

/*
 * rmdir the cgroup's first n components, deepest first, down to depth keep,
 * until one is still in use (by another container).
 */
static int prune(const struct hier *h, int n, int keep)
{
	char path[PATH_MAX];

	for (; n > keep; n--) {
		cg_path(path, h, n);
		trace("rmdir(\"%s\")", path);
		if (rmdir(path) < 0 && errno != ENOENT)
			return errno == ENOTEMPTY || errno == EBUSY ? 0 : -1;
	}
	return 0;
}

/*
 * Move ourselves into the cgroup DIR of hierarchy H. cgroup.procs moves a
 * whole process, under a global lock whose write side waits for an RCU grace
 * period: some 15 ms, in every start. On v1, writing 0 to "tasks" moves just
 * the calling thread, which recent kernels do without that lock (6.18 here):
 * for us, with one thread, it is the same move. v2 moves single threads only
 * inside threaded subtrees, so there the whole process goes.
 */
static void join(const struct hier *h, const char *dir)
{
	char path[PATH_MAX];

	if (h->version == 1) {
		cg_write(dir, "tasks", "0");
		return;
	}
	fmt_path(path, "%s/cgroup.procs", dir);
	trace("write(\"%s\", \"%d\")", path, (int)getpid());
	if (try_write_file(path, "%d", (int)getpid()) == 0)
		return;
	if (errno == EBUSY)
		errx(EXIT_SETUP, "cannot move into '%s': it hands controllers to "
		     "cgroups below it, and cgroup v2 keeps processes in leaves", dir);
	err(EXIT_SETUP, "cannot write '%s'", path);
}

/*
 * Run at exit while armed: a failed setup leaves nothing behind. A cgroup
 * with a process in it cannot be removed, so first step back out to the root.
 */
static bool armed;
static void rollback(void)
{
	char path[PATH_MAX];

	for (struct hier *h = hiers; armed && h < hiers + nhiers; h++) {
		if (h->joined) {
			fmt_path(path, "%s/%s", h->root,
				 h->version == 1 ? "tasks" : "cgroup.procs");
			if (try_write_file(path, "%d", getpid()) < 0)
				warn("cannot write '%s'", path);
		}
		if (h->made_from && prune(h, h->made_to, h->made_from - 1) < 0)
			warn("cannot remove '%s'", h->dir);
	}
}

/*
 * -j: join CGROUP as it is, in every hierarchy where it exists, and make
 * nothing: a cgroup that is gone (its container ended) must not come back.
 */
static noreturn void join_existing(char **cmd, bool newns)
{
	bool found = false;

	for (struct hier *h = hiers; h < hiers + nhiers; h++) {
		if (access(h->dir, F_OK) < 0) {
			if (errno == ENOENT)
				continue;
			err(EXIT_SETUP, "cannot access '%s'", h->dir);
		}
		found = true;
		join(h, h->dir);
	}
	if (!found)
		errx(EXIT_SETUP, "no cgroup '%s'", cgroup);
	if (newns) {
		trace("unshare(CLONE_NEWCGROUP)");
		if (unshare(CLONE_NEWCGROUP) < 0)
			err(EXIT_SETUP, "cannot create a cgroup namespace");
	}
	exec_next(cmd);
}

static noreturn void run(char **cmd, uint64_t mem, uint64_t quota,
			 uint64_t pids, bool newns, bool stay)
{
	const struct { enum ctl c; bool wanted; const char *what; } need[] = {
		{ MEMORY, mem != 0, "memory" }, { CPU, quota != 0, "CPU" },
		{ PIDS, pids != 0, "processes" },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (need[i].wanted && !ctls[need[i].c].version)
			errx(EXIT_SETUP, "cannot limit %s: no %s cgroup controller "
			     "on this host", need[i].what, ctls[need[i].c].name);
	if (!nhiers)
		errx(EXIT_SETUP, "no memory, cpu or pids cgroup under '%s'", CGROUP_FS);

	armed = true;
	if (atexit(rollback) != 0)
		errx(EXIT_SETUP, "cannot register the clean-up");
	for (struct hier *h = hiers; h < hiers + nhiers; h++) {
		make_dirs(h);
		if (h->version == 2)
			enable_controllers(h);
	}
	set_limits(mem, quota, pids);
	for (struct hier *h = hiers; h < hiers + nhiers && !stay; h++) {
		join(h, h->dir);
		h->joined = true;
	}
	/* After joining: a cgroup namespace is rooted where its creator is. */
	if (newns) {
		trace("unshare(CLONE_NEWCGROUP)");
		if (unshare(CLONE_NEWCGROUP) < 0)
			err(EXIT_SETUP, "cannot create a cgroup namespace");
	}
	/* From here on the cgroup is the caller's to remove, with setcg -r. */
	armed = false;
	exec_next(cmd);
}

static long now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		err(EXIT_SETUP, "cannot read the clock");
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long deadline;

static long time_left(const char *dir)
{
	long left = deadline - now_ms();

	if (left <= 0)
		errx(EXIT_SETUP, "cannot empty '%s': timed out", dir);
	return left;
}

/* v1 has no event for "empty": poll, from 1 ms up to 32 ms apart. */
static void backoff(const char *dir, long *us)
{
	struct timespec ts = { 0, *us * 1000 };

	time_left(dir);
	if (nanosleep(&ts, NULL) < 0 && errno != EINTR)
		err(EXIT_SETUP, "nanosleep");
	if (*us < 32000)
		*us *= 2;
}

/* SIGKILL what cgroup.procs lists until it lists nothing. */
static void kill_procs(const char *dir)
{
	char path[PATH_MAX], buf[16384];
	long len, us = 1000;

	fmt_path(path, "%s/cgroup.procs", dir);
	while ((len = read_file(path, buf, sizeof(buf))) != 0) {
		if (len < 0)
			err(EXIT_SETUP, "cannot read '%s'", path);
		/* A full buffer may end in half a pid: never kill that one. */
		if ((size_t)len == sizeof(buf) - 1) {
			char *nl = strrchr(buf, '\n');
			*(nl ? nl : buf) = '\0';
		}
		for (char *p = buf, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p)
				break;
			if (pid == getpid())
				errx(EXIT_SETUP, "cannot empty '%s': setcg runs in it", dir);
			trace("kill(%ld, SIGKILL)", pid);
			if (pid > 0 && kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH)
				err(EXIT_SETUP, "cannot kill %ld in '%s'", pid, dir);
		}
		backoff(dir, &us);
	}
}

/* The value of the "key value" line of a cgroup stat file, or NULL. */
static char *field(char *buf, const char *key)
{
	size_t len = strlen(key);
	char *save = NULL;

	for (char *line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, len) && line[len] == ' ')
			return line + len + 1;
	return NULL;
}

/* v2: cgroup.events says "populated 0" once no process is left below. */
static void wait_unpopulated(const char *dir)
{
	char path[PATH_MAX], buf[256];
	struct pollfd pfd = { .events = POLLPRI };
	ssize_t n;
	char *v;

	fmt_path(path, "%s/cgroup.events", dir);
	if ((pfd.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		err(EXIT_SETUP, "cannot open '%s'", path);
	/* Each read re-arms the poll, so read, then sleep until it changes. */
	while ((n = pread(pfd.fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		if ((v = field(buf, "populated")) && !strcmp(v, "0"))
			break;
		if (poll(&pfd, 1, (int)time_left(dir)) < 0 && errno != EINTR)
			err(EXIT_SETUP, "cannot poll '%s'", path);
	}
	if (n < 0)
		err(EXIT_SETUP, "cannot read '%s'", path);
	close(pfd.fd);
}

/*
 * Empty and remove one cgroup and, first, any cgroup a containerised
 * program made below it (with -C it may): a cgroup with children cannot be
 * removed, and v1 lists only a cgroup's own processes, not its children's.
 */
static void remove_tree(const struct hier *h, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	long us = 1000;
	DIR *dp;
	int fd;

	fmt_path(path, "%s/cgroup.kill", dir);
	if (h->version == 2 && access(path, F_OK) == 0)
		cg_write(dir, "cgroup.kill", "1"); /* atomic, even vs. fork */
	else
		kill_procs(dir);

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(dp = fdopendir(fd)))
		err(EXIT_SETUP, "cannot open '%s'", dir);
	while ((errno = 0, d = readdir(dp)))
		if (d->d_type == DT_DIR && strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			fmt_path(path, "%s/%s", dir, d->d_name);
			remove_tree(h, path);
		}
	if (errno)
		err(EXIT_SETUP, "cannot read '%s'", dir);
	closedir(dp);

	if (h->version == 2)
		wait_unpopulated(dir);
	trace("rmdir(\"%s\")", dir);
	/* The last exits may still be going through; no event says when. */
	while (rmdir(dir) < 0) {
		if (errno == ENOENT)
			break;
		if (errno != EBUSY)
			err(EXIT_SETUP, "cannot remove '%s'", dir);
		backoff(dir, &us);
	}
}

/*
 * The guard of -r. Removing a cgroup kills everything in it, so a slip of
 * the keyboard (setcg -r system.slice) or a cgroup that setcg itself runs in
 * must be refused before the first kill, not discovered half-way through.
 *
 * systemd keeps its units in cgroups named after them: slices, scopes,
 * services, and sockets, mounts and swaps while they run a process. Any
 * component with such a name is systemd's, and so is the tree below it.
 */
static bool systemd_name(const char *name)
{
	static const char *const units[] = {
		".slice", ".scope", ".service", ".socket", ".mount", ".swap",
	};

	for (const char *p = name; *p; p += *p == '/') {
		size_t len = strcspn(p, "/");

		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ulen = strlen(units[i]);

			if (len >= ulen && !strncmp(p + len - ulen, units[i], ulen))
				return true;
		}
		p += len;
	}
	return false;
}

/* Read a /proc file line by line: proc_open, then proc_line until NULL. */
static FILE *proc_open(const char *file)
{
	FILE *fp = fopen(file, "re");

	if (!fp)
		err(EXIT_SETUP, "cannot open '%s'", file);
	return fp;
}

static char *proc_line(FILE *fp, const char *file, char **line, size_t *size)
{
	if (getline(line, size, fp) > 0) {
		(*line)[strcspn(*line, "\n")] = '\0';
		return *line;
	}
	if (ferror(fp))
		err(EXIT_SETUP, "cannot read '%s'", file);
	free(*line);
	fclose(fp);
	return NULL;
}

/*
 * The path of the cgroup setcg runs in, in each hierarchy, from
 * /proc/self/cgroup: "0::/path" on v2; on v1 "N:ctl[,ctl]:/path", where
 * co-mounted controllers (cpu,cpuacct) share a line and named hierarchies
 * (name=systemd) match none of ours. One pass for all hierarchies.
 */
static void own_cgroups(char own[][PATH_MAX])
{
	const char *file = "/proc/self/cgroup";
	char *line = NULL, *ctl, *path, *save = NULL;
	FILE *fp = proc_open(file);
	size_t size = 0;

	for (int i = 0; i < nhiers; i++)
		own[i][0] = '\0';
	while (proc_line(fp, file, &line, &size)) {
		if (!(ctl = strchr(line, ':')) || !(path = strchr(++ctl, ':')))
			continue;
		*path++ = '\0';
		for (int i = 0; i < nhiers; i++) {
			struct hier *h = &hiers[i];
			bool found = false;
			char list[256];

			snprintf(list, sizeof(list), "%s", ctl);
			if (h->version == 2)
				found = !strncmp(line, "0:", 2) && !*ctl;
			else
				for (char *w = strtok_r(list, ",", &save); w && !found;
				     w = strtok_r(NULL, ",", &save))
					for (int c = 0; c < NCTL; c++)
						found |= ctls[c].h == h &&
							 !strcmp(w, ctls[c].name);
			if (found && !own[i][0])
				fmt_path(own[i], "%s", path);
		}
	}
	for (int i = 0; i < nhiers; i++)
		if (!own[i][0])
			errx(EXIT_SETUP, "no line for '%s' in %s", hiers[i].root, file);
}

/*
 * Where each hierarchy's mount starts: "/", unless a container was given
 * only a sub-tree. It is the ROOT of "ID PARENT DEV ROOT MOUNT-POINT ..." in
 * /proc/self/mountinfo, the last such mount being the one on top. One pass
 * for all hierarchies (the file is long on a host with many containers).
 */
static void mount_roots(char roots[][PATH_MAX])
{
	const char *file = "/proc/self/mountinfo";
	char real[NCTL][PATH_MAX], root[PATH_MAX], mnt[PATH_MAX], *line = NULL;
	FILE *fp = proc_open(file);
	size_t size = 0;

	for (int i = 0; i < nhiers; i++) {
		roots[i][0] = '\0';
		/* cpu may be a link to cpu,cpuacct */
		if (!realpath(hiers[i].root, real[i]))
			err(EXIT_SETUP, "cannot resolve '%s'", hiers[i].root);
	}
	while (proc_line(fp, file, &line, &size)) {
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		for (int i = 0; i < nhiers; i++)
			if (!strcmp(mnt, real[i]))
				fmt_path(roots[i], "%s", root);
	}
	for (int i = 0; i < nhiers; i++)
		if (!roots[i][0])
			errx(EXIT_SETUP, "no mount at '%s' in %s", real[i], file);
}

/* Refuse CGROUP if setcg runs in it or below it, in any of its hierarchies. */
static void refuse_own_cgroup(void)
{
	char roots[NCTL][PATH_MAX], own[NCTL][PATH_MAX], target[PATH_MAX];
	size_t len;

	mount_roots(roots);
	own_cgroups(own);
	for (int i = 0; i < nhiers; i++) {
		fmt_path(target, "%s/%s", strcmp(roots[i], "/") ? roots[i] : "", cgroup);
		len = strlen(target);
		if (!strncmp(own[i], target, len) && (own[i][len] == '\0' || own[i][len] == '/'))
			errx(EXIT_SETUP, "refusing to remove '%s': it contains "
			     "setcg itself", cgroup);
	}
}

/*
 * Remove CGROUP in each hierarchy. Most often the container has ended and
 * its cgroups are empty: then a plain rmdir() removes each, and nothing
 * needs to be read, listed or killed. Only when one is still in use (EBUSY:
 * processes, or cgroups below it) does the full path run, once the guard
 * has checked that setcg itself is not inside: an empty cgroup removed
 * first cannot have held it.
 */
static void remove_cgroup(bool force)
{
	bool found = false, guarded = false;

	if (systemd_name(cgroup))
		errx(EXIT_SETUP, "refusing to remove '%s': it is managed by "
		     "systemd", cgroup);

	deadline = now_ms() + REMOVE_TIMEOUT_MS;
	for (struct hier *h = hiers; h < hiers + nhiers; h++) {
		trace("rmdir(\"%s\")", h->dir);
		if (rmdir(h->dir) == 0) {
			found = true;
		} else if (errno == EBUSY || errno == ENOTEMPTY) {
			if (!guarded)
				refuse_own_cgroup();
			guarded = true;
			found = true;
			remove_tree(h, h->dir);
		} else if (errno != ENOENT) {
			err(EXIT_SETUP, "cannot remove '%s'", h->dir);
		}
		/*
		 * Parents may be shared with other containers: only if empty.
		 * Also when the leaf is missing: a setcg killed while making
		 * it may have made the parents only.
		 */
		if (prune(h, depth - 1, 0) < 0)
			err(EXIT_SETUP, "cannot remove a parent of '%s'", h->dir);
	}
	if (!found && !force)
		errx(EXIT_SETUP, "no cgroup '%s'", cgroup);
}

static void print_stats(void)
{
	char path[PATH_MAX], buf[4096];
	bool found = false;

	for (struct hier *h = hiers; h < hiers + nhiers; h++)
		found |= access(h->dir, F_OK) == 0;
	if (!found)
		errx(EXIT_SETUP, "no cgroup '%s'", cgroup);
	for (int k = 0; k < NKNOB; k++) {
		const struct file *f = knob_file(k);
		uint64_t n;
		char *v = buf;

		if (!knobs[k].key || !f)
			continue;
		fmt_path(path, "%s/%s", ctls[knobs[k].ctl].h->dir, f->name);
		if (read_file(path, buf, sizeof(buf)) < 0) {
			if (errno == ENOENT)
				continue;
			err(EXIT_SETUP, "cannot read '%s'", path);
		}
		if (f->field && !(v = field(buf, f->field)))
			continue;
		for (int w = 1; w < f->word && v[strcspn(v, " ")]; w++)
			v += strcspn(v, " ") + 1;
		v[strcspn(v, " \n")] = '\0';
		/* v1 says "no limit" with -1 or the largest page-aligned long. */
		if (!strcmp(v, "-1") || (parse_u64(v, &n) == 0 && n >= 1ULL << 62))
			v = "max";
		else if (f->div && parse_u64(v, &n) == 0)
			snprintf(v = buf, sizeof(buf), "%llu",
				 (unsigned long long)(n / f->div));
		printf("%s %s\n", knobs[k].key, v);
	}
	if (fflush(stdout) == EOF)
		err(EXIT_SETUP, "cannot write the statistics");
}

int main(int argc, char **argv)
{
	uint64_t mem = 0, quota = 0, pids = 0;
	bool newns = false, rm = false, force = false, stats = false, join = false;
	bool stay = false;
	int opt, nargs;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:vm:c:p:Cnjrfsh")) != -1) {
		switch (opt) {
		case 'v': verbose = 1; break;
		case 'm':
			if (parse_size(optarg, &mem) < 0 || mem == 0)
				usage_error("invalid SIZE '%s'", optarg);
			break;
		case 'c':
			if (parse_cpus(optarg, CPU_PERIOD_US, &quota) < 0)
				usage_error("invalid CPUS '%s'", optarg);
			break;
		case 'p':
			if (parse_u64(optarg, &pids) < 0 || pids < 1 || pids > PID_MAX_LIMIT)
				usage_error("invalid N '%s'", optarg);
			break;
		case 'C': newns = true; break;
		case 'n': stay = true; break;
		case 'j': join = true; break;
		case 'r': rm = true; break;
		case 'f': force = true; break;
		case 's': stats = true; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	nargs = argc - optind;
	if (rm + stats + join > 1)
		usage_error("-r, -s and -j cannot be used together");
	if (join && (mem || quota || pids))
		usage_error("-j joins as it is: no -m, -c or -p");
	if ((rm || stats) && (mem || quota || pids || newns))
		usage_error("-m, -c, -p and -C only apply when running COMMAND");
	if (force && !rm)
		usage_error("-f only applies with -r");
	if (stay && (rm || stats || join || newns))
		usage_error("-n only applies when making CGROUP, without -C");
	if (nargs < 1)
		usage_error("missing CGROUP");
	if (stats && nargs > 1)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
	if (!rm && !stats && nargs < 2)
		usage_error("missing COMMAND");

	check_name(cgroup = argv[optind]);
	trace_man("cgroups(7)");
	detect();
	if (rm) {
		remove_cgroup(force);
		if (nargs > 1)
			exec_next(argv + optind + 1);
	} else if (stats)
		print_stats();
	else if (join)
		join_existing(argv + optind + 1, newns);
	else
		run(argv + optind + 1, mem, quota, pids, newns, stay);
	return 0;
}
