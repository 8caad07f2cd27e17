/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the checkpoint/restart selftests.
 *
 * A test forks a child that sets up some state, tells the parent it is
 * ready (SIGUSR2) and waits for SIGUSR1.  The parent
 * checkpoints it (usually with CKPT_KILL), reaps it, restarts the image,
 * sends SIGUSR1 and the restored child verifies its own state and exits
 * with 0 or with the number of the first check that failed.  The child's
 * stdio goes to a log file (a tty or a pipe could not be checkpointed);
 * the parent prints that log when the child fails.
 */
#ifndef CKPT_UTIL_H
#define CKPT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/checkpoint.h>
#include <linux/checkpoint_hdr.h>
#include <linux/loop.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint 451
#endif
#ifndef __NR_restart
#define __NR_restart 452
#endif

#define CKPT_LOG_MAX	4096

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

/* An anonymous regular file for images and logs. */
static inline int ckpt_memfd(const char *name)
{
	return memfd_create(name, 0);
}

/* Read the whole of @fd (from offset 0) into @buf, NUL-terminated. */
static inline void ckpt_read_all(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* Size of the file behind @fd. */
static inline off_t ckpt_fd_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/*
 * checkpoint() @pid into a fresh memfd returned in *@imgfd; the kernel's
 * message, if any, is copied to @log.  Returns what checkpoint() returned
 * (-1 with errno set on failure).
 */
static inline long ckpt_checkpoint(pid_t pid, unsigned long flags, int *imgfd,
				   char *log, size_t logsz)
{
	int logfd = ckpt_memfd("ckpt-log");
	long ret;
	int err;

	*imgfd = ckpt_memfd("ckpt-image");
	ret = sys_checkpoint(pid, *imgfd, flags, logfd);
	err = errno;
	if (log)
		ckpt_read_all(logfd, log, logsz);
	close(logfd);
	errno = err;
	return ret;
}

/* restart() from @imgfd (rewound first); like ckpt_checkpoint(). */
static inline long ckpt_restart(int imgfd, unsigned long flags, char *log,
				size_t logsz)
{
	int logfd = ckpt_memfd("rstr-log");
	long ret;
	int err;

	lseek(imgfd, 0, SEEK_SET);
	ret = sys_restart(0, imgfd, flags, logfd);
	err = errno;
	if (log)
		ckpt_read_all(logfd, log, logsz);
	close(logfd);
	errno = err;
	return ret;
}

/*
 * waitpid() with a timeout in milliseconds.  Returns the pid and fills
 * *@status, or 0 on timeout (the child is left alone), or -1 on error.
 */
static inline pid_t ckpt_waitpid(pid_t pid, int *status, int timeout_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int waited = 0;
	pid_t ret;

	for (;;) {
		ret = waitpid(pid, status, WNOHANG | __WALL);
		if (ret != 0 || waited >= timeout_ms)
			return ret;
		nanosleep(&ts, NULL);
		waited += 10;
	}
}

/* --- the child side --- */

static volatile sig_atomic_t ckpt_go;

static inline void ckpt_go_handler(int sig)
{
	ckpt_go = 1;
}

/* Tell the parent the state is set up. */
static inline void ckpt_child_ready(void)
{
	kill(getppid(), SIGUSR2);
}

/*
 * Install the SIGUSR1 handler, report ready (if @ready) and wait for
 * SIGUSR1.  SIGUSR1 is blocked but while waiting in sigsuspend(), so one
 * that comes before the wait (a restored child may be resumed short of
 * it) is not lost; it is unblocked on return.
 */
static inline void ckpt_go_wait(int ready)
{
	struct sigaction sa = { .sa_handler = ckpt_go_handler };
	sigset_t set, old;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	sigdelset(&old, SIGUSR1);
	if (ready)
		ckpt_child_ready();
	while (!ckpt_go)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Log from the child (its stderr is the log file). */
#define ckpt_child_log(fmt, ...) \
	fprintf(stderr, "child %d: " fmt "\n", getpid(), ##__VA_ARGS__)

/*
 * Fork a child running @fn(@arg); its stdin is /dev/null and its stdout
 * and stderr go to the regular file @logpath.  All other fds are closed.
 * SIGUSR2 is blocked in the caller so ckpt_wait_ready() can wait for it.
 */
static inline pid_t ckpt_spawn(int (*fn)(void *), void *arg,
			       const char *logpath)
{
	sigset_t set;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);

	pid = fork();
	if (pid != 0)
		return pid;

	{
		int null = open("/dev/null", O_RDONLY);
		int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (null < 0 || log < 0)
			_exit(100);
		dup2(null, 0);
		dup2(log, 1);
		dup2(log, 2);
		syscall(SYS_close_range, 3, ~0U, 0);
		setvbuf(stdout, NULL, _IONBF, 0);
		setvbuf(stderr, NULL, _IONBF, 0);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		_exit(fn(arg));
	}
}

/* Wait up to @timeout_ms for @pid's ready signal.  0 on success. */
static inline int ckpt_wait_ready(pid_t pid, int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		if (sigtimedwait(&set, &si, &ts) < 0)
			return -1;
		if (si.si_pid == pid)
			return 0;
	}
}

/* Print the child's log to stderr (for a failing test). */
static inline void ckpt_dump_log(const char *logpath)
{
	char buf[CKPT_LOG_MAX];
	int fd = open(logpath, O_RDONLY);

	if (fd < 0)
		return;
	ckpt_read_all(fd, buf, sizeof(buf));
	close(fd);
	fprintf(stderr, "--- %s ---\n%s--- end ---\n", logpath, buf);
}

/*
 * The common cycle: checkpoint @pid with CKPT_KILL into a memfd, reap the
 * killed child, restart the image.  Returns the restored pid (which must
 * equal @pid) or -1; *@imgfd keeps the image.  Messages go to @log.
 */
static inline pid_t ckpt_cycle(pid_t pid, int *imgfd, char *log, size_t logsz)
{
	int status;
	long ret;

	ret = ckpt_checkpoint(pid, CKPT_KILL, imgfd, log, logsz);
	if (ret <= 0)
		return -1;
	if (ckpt_waitpid(pid, &status, 10000) != pid)
		return -1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return -1;
	return ckpt_restart(*imgfd, 0, log, logsz);
}

/* --- more helpers: /proc readers, waits and child-side checks --- */

/*
 * Read /proc/@pid/@name (0: self) into @buf, NUL-terminated.  Returns the
 * number of bytes read (the contents may hold NULs) or -1.
 */
static inline ssize_t ckpt_proc_read(pid_t pid, const char *name, char *buf,
				     size_t size)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The state letter of /proc/@pid/stat ('R', 'S', 'T', ...), 0 if none. */
static inline char ckpt_proc_state(pid_t pid)
{
	char buf[1024], *p;

	if (ckpt_proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait up to @ms until @pid is in state @state; returns the last seen. */
static inline char ckpt_wait_state(pid_t pid, char state, int ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	char c = 0;
	int waited;

	for (waited = 0; waited <= ms; waited += 10) {
		c = ckpt_proc_state(pid);
		if (c == state)
			break;
		nanosleep(&ts, NULL);
	}
	return c;
}

/*
 * Wait up to @timeout_ms until @pid sleeps in system call @nr, as seen in
 * /proc/@pid/stat and /proc/@pid/syscall.  0 on success, -1 on timeout.
 */
static inline int ckpt_wait_syscall(pid_t pid, int nr, int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char buf[256];
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 5) {
		if (ckpt_proc_state(pid) == 'S' &&
		    ckpt_proc_read(pid, "syscall", buf, sizeof(buf)) > 0 &&
		    atoi(buf) == nr && buf[0] != 'r')
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * Copy @len bytes at @addr of @pid (a child of the caller that was forked
 * from it, so addresses of globals are the same) into @buf, through
 * /proc/@pid/mem (process_vm_readv() may be configured out).  0 or -1.
 */
static inline int ckpt_peek(pid_t pid, const volatile void *addr, void *buf,
			    size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, (off_t)(unsigned long)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * Wait up to @timeout_ms until the int at @addr in @pid equals @want.
 * Returns 0, or -1 on timeout or when @pid's memory cannot be read.
 */
static inline int ckpt_wait_peek_int(pid_t pid, const volatile int *addr,
				     int want, int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int waited, val;

	for (waited = 0; waited <= timeout_ms; waited += 5) {
		if (ckpt_peek(pid, addr, &val, sizeof(val)))
			return -1;
		if (val == want)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/*
 * Unmap the caller's shared anonymous mappings (shown as "/dev/zero
 * (deleted)").  The selftest harness keeps its results in one, so a child
 * forked from a test inherits it and could not be checkpointed: a child
 * calls this first.  Returns the number of mappings removed or -1.
 */
static inline int ckpt_unmap_shared_anon(void)
{
	unsigned long start[16], end[16];
	char line[512], perms[8];
	int n = 0, i, off;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (n < 16 && fgets(line, sizeof(line), f)) {
		off = 0;
		if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %*u %n", &start[n],
			   &end[n], perms, &off) < 3 || !off)
			continue;
		if (perms[3] == 's' && !strncmp(line + off, "/dev/zero", 9))
			n++;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		if (munmap((void *)start[i], end[i] - start[i]))
			return -1;
	return n;
}

/*
 * In a child: check @cond; if false, log the failed expression and exit
 * with @code (so the parent knows which check failed).
 */
#define CKPT_CHILD_CHECK(code, cond) do {				\
	if (!(cond)) {							\
		ckpt_child_log("check %d failed (%s:%d): %s",		\
			       (code), __FILE__, __LINE__, #cond);	\
		_exit(code);						\
	}								\
} while (0)

/* --- more helpers: text of /proc files and kernel messages --- */

/*
 * Copy the value of the line "@key:" of a /proc/PID/status-like @text to
 * @out (blanks after the colon skipped, no newline).  0, or -1 if absent.
 */
static inline int ckpt_proc_field(const char *text, const char *key,
				  char *out, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = text;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != ':')
			continue;
		p += klen + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\n");
		if (n >= size)
			n = size - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

/*
 * Does @text contain @prefix (case-insensitive) immediately followed by
 * the decimal @num, not preceded (for an empty @prefix) nor followed by
 * another digit?  E.g. ckpt_has_num(log, "fd ", 5) or (log, "", pid).
 */
static inline int ckpt_has_num(const char *text, const char *prefix, long num)
{
	char want[64];
	const char *p;
	size_t n;

	n = snprintf(want, sizeof(want), "%s%ld", prefix, num);
	for (p = text; (p = strcasestr(p, want)); p++) {
		if (!*prefix && p > text && p[-1] >= '0' && p[-1] <= '9')
			continue;
		if (p[n] >= '0' && p[n] <= '9')
			continue;
		return 1;
	}
	return 0;
}

/*
 * Cleanup: SIGKILL and reap @pid if it is a child of the caller (a pid
 * that is not, e.g. already reaped, is left alone).  0 if it was reaped.
 */
static inline int ckpt_kill_reap(pid_t pid)
{
	int status;
	pid_t ret;

	if (pid <= 0)
		return -1;
	ret = waitpid(pid, &status, WNOHANG | __WALL);
	if (ret == pid)
		return 0;
	if (ret < 0)
		return -1;
	kill(pid, SIGKILL);
	return ckpt_waitpid(pid, &status, 10000) == pid ? 0 : -1;
}

/*
 * The number of children of the calling thread, from
 * /proc/self/task/TID/children; -1 if the kernel lacks that file.
 */
static inline int ckpt_nr_children(void)
{
	char name[40], buf[4096], *p;
	int n = 0;

	snprintf(name, sizeof(name), "task/%ld/children",
		 (long)syscall(SYS_gettid));
	if (ckpt_proc_read(0, name, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; *p; ) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return n;
}

/* --- more helpers: process trees --- */

/*
 * Make the caller a child subreaper: the descendants of a tree whose root
 * was killed (CKPT_KILL) are reparented to it rather than to init, so
 * that it can reap every old pid before restarting the image (restart()
 * fails with EBUSY while they are zombies).  0 or -1.
 */
static inline int ckpt_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/*
 * Is @pid a descendant of the caller?  Follows the PPid chain of
 * /proc/PID/stat; a zombie still counts.  1 or 0.
 */
static inline int ckpt_is_descendant(pid_t pid)
{
	char buf[1024], *p;
	int depth;

	for (depth = 0; depth < 64 && pid > 1; depth++) {
		if (ckpt_proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
			return 0;
		p = strrchr(buf, ')');
		if (!p || sscanf(p + 1, " %*c %d", &pid) != 1)
			return 0;
		if (pid == getpid())
			return 1;
	}
	return 0;
}

/*
 * Reap the @n pids of @pids within @timeout_ms.  They are children of the
 * caller or will become ones (orphans reparented to a subreaper); only
 * these pids are waited for.  The wait status of @pids[i] goes to
 * @status[i] (if @status is not NULL; -1 while not reaped).  Returns the
 * number of pids left unreaped: 0 when all were reaped.
 */
static inline int ckpt_reap_pids(const pid_t *pids, int n, int *status,
				 int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int waited = 0, left, i, st;
	char *done = calloc(n > 0 ? n : 1, 1);
	pid_t r;

	if (!done)
		return n;
	for (i = 0; status && i < n; i++)
		status[i] = -1;
	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (done[i])
				continue;
			r = waitpid(pids[i], &st, WNOHANG | __WALL);
			if (r == pids[i]) {
				done[i] = 1;
				if (status)
					status[i] = st;
				continue;
			}
			/* ECHILD: not (yet) reparented to the caller */
			left++;
		}
		if (!left || waited >= timeout_ms)
			break;
		nanosleep(&ts, NULL);
		waited += 5;
	}
	free(done);
	return left;
}

/*
 * Cleanup: SIGKILL each of the @n pids of @pids that is still a
 * descendant of the caller (a pid reused by an unrelated process is left
 * alone) and reap them, as a subreaper, within @timeout_ms.  Returns the
 * number of pids that could not be reaped (0 when nothing is left).
 */
static inline int ckpt_kill_tree(const pid_t *pids, int n, int timeout_ms)
{
	pid_t *mine = calloc(n > 0 ? n : 1, sizeof(*mine));
	int i, k = 0, left;

	if (!mine)
		return n;
	for (i = 0; i < n; i++) {
		if (pids[i] > 0 && ckpt_is_descendant(pids[i])) {
			kill(pids[i], SIGKILL);
			mine[k++] = pids[i];
		}
	}
	left = ckpt_reap_pids(mine, k, NULL, timeout_ms);
	free(mine);
	return left;
}

/* --- more helpers: children of a tree process, descriptors --- */

/*
 * From a tree process: fork a child that keeps fds 0 to @keep_max only
 * and runs @fn(@arg) once SIGUSR1 arrived; its exit status is what @fn
 * returns.  Returns the pid once the child closed the other fds, or -1.
 */
static inline pid_t ckpt_fork_child(int (*fn)(int), int arg, int keep_max)
{
	sigset_t set, old;
	int s[2], sync;
	pid_t pid;
	char c;

	/* blocked until the child waits for it: a SIGUSR1 is not lost */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (pipe(s))
		return -1;
	sync = fcntl(s[1], F_DUPFD, 200);
	close(s[1]);
	pid = fork();
	if (pid == 0) {
		syscall(SYS_close_range, keep_max + 1, sync - 1, 0);
		syscall(SYS_close_range, sync + 1, ~0U, 0);
		if (write(sync, "x", 1) != 1)
			_exit(90);
		close(sync);
		ckpt_go_wait(0);
		_exit(fn(arg));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sync);
	if (pid < 0 || read(s[0], &c, 1) != 1)
		pid = -1;
	close(s[0]);
	return pid;
}

/* The children of @pid, from /proc: up to @max in @out; their number or -1 */
static inline int ckpt_children_of(pid_t pid, pid_t *out, int max)
{
	char name[32], buf[1024], *p = buf, *end;
	int n = 0;
	long v;

	snprintf(name, sizeof(name), "task/%d/children", pid);
	if (ckpt_proc_read(pid, name, buf, sizeof(buf)) < 0)
		return -1;
	while (n < max) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		out[n++] = v;
		p = end;
	}
	return n;
}

/* The target of the link /proc/@pid/@name ("cwd", "fd/3") in @buf; 0 or -1 */
static inline int ckpt_proc_link(pid_t pid, const char *name, char *buf,
				 size_t size)
{
	char path[96];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The target of /proc/@pid/fd/@fd in @buf; 0 or -1 */
static inline int ckpt_fd_link(pid_t pid, int fd, char *buf, size_t size)
{
	char name[32];

	snprintf(name, sizeof(name), "fd/%d", fd);
	return ckpt_proc_link(pid, name, buf, size);
}

/*
 * Move @fd to @to (closing @fd), keeping its FD_CLOEXEC; 0, or -1 (also
 * for @fd < 0)
 */
static inline int ckpt_put_fd(int fd, int to)
{
	int fdflags = fd < 0 ? -1 : fcntl(fd, F_GETFD);

	if (fdflags < 0)
		return -1;
	if (fd == to)
		return 0;
	if (dup3(fd, to, fdflags & FD_CLOEXEC ? O_CLOEXEC : 0) != to)
		return -1;
	return close(fd);
}

/*
 * The exit status of ckptinfo (on PATH) on the image open at @fd, or -1 if
 * it did not run; its messages go to /tmp/ckptinfo.err
 */
static inline int ckpt_ckptinfo(int fd)
{
	char cmd[128];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "ckptinfo /proc/%d/fd/%d >/dev/null 2>/tmp/ckptinfo.err",
		 getpid(), fd);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* The bytes ready to read on @fd (FIONREAD), or -1 */
static inline int ckpt_nread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/* @ts in nanoseconds */
static inline long long ckpt_ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

/* The time on @clk now, in nanoseconds */
static inline long long ckpt_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ckpt_ts_ns(&ts);
}

/* Does the running kernel know the file system @fs (/proc/filesystems)? */
static inline int ckpt_have_fs(const char *fs)
{
	char line[128], want[64];
	FILE *f = fopen("/proc/filesystems", "re");
	int found = 0;

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "\t%s\n", fs);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/*
 * Make an empty ext4 file system of @mib MiB in the new file @img (the
 * image is sparse, so /tmp is fine) and mount it on the directory @dir
 * through a loop device that goes away with the mount (autoclear).
 * lost+found is removed, so the file system starts empty.  No descriptor
 * is left open.  Returns 0 or -1.
 */
static inline int ckpt_mount_ext4(const char *img, const char *dir, int mib)
{
	struct loop_config cfg = { .info.lo_flags = LO_FLAGS_AUTOCLEAR };
	char cmd[PATH_MAX + 128], dev[32];
	int fd, ctl, nr, lfd, ret = -1;

	fd = open(img, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	cfg.fd = fd;
	if (ftruncate(fd, (off_t)mib << 20))
		goto out_img;
	snprintf(cmd, sizeof(cmd),
		 "PATH=/usr/sbin:/sbin:$PATH mkfs.ext4 -q -F %s >/dev/null 2>&1",
		 img);
	if (system(cmd))
		goto out_img;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	nr = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (ctl >= 0)
		close(ctl);
	if (nr < 0)
		goto out_img;
	snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	if (lfd < 0)
		goto out_img;
	if (!ioctl(lfd, LOOP_CONFIGURE, &cfg) &&
	    !mount(dev, dir, "ext4", 0, NULL)) {
		snprintf(cmd, sizeof(cmd), "%s/lost+found", dir);
		ret = rmdir(cmd);
		if (ret)
			umount2(dir, 0);
	}
	close(lfd);
out_img:
	close(fd);
	if (ret)
		unlink(img);
	return ret;
}

/* Unmount what ckpt_mount_ext4() mounted and remove the image */
static inline void ckpt_umount_ext4(const char *img, const char *dir)
{
	umount2(dir, 0);
	unlink(img);
}

#ifdef __KSELFTEST_HARNESS_H
/*
 * In a test: tell the restored (or original) @pid to check its state
 * (SIGUSR1) and expect it to exit 0 within @timeout_ms; on failure print
 * its log @logpath (if not NULL).
 */
static inline void ckpt_expect_exit0(struct __test_metadata *_metadata,
				     pid_t pid, const char *logpath,
				     int timeout_ms)
{
	int status;

	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, timeout_ms));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("pid %d: status %#x", pid, status);
		if (logpath)
			ckpt_dump_log(logpath);
	}
}
#endif

#endif /* CKPT_UTIL_H */
