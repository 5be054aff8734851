/*
 * common.h - the small part every mkcontainer helper shares.
 *
 * Exit statuses follow chroot(1), env(1) and nice(1), so that a chain of
 * helpers ends with one unambiguous status, like `docker run`:
 *
 *   125  the helper itself failed (bad usage, a system call failed)
 *   126  COMMAND was found but could not be executed
 *   127  COMMAND was not found
 *   else COMMAND's own status (the last link of the chain execs it)
 *
 * Errors go through err(3): "helper: what 'path': strerror".
 */
#ifndef MKC_COMMON_H
#define MKC_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define EXIT_SETUP 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* Set by -v: trace() prints each system call that changes the system. */
extern int verbose;

/* With -v, print "helper: <message>" on stderr. */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* With -v, print the "see also" man page once per helper run. */
void trace_man(const char *page);

/*
 * Chain-load: execvp(argv[0], argv). Never returns; on failure prints
 * "helper: cannot execute 'cmd': reason" and exits 126 or 127.
 *
 * With exec_notify_fd set, first write "exec\n" to it and make it
 * close-on-exec, and write "failed\n" if the exec fails: the reader learns
 * whether COMMAND started (EOF right after "exec") or not.
 */
extern int exec_notify_fd;
noreturn void exec_next(char **argv);

/*
 * Call before changing root (pivot_root, chroot): when the next command is
 * one of our helpers (a path in this program's own directory), open it now,
 * so that exec_next() can still run it from the new root, where the host's
 * files are gone. Anything else is looked up in the new root, as usual.
 */
void prepare_next(char **argv);

/* "TERM" for SIGTERM (sigabbrev_np(3) is glibc's alone); "?" if unknown. */
const char *signame(int sig);

/* Print "Try 'helper -h' for more information." and exit 125. */
noreturn void usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * getopt() with opterr = 0 and ':' first in its option string (after any
 * '+') returned ':' (an option without its argument) or '?' (an unknown
 * option): say which, on one line, and exit 125 as usage_error() does.
 */
noreturn void bad_option(int opt, int argc, char **argv);

/*
 * Parse a size: bytes, or a number with suffix K, M or G (powers of 1024).
 * Returns 0 on success, -1 when the text is not a size or overflows.
 */
int parse_size(const char *s, uint64_t *bytes);

/* Parse a decimal unsigned integer with no sign, suffix or blanks. */
int parse_u64(const char *s, uint64_t *value);

/*
 * Parse a CPU count such as "1", "0.5" or "1.25" (two decimals at most) into
 * a CFS quota for the given period: 0.5 with a 100000 us period -> 50000 us.
 */
int parse_cpus(const char *s, uint64_t period_us, uint64_t *quota_us);

/* Write text to a file that exists (cgroup and proc files): err() on failure. */
void write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, but return -1 with errno set instead of exiting. */
int try_write_file(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Read a small text file into buf (NUL-terminated, trailing newline kept).
 * Returns the length, or -1 with errno set.
 */
long read_file(const char *path, char *buf, size_t size);

#endif
