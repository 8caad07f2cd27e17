// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of stopped processes.
 *
 * A child counts in a loop, publishing its counter in a file.  The test
 * stops it with SIGSTOP and checkpoints it:
 *
 * - without flags: it stays stopped (state T, counter still), and runs
 *   on after SIGCONT;
 * - with CKPT_KILL: it dies; restarted, it is stopped again before it
 *   runs a single instruction (the counter does not move), and counts on
 *   after SIGCONT.  The test had collected the stop with
 *   waitpid(WUNTRACED): the restored stop is not reported again.
 *
 * stop_signal: the child, in a process group of its own, is stopped by
 * SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU, and the test collects the stop
 * or not.  After the restart it is stopped, and waitpid(WUNTRACED)
 * reports the stop, by the same signal, exactly when the test had not
 * collected it; SIGCONT is reported by waitpid(WCONTINUED).  ckptinfo
 * accepts each image.
 *
 * A tree whose child is stopped while its root runs is restored so: the
 * child stopped, the root running.
 */
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_MS	20000

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

/* Count, publishing the counter at offset @off of @path, until SIGUSR1 */
static int count_until_usr1(const char *path, off_t off)
{
	struct timespec ts = { 0, 5000000 };
	unsigned long n = 0;
	int fd;

	signal(SIGUSR1, on_usr1);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 2;
	while (!got_usr1) {
		n++;
		if (pwrite(fd, &n, sizeof(n), off) != sizeof(n))
			return 3;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* As counter_child(), in a process group of its own (not orphaned) */
static int pgrp_counter_child(void *arg)
{
	if (setpgid(0, 0))
		return 7;
	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	ckpt_child_ready();
	return count_until_usr1(arg, 0);
}

static int counter_child(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	ckpt_child_ready();
	return count_until_usr1(arg, 0);
}

/* The root counts at offset 0, its child (stopped by the test) at 8 */
static int tree_root(void *arg)
{
	int status;
	pid_t child;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	child = fork();
	if (child == 0)
		_exit(count_until_usr1(arg, 8));
	if (child < 0)
		return 4;
	ckpt_child_ready();
	if (count_until_usr1(arg, 0))
		return 5;
	kill(child, SIGCONT);
	kill(child, SIGUSR1);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 6;
	return 0;
}

/* waitpid(WUNTRACED) with a timeout: @pid or 0 */
static pid_t wait_stopped(pid_t pid, int *status)
{
	int i;

	for (i = 0; i < TMO_MS / 10; i++) {
		if (waitpid(pid, status, WNOHANG | WUNTRACED) == pid)
			return pid;
		usleep(10000);
	}
	return 0;
}

static unsigned long counter(const char *path, off_t off)
{
	unsigned long n = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &n, sizeof(n), off) != sizeof(n))
			n = 0;
		close(fd);
	}
	return n;
}

/* The counter at @off moves (1) or stays (0) within 300 ms */
static int moves(const char *path, off_t off)
{
	unsigned long a = counter(path, off);
	int i;

	for (i = 0; i < 30; i++) {
		usleep(10000);
		if (counter(path, off) != a)
			return 1;
	}
	return 0;
}

FIXTURE(stopped) {
	char path[64];
	char logpath[64];
	pid_t pid, child;
};

FIXTURE_SETUP(stopped)
{
	unsigned long zero[2] = { 0, 0 };
	int fd;

	snprintf(self->path, sizeof(self->path), "/tmp/ckpt-stopped.%d",
		 getpid());
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-stopped.%d.log", getpid());
	fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(zero), write(fd, zero, sizeof(zero)));
	close(fd);
	self->pid = -1;
	self->child = -1;
}

FIXTURE_TEARDOWN(stopped)
{
	if (self->child > 0)
		kill(self->child, SIGKILL);
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, NULL, TMO_MS);
	}
	unlink(self->path);
	unlink(self->logpath);
}

static void start_stopped(struct __test_metadata *_metadata,
			  FIXTURE_DATA(stopped) *self)
{
	self->pid = ckpt_spawn(counter_child, self->path, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS));
	ASSERT_TRUE(moves(self->path, 0));
	ASSERT_EQ(0, kill(self->pid, SIGSTOP));
	ASSERT_EQ('T', ckpt_wait_state(self->pid, 'T', TMO_MS));
	ASSERT_FALSE(moves(self->path, 0));
}

static void finish(struct __test_metadata *_metadata,
		   FIXTURE_DATA(stopped) *self, off_t off)
{
	int status;

	ASSERT_EQ(0, kill(self->pid, SIGCONT));
	EXPECT_TRUE(moves(self->path, off));
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_MS));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
		ckpt_dump_log(self->logpath);
	}
}

TEST_F_TIMEOUT(stopped, left_stopped, 60)
{
	char log[CKPT_LOG_MAX];
	int imgfd;

	start_stopped(_metadata, self);
	ASSERT_LT(0, ckpt_checkpoint(self->pid, 0, &imgfd, log, sizeof(log))) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	close(imgfd);
	EXPECT_EQ('T', ckpt_proc_state(self->pid));
	EXPECT_FALSE(moves(self->path, 0));
	finish(_metadata, self, 0);
}

TEST_F_TIMEOUT(stopped, restored_stopped, 60)
{
	char log[CKPT_LOG_MAX];
	unsigned long before;
	int imgfd, status;
	pid_t pid;

	start_stopped(_metadata, self);
	before = counter(self->path, 0);
	/* The stop was reported: only the restored stop may be seen now */
	ASSERT_EQ(self->pid, wait_stopped(self->pid, &status));
	ASSERT_TRUE(WIFSTOPPED(status));
	pid = ckpt_cycle(self->pid, &imgfd, log, sizeof(log));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart: %s; log: %s", strerror(errno), log);
		self->pid = -1;
	}
	close(imgfd);
	EXPECT_EQ('T', ckpt_wait_state(pid, 'T', TMO_MS));
	EXPECT_FALSE(moves(self->path, 0));
	EXPECT_EQ(before, counter(self->path, 0));
	/* Reported before the checkpoint: not again */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG | WUNTRACED));
	finish(_metadata, self, 0);
}

TEST_F_TIMEOUT(stopped, tree_with_stopped_child, 60)
{
	char log[CKPT_LOG_MAX], name[40], buf[64];
	int imgfd, status;
	pid_t pid;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	self->pid = ckpt_spawn(tree_root, self->path, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS));
	snprintf(name, sizeof(name), "task/%d/children", self->pid);
	ASSERT_LT(0, ckpt_proc_read(self->pid, name, buf, sizeof(buf)));
	self->child = atoi(buf);
	ASSERT_LT(0, self->child);
	ASSERT_TRUE(moves(self->path, 8));
	ASSERT_EQ(0, kill(self->child, SIGSTOP));
	ASSERT_EQ('T', ckpt_wait_state(self->child, 'T', TMO_MS));

	ASSERT_LT(0, ckpt_checkpoint(self->pid, CKPT_KILL, &imgfd, log,
				     sizeof(log))) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_MS));
	/* The stopped child, killed too, is ours to reap (subreaper) */
	ASSERT_EQ(self->child, ckpt_waitpid(self->child, &status, TMO_MS));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	pid = ckpt_restart(imgfd, 0, log, sizeof(log));
	close(imgfd);
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("restart: %s; log: %s", strerror(errno), log);
		self->pid = -1;
	}
	EXPECT_EQ('T', ckpt_wait_state(self->child, 'T', TMO_MS));
	EXPECT_FALSE(moves(self->path, 8));
	EXPECT_TRUE(moves(self->path, 0));
	self->child = -1;
	/* The root continues its child and waits for it */
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_MS));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("root status %#x", status);
		ckpt_dump_log(self->logpath);
	}
}

FIXTURE(stopsig) {
	char path[64];
	char logpath[64];
	pid_t pid;
	int imgfd;
};

FIXTURE_VARIANT(stopsig) {
	int sig;
	int collected;		/* the test waits for the stop first */
};

FIXTURE_VARIANT_ADD(stopsig, sigstop_collected) {
	.sig = SIGSTOP, .collected = 1,
};

FIXTURE_VARIANT_ADD(stopsig, sigstop) {
	.sig = SIGSTOP, .collected = 0,
};

FIXTURE_VARIANT_ADD(stopsig, sigtstp) {
	.sig = SIGTSTP, .collected = 0,
};

FIXTURE_VARIANT_ADD(stopsig, sigttin_collected) {
	.sig = SIGTTIN, .collected = 1,
};

FIXTURE_VARIANT_ADD(stopsig, sigttou) {
	.sig = SIGTTOU, .collected = 0,
};

FIXTURE_SETUP(stopsig)
{
	unsigned long zero = 0;
	int fd;

	snprintf(self->path, sizeof(self->path), "/tmp/ckpt-stopsig.%d",
		 getpid());
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-stopsig.%d.log", getpid());
	fd = open(self->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(zero), write(fd, &zero, sizeof(zero)));
	close(fd);
	self->pid = -1;
	self->imgfd = -1;
}

FIXTURE_TEARDOWN(stopsig)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, NULL, TMO_MS);
	}
	if (self->imgfd >= 0)
		close(self->imgfd);
	unlink(self->path);
	unlink(self->logpath);
}

TEST_F_TIMEOUT(stopsig, stop_signal, 60)
{
	char log[CKPT_LOG_MAX];
	int status;
	pid_t pid;

	self->pid = ckpt_spawn(pgrp_counter_child, self->path, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS));
	ASSERT_TRUE(moves(self->path, 0));
	ASSERT_EQ(self->pid, getpgid(self->pid));
	ASSERT_EQ(0, kill(self->pid, variant->sig));
	ASSERT_EQ('T', ckpt_wait_state(self->pid, 'T', TMO_MS));
	if (variant->collected) {
		ASSERT_EQ(self->pid, wait_stopped(self->pid, &status));
		ASSERT_TRUE(WIFSTOPPED(status) &&
			    WSTOPSIG(status) == variant->sig);
	}

	pid = ckpt_cycle(self->pid, &self->imgfd, log, sizeof(log));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart: %s; log: %s", strerror(errno), log);
		self->pid = -1;
	}
	EXPECT_EQ(0, ckpt_ckptinfo(self->imgfd)) {
		ckpt_dump_log("/tmp/ckptinfo.err");
	}
	EXPECT_EQ('T', ckpt_wait_state(pid, 'T', TMO_MS));
	EXPECT_FALSE(moves(self->path, 0));
	EXPECT_EQ(self->pid, getpgid(self->pid));
	if (!variant->collected) {
		EXPECT_EQ(pid, waitpid(pid, &status, WNOHANG | WUNTRACED));
		EXPECT_TRUE(WIFSTOPPED(status) &&
			    WSTOPSIG(status) == variant->sig) {
			TH_LOG("status %#x", status);
		}
	}
	/* Once only, or not again */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG | WUNTRACED));

	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(pid, waitpid(pid, &status, WCONTINUED));
	EXPECT_TRUE(WIFCONTINUED(status)) {
		TH_LOG("status %#x", status);
	}
	EXPECT_TRUE(moves(self->path, 0));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_MS));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
		ckpt_dump_log(self->logpath);
	}
}

TEST_HARNESS_MAIN
