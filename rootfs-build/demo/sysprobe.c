/*
 * sysprobe - try system calls a container should not have, say what happened.
 *
 *   sysprobe NAME...     (sysprobe -l lists the names)
 *
 * Each probe is harmless even where nothing blocks it: bad arguments, reads,
 * or namespaces of this process only. Prints "NAME: ok" or "NAME: <error>";
 * under mkcontainer's seccomp filter most say "Operation not permitted".
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct probe {
	const char *name;
	long (*run)(void);
};

static long p_keyctl(void) { return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0); }
static long p_add_key(void)
{
	return syscall(SYS_add_key, "mkc-no-such-type", "x", NULL, 0, -2);
}
static long p_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long p_perf_event_open(void)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}
static long p_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long p_unshare_user(void) { return syscall(SYS_unshare, CLONE_NEWUSER); }
static long p_clone_newns(void)
{
	/* Only the flag is examined; the child, if any, exits at once. */
	long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}
static long p_clone3(void) { return syscall(SYS_clone3, NULL, 0); }
/* no such file system type at no such place: fails everywhere */
static long p_mount(void)
{
	return syscall(SYS_mount, "none", "/nonexistent-mkc-sysprobe",
		       "mkc-no-such-fs", 0, NULL);
}
static long p_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0xffffffff); }
static long p_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long p_open_by_handle_at(void)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}
/* reads or compares only this process's own memory and files */
static long p_process_vm_readv(void)
{
	char src[4] = "abc", dst[4];
	struct { void *base; size_t len; } l = { dst, 4 }, r = { src, 4 };

	return syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0);
}
static long p_kcmp(void) { return syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0); }
static long p_name_to_handle_at(void)
{
	/* handle_bytes 0: the kernel only says how much room a handle needs */
	struct { unsigned int bytes; int type; } h = { 0, 0 };
	int mount_id;
	long r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &h, &mount_id, 0);

	return r < 0 && errno == EOVERFLOW ? 0 : r;
}
static long p_getpid(void) { return syscall(SYS_getpid); }

static const struct probe probes[] = {
	{ "keyctl", p_keyctl },	{ "add_key", p_add_key },
	{ "bpf", p_bpf },	{ "perf_event_open", p_perf_event_open },
	{ "io_uring_setup", p_io_uring_setup },
	{ "unshare_user", p_unshare_user }, { "clone_newns", p_clone_newns },
	{ "clone3", p_clone3 },	{ "mount", p_mount },
	{ "kexec_load", p_kexec_load }, { "init_module", p_init_module },
	{ "open_by_handle_at", p_open_by_handle_at },
	{ "process_vm_readv", p_process_vm_readv }, { "kcmp", p_kcmp },
	{ "name_to_handle_at", p_name_to_handle_at },
	{ "getpid", p_getpid },
};

int main(int argc, char **argv)
{
	size_t n = sizeof(probes) / sizeof(probes[0]);

	if (argc < 2) {
		fprintf(stderr, "usage: sysprobe NAME... (sysprobe -l lists them)\n");
		return 2;
	}
	if (strcmp(argv[1], "-l") == 0) {
		for (size_t i = 0; i < n; i++)
			puts(probes[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		size_t i;

		for (i = 0; i < n && strcmp(argv[a], probes[i].name); i++)
			;
		if (i == n) {
			fprintf(stderr, "sysprobe: no probe '%s'\n", argv[a]);
			return 2;
		}
		errno = 0;
		long r = probes[i].run();
		printf("%s: %s\n", argv[a], r < 0 ? strerror(errno) : "ok");
	}
	return 0;
}
