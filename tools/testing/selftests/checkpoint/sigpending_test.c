// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of pending signals.
 *
 * A child with two threads blocks a few signals and queues them to
 * itself: standard and real-time, to the process (shared) and to one
 * thread (private), real-time ones several times with distinct values.
 * The parent compares the pending sets in /proc before the checkpoint
 * and after the restart.  The restored child then unblocks them: its
 * handlers, which block every signal while they run, must see each one
 * exactly once, with its siginfo (code, value, sender), in the order the
 * kernel dequeues them: a thread's own before the process's, standard
 * before real-time, lower numbers first, and queue order for one number.
 * The second thread must receive the signal queued to it, and nothing
 * else.  The variant without a checkpoint shows the expected order is
 * the kernel's.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	10000
#define TMO_EXIT	20000

/* Real-time signals above the two glibc keeps (SIGRTMIN is 34) */
#define RT1	35
#define RT2	36
#define RT3	37

struct seen {
	int signo, code, value, pid;
	pid_t tid;
};

static struct seen seen[32];
static atomic_int nr_seen;
static atomic_int thread_go;
static pid_t thread_tid;

static void handler(int sig, siginfo_t *si, void *uc)
{
	int i = atomic_fetch_add(&nr_seen, 1);

	if (i >= (int)(sizeof(seen) / sizeof(seen[0])))
		return;
	seen[i].signo = si->si_signo;
	seen[i].code = si->si_code;
	seen[i].value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
	seen[i].pid = si->si_pid;
	seen[i].tid = gettid();
}

static int queue(pid_t tid, int sig, int value)
{
	siginfo_t si = {
		.si_signo = sig,
		.si_code = SI_QUEUE,
		.si_pid = getpid(),
		.si_uid = getuid(),
	};

	si.si_value.sival_int = value;
	if (tid)
		return syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, sig, &si);
	return syscall(SYS_rt_sigqueueinfo, getpid(), sig, &si);
}

/* Blocks everything but RT3, which is queued to it alone */
static void *thread_fn(void *arg)
{
	struct timespec ts = { 0, 1000000 };
	sigset_t set;

	thread_tid = gettid();
	while (!atomic_load(&thread_go))
		nanosleep(&ts, NULL);
	sigemptyset(&set);
	sigaddset(&set, RT3);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return NULL;
}

/* The expected deliveries, in order */
static const struct { int sig, code, value; } want[] = {
	{ SIGWINCH, SI_TKILL, -1 },	/* main's own, standard first */
	{ RT2, SI_QUEUE, 22 },		/* main's own, real-time */
	{ SIGHUP, SI_USER, -1 },	/* then the process's */
	{ SIGTERM, SI_QUEUE, 5 },
	{ RT1, SI_QUEUE, 11 },
	{ RT1, SI_QUEUE, 12 },
	{ RT1, SI_QUEUE, 13 },
	{ RT2, SI_QUEUE, 21 },
	{ RT3, SI_QUEUE, 77 },		/* the thread's, at any time */
};

static int sigpending_child(void *arg)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGWINCH };
	struct sigaction sa = { .sa_sigaction = handler,
				.sa_flags = SA_SIGINFO };
	struct timespec ts = { 0, 1000000 };
	sigset_t block, all;
	pthread_t thr;
	unsigned int i;
	int n;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigaction(RT1, &sa, NULL);
	sigaction(RT2, &sa, NULL);
	sigaction(RT3, &sa, NULL);

	/* The thread starts with everything blocked */
	sigfillset(&all);
	sigdelset(&all, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &all, &block);
	if (pthread_create(&thr, NULL, thread_fn, NULL))
		return 90;
	while (!thread_tid)
		nanosleep(&ts, NULL);
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sigaddset(&block, RT1);
	sigaddset(&block, RT2);
	sigaddset(&block, RT3);
	pthread_sigmask(SIG_SETMASK, &block, NULL);

	if (queue(0, RT1, 11) || queue(0, RT2, 21) || queue(0, RT1, 12) ||
	    queue(0, SIGTERM, 5) || kill(getpid(), SIGHUP) ||
	    queue(0, RT1, 13) || queue(thread_tid, RT3, 77) ||
	    queue(gettid(), RT2, 22) || syscall(SYS_tgkill, getpid(), gettid(),
						SIGWINCH))
		return 91;
	ckpt_go_wait(1);

	/* Everything arrives when unblocked, one handler at a time */
	atomic_store(&thread_go, 1);
	pthread_join(thr, NULL);
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	n = atomic_load(&nr_seen);
	for (i = 0; i < (unsigned int)n && i < 32; i++)
		ckpt_child_log("seen %u: sig %d code %d value %d pid %d in %s",
			       i, seen[i].signo, seen[i].code, seen[i].value,
			       seen[i].pid,
			       seen[i].tid == getpid() ? "main" : "thread");
	CKPT_CHILD_CHECK(1, n == sizeof(want) / sizeof(want[0]));
	/* The thread's signal may come at any time: take it out first */
	for (i = 0; i < (unsigned int)n; i++)
		if (seen[i].tid != getpid())
			break;
	CKPT_CHILD_CHECK(2, i < (unsigned int)n && seen[i].signo == RT3 &&
			    seen[i].value == 77 && seen[i].tid == thread_tid);
	memmove(&seen[i], &seen[i + 1], (n - i - 1) * sizeof(seen[0]));
	for (i = 0; i + 1 < (unsigned int)n; i++) {
		CKPT_CHILD_CHECK(10 + i, seen[i].signo == want[i].sig &&
				 seen[i].code == want[i].code &&
				 seen[i].value == want[i].value &&
				 seen[i].pid == getpid() &&
				 seen[i].tid == getpid());
	}
	ckpt_child_log("all checks passed");
	return 0;
}

/* The pending masks of @pid's main thread and of its other thread */
static int pending_masks(pid_t pid, char *out, size_t size)
{
	char buf[4096], name[32], pnd[64], shd[64], tpnd[64];
	struct dirent *d;
	pid_t tid = 0;
	DIR *dir;

	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0 ||
	    ckpt_proc_field(buf, "SigPnd", pnd, sizeof(pnd)) ||
	    ckpt_proc_field(buf, "ShdPnd", shd, sizeof(shd)))
		return -1;
	snprintf(name, sizeof(name), "/proc/%d/task", pid);
	dir = opendir(name);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.' && atoi(d->d_name) != pid)
			tid = atoi(d->d_name);
	closedir(dir);
	snprintf(name, sizeof(name), "task/%d/status", tid);
	if (!tid || ckpt_proc_read(pid, name, buf, sizeof(buf)) <= 0 ||
	    ckpt_proc_field(buf, "SigPnd", tpnd, sizeof(tpnd)))
		return -1;
	snprintf(out, size, "main %s shared %s thread %s", pnd, shd, tpnd);
	return 0;
}

FIXTURE(sigpending) {
	char dir[64];
	char logpath[96];
	pid_t pid;
};

FIXTURE_VARIANT(sigpending) {
	int checkpoint;
};

FIXTURE_VARIANT_ADD(sigpending, without_checkpoint) {
	.checkpoint = 0,
};

FIXTURE_VARIANT_ADD(sigpending, restored) {
	.checkpoint = 1,
};

FIXTURE_SETUP(sigpending)
{
	strcpy(self->dir, "/tmp/ckpt-sigpending.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->logpath, sizeof(self->logpath), "%s/child.log",
		 self->dir);
	self->pid = -1;
}

FIXTURE_TEARDOWN(sigpending)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, NULL, TMO_EXIT);
	}
	unlink(self->logpath);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(sigpending, delivered_in_order, 120)
{
	char before[256], after[256], log[CKPT_LOG_MAX];
	int imgfd = -1, status;
	pid_t pid;

	self->pid = ckpt_spawn(sigpending_child, NULL, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->logpath);
	}
	ASSERT_EQ(0, pending_masks(self->pid, before, sizeof(before)));
	TH_LOG("pending before: %s", before);

	if (variant->checkpoint) {
		pid = ckpt_cycle(self->pid, &imgfd, log, sizeof(log));
		ASSERT_EQ(self->pid, pid) {
			TH_LOG("checkpoint/restart: %s; kernel log:\n%s",
			       strerror(errno), log);
			self->pid = -1;
		}
		close(imgfd);
		ASSERT_EQ(0, pending_masks(pid, after, sizeof(after)));
		EXPECT_STREQ(before, after);
	}

	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_EXIT));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("child status %#x", status);
		ckpt_dump_log(self->logpath);
	}
}

TEST_HARNESS_MAIN
