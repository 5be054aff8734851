/*
 * confine - drop the privileges a container does not need, then run a command.
 *
 *   confine [-v] [-c CAPS] [-u USERNS] [-n FD] COMMAND [ARG]...
 *
 * The last link before COMMAND: the namespaces and mounts are made, so what
 * made them (root with every capability) is no longer needed. In this order:
 *
 *   1. -u USERNS: join that user namespace (a file, as mkuserns makes) and
 *      become its root: uid and gid 0 inside, an unprivileged ID outside.
 *   2. Capabilities (see capabilities(7)): remove from the bounding set every
 *      one not in CAPS, so that no later exec, not even of a setuid or
 *      file-capability program, can get it back; clear the ambient and the
 *      inheritable sets; keep CAPS in the permitted and effective sets.
 *      The default, Docker's, leaves out CAP_SYS_ADMIN, NET_ADMIN, SYS_MODULE,
 *      SYS_RAWIO, SYS_PTRACE, SYS_BOOT, SYS_TIME, MAC_ADMIN, MAC_OVERRIDE...
 *   3. no_new_privs: exec can never raise privileges again (setuid bits and
 *      file capabilities are ignored). It also allows step 4.
 *   4. A seccomp filter (seccomp(2)): system calls no container needs
 *      (loading kernel modules or a new kernel, keyrings, bpf, perf events,
 *      mounts, new namespaces, ...) fail with EPERM instead of reaching the
 *      kernel. An error, not a kill: programs that probe for them go on.
 */
#include "common.h"
#include "sys.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <grp.h>

/* Docker's default set: what ordinary programs run as root expect. */
static const char *const default_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "NET_BIND_SERVICE", "NET_RAW", "SYS_CHROOT", "MKNOD",
	"AUDIT_WRITE", "SETFCAP", NULL,
};

/* Names of the capabilities, by number (capabilities(7)). */
static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL",
	"SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
	"SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
	"BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS (int)(sizeof(cap_names) / sizeof(cap_names[0]))

/* x86_64 numbers (the filter allows no other ABI), for older libc tables */
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef SYS_statmount
#define SYS_statmount 457
#endif
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/*
 * Refused with EPERM. Each is either privileged (and the capability is gone
 * anyway: defence in depth) or a large kernel attack surface that containers
 * do not use.
 */
static const int denied[] = {
	SYS_kexec_load, SYS_kexec_file_load, SYS_reboot,		/* the kernel */
	SYS_init_module, SYS_finit_module, SYS_delete_module,		/* modules */
	SYS_create_module, SYS_get_kernel_syms, SYS_query_module,
	SYS_open_by_handle_at,			/* escapes a bind mount (Shocker) */
	SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_lookup_dcookie,
	SYS_keyctl, SYS_add_key, SYS_request_key,	/* not namespaced keyrings */
	SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register,
	SYS_mount, SYS_umount2, SYS_pivot_root, SYS_open_tree, SYS_move_mount,
	SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick, SYS_mount_setattr,
	SYS_unshare, SYS_setns,				/* new namespaces */
	SYS_swapon, SYS_swapoff, SYS_acct, SYS_quotactl, SYS_syslog,
	SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime,	/* the clock */
	SYS_iopl, SYS_ioperm, SYS_uselib, SYS_nfsservctl, SYS__sysctl,
	SYS_vhangup,
	/* Docker allows these only with SYS_PTRACE, DAC_READ_SEARCH or SYS_NICE */
	SYS_process_vm_readv, SYS_process_vm_writev, SYS_kcmp,
	SYS_name_to_handle_at, SYS_move_pages,
	SYS_quotactl_fd, SYS_memfd_secret,
	/* newer than this C library: the mount family's latest members */
	SYS_statmount, SYS_listmount, SYS_open_tree_attr,
};

/* clone() with any of these makes a namespace: refused like unshare(). */
#define NEW_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | \
			CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
			CLONE_NEWCGROUP)

static noreturn void usage(void)
{
	puts("Usage: confine [-v] [-c CAPS] [-u USERNS] [-n FD] COMMAND [ARG]...\n"
	     "Drop capabilities, set no_new_privs and install a seccomp filter,\n"
	     "then run COMMAND.\n"
	     "\n"
	     "  -c CAPS    capabilities to keep, comma-separated (e.g. CHOWN,KILL);\n"
	     "             \"default\" (Docker's set) or \"none\"; default: default\n"
	     "  -u USERNS  first join the user namespace in file USERNS and\n"
	     "             become its root (after pivot_root, pass it as an\n"
	     "             inherited descriptor: -u /proc/self/fd/N)\n"
	     "  -n FD      tell FD whether COMMAND started (see pivot -h)\n"
	     "  -v         print each system call made\n"
	     "  -h         print this help\n"
	     "\n"
	     "The seccomp filter makes these fail with EPERM: kexec_load,\n"
	     "init/finit/delete_module, reboot, open_by_handle_at, bpf,\n"
	     "perf_event_open, userfaultfd, keyctl, add_key, request_key,\n"
	     "io_uring_*, mount and the new mount API (open_tree_attr,\n"
	     "statmount, listmount too), umount2, pivot_root,\n"
	     "unshare, setns, clone with a new namespace, swapon/off, acct,\n"
	     "quotactl, syslog, settimeofday, clock_settime/adjtime, iopl,\n"
	     "ioperm, vhangup, process_vm_readv/writev, kcmp,\n"
	     "name_to_handle_at, move_pages, quotactl_fd, memfd_secret;\n"
	     "clone3 fails with ENOSYS (C libraries then\n"
	     "use clone); system calls of another ABI (i386, x32) with EPERM.\n"
	     "Exit status 125: confine failed; 126/127: COMMAND not executable /\n"
	     "not found.");
	exit(0);
}

/* "CHOWN,KILL" -> a bit mask of capability numbers. */
static uint64_t parse_caps(const char *list)
{
	char buf[512], *name, *save = NULL;
	uint64_t mask = 0;

	if (strcasecmp(list, "default") == 0) {
		for (int i = 0; default_caps[i]; i++)
			mask |= parse_caps(default_caps[i]);
		return mask;
	}
	if (strcasecmp(list, "none") == 0 || *list == '\0')
		return 0;
	if (strlen(list) >= sizeof(buf))
		usage_error("capability list too long");
	strcpy(buf, list);
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		int i;

		if (strncasecmp(name, "CAP_", 4) == 0)
			name += 4;
		for (i = 0; i < NCAPS && strcasecmp(name, cap_names[i]); i++)
			;
		if (i == NCAPS)
			usage_error("unknown capability '%s'", name);
		mask |= 1ULL << i;
	}
	return mask;
}

static void join_userns(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		err(EXIT_SETUP, "cannot open user namespace '%s'", file);
	trace("setns(%s, CLONE_NEWUSER) (see user_namespaces(7))", file);
	if (setns(fd, CLONE_NEWUSER) < 0)
		err(EXIT_SETUP, "cannot join user namespace '%s'", file);
	close(fd);
	/* Our IDs are the host's root, unmapped here: become the namespace's
	 * root, which is an unprivileged ID on the host. */
	trace("setgroups(0, NULL), setresgid(0, 0, 0), setresuid(0, 0, 0)");
	if (setgroups(0, NULL) < 0)
		err(EXIT_SETUP, "setgroups");
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		err(EXIT_SETUP, "cannot become root in user namespace '%s'", file);
}

static void drop_caps(uint64_t keep)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };
	char buf[16];
	uint64_t last = CAP_LAST_CAP;

	/* The running kernel may know more capabilities than our headers. */
	if (read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf)) > 0)
		last = strtoull(buf, NULL, 10);
	trace("prctl(PR_CAPBSET_DROP, ...) for each capability not kept "
	      "(see capabilities(7))");
	for (uint64_t cap = 0; cap <= last; cap++)
		if (cap >= 64 || !(keep & (1ULL << cap)))
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
				err(EXIT_SETUP, "cannot drop capability %llu from "
				    "the bounding set", (unsigned long long)cap);
	trace("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		err(EXIT_SETUP, "cannot clear the ambient capabilities");
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	trace("capset(permitted = effective = %#llx, inheritable = 0)",
	      (unsigned long long)keep);
	if (syscall(SYS_capset, &head, data) < 0)
		err(EXIT_SETUP, "capset");
}

/*
 * The filter, in classic BPF: check the ABI, then compare the system call
 * number with each denied one. It runs on every system call, so it stays a
 * flat list with the common case (allow) falling through to the end.
 */
static void install_seccomp(void)
{
#define N_DENIED (sizeof(denied) / sizeof(denied[0]))
	struct sock_filter prog[N_DENIED + 16];
	unsigned n = 0;

#define STMT(code, k) (prog[n++] = (struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) \
	(prog[n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf))
	/* Another ABI (i386 via int 0x80) numbers its calls differently. */
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* x32 calls are x86_64 numbers with bit 30 set. */
	JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	/* clone3 passes its flags in memory, out of a filter's reach. */
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	/* clone: its first argument holds the flags. */
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
	STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	JUMP(BPF_JMP | BPF_JSET | BPF_K, NEW_NAMESPACES, 0, 1 + N_DENIED);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	for (unsigned i = 0; i < N_DENIED; i++)
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i],
		     (unsigned char)(N_DENIED - i), 0);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);

	struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };

	trace("prctl(PR_SET_NO_NEW_PRIVS, 1)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err(EXIT_SETUP, "cannot set no_new_privs");
	trace("seccomp(SECCOMP_SET_MODE_FILTER, %u instructions, %zu system "
	      "calls denied) (see seccomp(2))", n, N_DENIED + 3);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		err(EXIT_SETUP, "cannot install the seccomp filter");
}

int main(int argc, char **argv)
{
	const char *userns = NULL;
	uint64_t keep = parse_caps("default"), fd;
	int opt;

	opterr = 0;
	while ((opt = getopt(argc, argv, "+:c:u:n:vh")) != -1) {
		switch (opt) {
		case 'c': keep = parse_caps(optarg); break;
		case 'u': userns = optarg; break;
		case 'n':
			if (parse_u64(optarg, &fd) < 0 || fd < 3 || fd > 1024)
				usage_error("invalid -n descriptor '%s'", optarg);
			if (fcntl((int)fd, F_GETFD) < 0)
				err(EXIT_SETUP, "-n %d", (int)fd);
			exec_notify_fd = (int)fd;
			break;
		case 'v': verbose = 1; break;
		case 'h': usage();
		default: bad_option(opt, argc, argv);
		}
	}
	if (optind >= argc)
		usage_error("no command given");

	/*
	 * First, not dumpable: this is a host binary running inside the
	 * container, and once our capabilities are down to the container's,
	 * its processes could otherwise open our /proc/PID/exe and, through
	 * it, write to this binary on the host (CVE-2019-5736). COMMAND's exec
	 * makes COMMAND dumpable again.
	 */
	trace("prctl(PR_SET_DUMPABLE, 0)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		err(EXIT_SETUP, "prctl(PR_SET_DUMPABLE)");
	if (userns)
		join_userns(userns);
	drop_caps(keep);
	install_seccomp();
	/* COMMAND gets stdin, stdout and stderr, nothing else of the chain's
	 * (such as the user namespace's descriptor given as -u /proc/self/fd/N). */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		err(EXIT_SETUP, "close_range");
	exec_next(argv + optind);
}
