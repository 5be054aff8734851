/*
 * sys.h - system calls that a C library may not wrap yet.
 *
 * The helpers are linked statically, with musl where it is installed (its
 * programs start in half the time of glibc's, and a container start is
 * mostly exec's: see README "Performance"), else with glibc. glibc 2.36+
 * wraps the new mount API and close_range(2); musl 1.2 does not, so they
 * are called through syscall(2) there, with the kernel's own headers for
 * the constants and struct mount_attr.
 */
#ifndef MKC_SYS_H
#define MKC_SYS_H

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __GLIBC__
#include <linux/close_range.h>
#include <linux/mount.h>

static inline int open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static inline int mount_setattr(int dfd, const char *path, unsigned flags,
				struct mount_attr *attr, size_t size)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

static inline int move_mount(int from_dfd, const char *from_path, int to_dfd,
			     const char *to_path, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from_path, to_dfd,
			    to_path, flags);
}

static inline int fsopen(const char *fsname, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fsname, flags);
}

static inline int fsconfig(int fd, unsigned cmd, const char *key,
			   const void *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static inline int fsmount(int fd, unsigned flags, unsigned attr_flags)
{
	return (int)syscall(SYS_fsmount, fd, flags, attr_flags);
}

static inline int close_range(unsigned first, unsigned last, int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}
#endif

#endif
