/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the checkpoint/restart tools: the system call
 * wrappers and the error reporting conventions.
 *
 * Every tool exits with 0 on success, 1 on a runtime error and 2 on a
 * usage error; its messages on stderr start with its name.
 */
#ifndef CKPT_TOOLS_COMMON_H
#define CKPT_TOOLS_COMMON_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/checkpoint.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint 451
#endif
#ifndef __NR_restart
#define __NR_restart 452
#endif

#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *progname;

static inline long sys_checkpoint(pid_t pid, int fd, unsigned long flags,
				  int logfd)
{
	return syscall(__NR_checkpoint, pid, fd, flags, logfd);
}

static inline long sys_restart(pid_t pid, int fd, unsigned long flags,
			       int logfd)
{
	return syscall(__NR_restart, pid, fd, flags, logfd);
}

/* Print "progname: message" on stderr. */
static inline void __attribute__((format(printf, 1, 2)))
ckpt_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Report a usage error and exit with 2. */
#define usage_error(fmt, ...)						\
	do {								\
		ckpt_warn(fmt, ##__VA_ARGS__);				\
		fprintf(stderr, "Try '%s --help' for more information.\n", \
			progname);					\
		exit(EXIT_USAGE);					\
	} while (0)

/*
 * A hint to append to the message about a failed checkpoint() or
 * restart(), for the errors whose cause the kernel does not explain.
 */
static inline const char *ckpt_errno_hint(int err)
{
	switch (err) {
	case ENOSYS:
		return " (this kernel has no checkpoint/restart support)";
	default:
		return "";
	}
}

/* Parse a pid (a positive decimal number); -1 if @s is not one. */
static inline pid_t parse_pid(const char *s)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > INT_MAX)
		return -1;
	return (pid_t)v;
}

#endif /* CKPT_TOOLS_COMMON_H */
