// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of a task inside a system call or computing.
 *
 * blocked.*: a child blocks in pause(), rt_sigsuspend(), select(), poll(),
 * ppoll() or pselect6() with no timeout (the -ERESTARTNOHAND paths, and
 * -ERESTART_RESTARTBLOCK for poll(); sigsuspend, ppoll and pselect6 with a
 * temporary signal mask).  It is checkpointed there and killed, then
 * restarted: it must be back in the same system call (same
 * /proc/PID/syscall line, or restart_syscall() for poll(); same signal
 * masks in /proc/PID/status) and stay there for 300 ms with its SIGUSR1
 * handler not run and no progress marker logged.  Then SIGUSR1 runs the
 * handler once and the call returns -1/EINTR exactly once, with the
 * original signal mask back in place.  The *_after_stop and
 * *_after_checkpoint variants first stop and continue the child, or
 * checkpoint it without flags, so that it is back in its call through
 * the kernel's restart machinery (restart_syscall() for poll()) when it
 * is checkpointed for good.
 *
 * nanosleep*: a child checkpointed in a 2 s nanosleep() (also after a
 * stop or a checkpoint without flags, when it sleeps on in
 * restart_syscall()) is restarted; the call then completes with 0 (no
 * EINTR, no leaked restart code) and no less than 2 s after it was first
 * made.  nanosleep_time_left, poll_time_left, epoll_time_left,
 * epoll_pwait_time_left, futex_time_left: the restored sleep, poll(),
 * epoll_wait() or epoll_pwait() timeout or FUTEX_WAIT timeout lasts the
 * time that was left when it was checkpointed (the epoll waits return 0,
 * never EINTR); the futex wait then fails with ETIMEDOUT.
 * sigtimedwait_time_left: an rt_sigtimedwait() does too, and fails with
 * EAGAIN, also when a checkpoint without flags made it continue in
 * restart_syscall() first (sigtimedwait_after_checkpoint);
 * sigtimedwait_signal: restored, it waits in restart_syscall()
 * and returns the signal queued then, with its value and sender.  futex_deadline: a FUTEX_WAIT_BITSET keeps its absolute
 * deadline: the time between checkpoint and restart counts.
 *
 * compute: a child in a long loop of integer and floating point work,
 * checkpointed in user mode; after restart and SIGUSR1 it replays the
 * same number of iterations and must find the same results.
 */
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <linux/futex.h>
#include <sys/select.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

/* Shared context of the fixtures */
struct ctx {
	pid_t pid;
	int img;
	char logpath[64];
	char klog[CKPT_LOG_MAX];
};

static void ctx_setup(struct ctx *c, const char *name)
{
	c->pid = -1;
	c->img = -1;
	c->klog[0] = '\0';
	snprintf(c->logpath, sizeof(c->logpath), "/tmp/ckpt-%s-%d.log", name,
		 getpid());
}

static void ctx_teardown(struct __test_metadata *_metadata, struct ctx *c)
{
	int status;

	if (!_metadata->passed) {
		if (c->klog[0])
			TH_LOG("kernel message: %s", c->klog);
		ckpt_dump_log(c->logpath);
	}
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		ckpt_waitpid(c->pid, &status, 5000);
	}
	if (c->img >= 0)
		close(c->img);
	unlink(c->logpath);
}

static void expect_exit(struct __test_metadata *_metadata, pid_t *pidp,
			int code, int timeout_ms)
{
	int status = 0;
	pid_t ret;

	ret = ckpt_waitpid(*pidp, &status, timeout_ms);
	ASSERT_EQ(*pidp, ret) {
		TH_LOG("child %d did not exit within %d ms", *pidp,
		       timeout_ms);
	}
	*pidp = -1;
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	}
	ASSERT_EQ(code, WEXITSTATUS(status));
}

/* Checkpoint with CKPT_KILL, reap, restart: same pid. */
static void kill_and_restart(struct __test_metadata *_metadata,
			     struct ctx *c)
{
	pid_t ret = ckpt_cycle(c->pid, &c->img, c->klog, sizeof(c->klog));

	ASSERT_EQ(c->pid, ret) {
		TH_LOG("checkpoint/restart cycle failed: %s",
		       strerror(errno));
	}
}

static int log_has(const char *logpath, const char *what)
{
	char buf[CKPT_LOG_MAX];
	int fd = open(logpath, O_RDONLY);

	if (fd < 0)
		return 0;
	ckpt_read_all(fd, buf, sizeof(buf));
	close(fd);
	return strstr(buf, what) != NULL;
}

/* The Sig* lines of /proc/PID/status */
static void sig_lines(pid_t pid, char *out, size_t size)
{
	static const char * const keys[] = {
		"SigBlk:", "SigIgn:", "SigCgt:",
	};
	char buf[4096], *p;
	size_t used = 0, i;

	out[0] = '\0';
	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		p = strstr(buf, keys[i]);
		if (p)
			used += snprintf(out + used, size - used, "%.*s ",
					 (int)strcspn(p, "\n"), p);
	}
}

/* --- blocked in a system call --- */

static volatile int handled;

static void count_handler(int sig)
{
	handled++;
}

enum blocker { B_PAUSE, B_SIGSUSPEND, B_SELECT, B_POLL, B_PPOLL,
	       B_PSELECT6, B_SIGTIMEDWAIT };

FIXTURE(blocked) {
	struct ctx c;
};

FIXTURE_VARIANT(blocked) {
	enum blocker how;
	int nr;			/* the system call it blocks in */
	int masked;		/* SIGUSR1 only unblocked inside the call */
	int alt_nr;		/* may be back in this one instead, or -1 */
	int pre;		/* PRE_*: done to it before the checkpoint */
};

/*
 * Before the checkpoint, the child can be stopped and continued, or
 * checkpointed without flags: either way it is then back in its call
 * through the kernel's restart machinery (restart_syscall() for poll()).
 */
enum { PRE_NONE, PRE_STOP, PRE_CKPT };

FIXTURE_VARIANT_ADD(blocked, pause) {
	.how = B_PAUSE, .nr = __NR_pause,
	.masked = 0, .alt_nr = -1,
};

FIXTURE_VARIANT_ADD(blocked, sigsuspend) {
	.how = B_SIGSUSPEND, .nr = __NR_rt_sigsuspend,
	.masked = 1, .alt_nr = -1,
};

FIXTURE_VARIANT_ADD(blocked, select) {
	.how = B_SELECT, .nr = __NR_select,
	.masked = 0, .alt_nr = -1,
};

FIXTURE_VARIANT_ADD(blocked, poll) {
	/* poll() restarts through restart_syscall() */
	.how = B_POLL, .nr = __NR_poll,
	.masked = 0, .alt_nr = __NR_restart_syscall,
};

FIXTURE_VARIANT_ADD(blocked, poll_after_stop) {
	.how = B_POLL, .nr = __NR_poll,
	.masked = 0, .alt_nr = __NR_restart_syscall, .pre = PRE_STOP,
};

FIXTURE_VARIANT_ADD(blocked, poll_after_checkpoint) {
	.how = B_POLL, .nr = __NR_poll,
	.masked = 0, .alt_nr = __NR_restart_syscall, .pre = PRE_CKPT,
};

FIXTURE_VARIANT_ADD(blocked, pause_after_checkpoint) {
	.how = B_PAUSE, .nr = __NR_pause,
	.masked = 0, .alt_nr = -1, .pre = PRE_CKPT,
};

FIXTURE_VARIANT_ADD(blocked, ppoll) {
	.how = B_PPOLL, .nr = __NR_ppoll,
	.masked = 1, .alt_nr = -1,
};

FIXTURE_VARIANT_ADD(blocked, pselect6) {
	.how = B_PSELECT6, .nr = __NR_pselect6,
	.masked = 1, .alt_nr = -1,
};

/* It fails with EINTR when interrupted: the park must not make it */
FIXTURE_VARIANT_ADD(blocked, sigtimedwait) {
	.how = B_SIGTIMEDWAIT, .nr = __NR_rt_sigtimedwait,
	.masked = 0, .alt_nr = -1,
};

FIXTURE_VARIANT_ADD(blocked, sigtimedwait_after_checkpoint) {
	.how = B_SIGTIMEDWAIT, .nr = __NR_rt_sigtimedwait,
	.masked = 0, .alt_nr = -1, .pre = PRE_CKPT,
};

FIXTURE_SETUP(blocked)
{
	ctx_setup(&self->c, "syscall");
}

FIXTURE_TEARDOWN(blocked)
{
	ctx_teardown(_metadata, &self->c);
}

static int blocked_child(void *arg)
{
	const FIXTURE_VARIANT(blocked) *v = arg;
	struct sigaction sa = { .sa_handler = count_handler };
	struct { const sigset_t *ss; size_t len; } ps6;
	sigset_t orig, tmp, now;
	long ret = -2;
	int err, sig;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	/* no SA_RESTART: these calls return EINTR after a handler anyway */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	sigemptyset(&orig);
	sigaddset(&orig, SIGRTMIN + 3);
	if (v->masked)
		sigaddset(&orig, SIGUSR1);
	sigemptyset(&tmp);
	sigaddset(&tmp, SIGRTMIN + 5);
	if (sigprocmask(SIG_SETMASK, &orig, NULL))
		return 1;
	ps6.ss = &tmp;
	ps6.len = 8;

	ckpt_child_log("BLOCKING in %d", v->nr);
	ckpt_child_ready();
	switch (v->how) {
	case B_PAUSE:
		ret = syscall(SYS_pause);
		break;
	case B_SIGSUSPEND:
		ret = syscall(SYS_rt_sigsuspend, &tmp, 8);
		break;
	case B_SELECT:
		ret = syscall(SYS_select, 0, NULL, NULL, NULL, NULL);
		break;
	case B_POLL:
		ret = syscall(SYS_poll, NULL, 0, -1);
		break;
	case B_PPOLL:
		ret = syscall(SYS_ppoll, NULL, 0, NULL, &tmp, 8);
		break;
	case B_PSELECT6:
		ret = syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, &ps6);
		break;
	case B_SIGTIMEDWAIT:
		/* waits for a signal that never comes, not SIGUSR1 */
		ret = syscall(SYS_rt_sigtimedwait, &tmp, NULL, NULL, 8);
		break;
	}
	err = errno;
	ckpt_child_log("RETURNED %ld errno %d, handler ran %d times", ret, err,
		       handled);
	CKPT_CHILD_CHECK(2, ret == -1);
	CKPT_CHILD_CHECK(3, err == EINTR);
	CKPT_CHILD_CHECK(4, handled == 1);
	CKPT_CHILD_CHECK(5, !sigprocmask(SIG_SETMASK, NULL, &now));
	for (sig = 1; sig <= SIGRTMAX; sig++)
		CKPT_CHILD_CHECK(6, sigismember(&now, sig) ==
				 sigismember(&orig, sig));
	return 0;
}

/* Wait until @pid sleeps in syscall @nr or @alt_nr; returns which or -1. */
static int wait_in_call(pid_t pid, int nr, int alt_nr, int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited <= timeout_ms; waited += 5) {
		if (!ckpt_wait_syscall(pid, nr, 0))
			return nr;
		if (alt_nr >= 0 && !ckpt_wait_syscall(pid, alt_nr, 0))
			return alt_nr;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Stop and continue @pid, or checkpoint it without flags (PRE_*). */
static void pre_checkpoint(struct __test_metadata *_metadata, struct ctx *c,
			   int pre)
{
	int img = -1;
	long id;

	if (pre == PRE_STOP) {
		ASSERT_EQ(0, kill(c->pid, SIGSTOP));
		ASSERT_EQ('T', ckpt_wait_state(c->pid, 'T', 10000));
		ASSERT_EQ(0, kill(c->pid, SIGCONT));
	} else if (pre == PRE_CKPT) {
		id = ckpt_checkpoint(c->pid, 0, &img, c->klog, sizeof(c->klog));
		close(img);
		ASSERT_LT(0, id) {
			TH_LOG("checkpoint without flags failed: %s",
			       strerror(errno));
		}
	}
}

TEST_F_TIMEOUT(blocked, restarts_call, 120)
{
	struct ctx *c = &self->c;
	char sc_before[256], sc_after[256];
	char sig_before[256], sig_after[256];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i, status, count, nr;

	c->pid = ckpt_spawn(blocked_child, (void *)variant, c->logpath);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, ckpt_wait_ready(c->pid, 30000));
	ASSERT_EQ(0, ckpt_wait_syscall(c->pid, variant->nr, 30000));
	if (variant->pre != PRE_NONE) {
		pre_checkpoint(_metadata, c, variant->pre);
		ASSERT_LE(0, wait_in_call(c->pid, variant->nr,
					  variant->alt_nr, 10000));
		ASSERT_EQ(0, ckpt_peek(c->pid, &handled, &count,
				       sizeof(count)));
		ASSERT_EQ(0, count);
	}
	ASSERT_LT(0, ckpt_proc_read(c->pid, "syscall", sc_before,
				    sizeof(sc_before)));
	sig_lines(c->pid, sig_before, sizeof(sig_before));

	kill_and_restart(_metadata, c);

	nr = wait_in_call(c->pid, variant->nr, variant->alt_nr, 10000);
	ASSERT_LE(0, nr) {
		TH_LOG("restored child is not back in syscall %d",
		       variant->nr);
	}
	/* still blocked: handler not run, nothing after the call logged */
	for (i = 0; i < 15; i++) {
		ASSERT_EQ(0, waitpid(c->pid, &status, WNOHANG));
		ASSERT_FALSE(log_has(c->logpath, "RETURNED"));
		ASSERT_EQ(0, ckpt_peek(c->pid, &handled, &count,
				       sizeof(count)));
		ASSERT_EQ(0, count);
		nanosleep(&ts, NULL);
	}
	ASSERT_EQ('S', ckpt_proc_state(c->pid));
	ASSERT_LT(0, ckpt_proc_read(c->pid, "syscall", sc_after,
				    sizeof(sc_after)));
	if (atoi(sc_before) == nr)
		EXPECT_STREQ(sc_before, sc_after);
	sig_lines(c->pid, sig_after, sizeof(sig_after));
	EXPECT_STREQ(sig_before, sig_after);

	ASSERT_EQ(0, kill(c->pid, SIGUSR1));
	expect_exit(_metadata, &c->pid, 0, 30000);
}

/* --- nanosleep and user-mode computation --- */

FIXTURE(sc) {
	struct ctx c;
};

FIXTURE_SETUP(sc)
{
	ctx_setup(&self->c, "syscall");
}

FIXTURE_TEARDOWN(sc)
{
	ctx_teardown(_metadata, &self->c);
}

#define SLEEP_SEC	2

static int sleep_child(void *arg)
{
	struct timespec req = { SLEEP_SEC, 0 }, rem = { 0, 0 }, t0, t1;
	long ret, ns;
	int err;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ckpt_child_ready();
	ret = syscall(SYS_nanosleep, &req, &rem);
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	ckpt_child_log("nanosleep returned %ld errno %d after %ld ms", ret,
		       err, ns / 1000000);
	CKPT_CHILD_CHECK(2, ret == 0);
	CKPT_CHILD_CHECK(3, ns >= SLEEP_SEC * 1000000000L);
	return 0;
}

static void sleep_test(struct __test_metadata *_metadata, struct ctx *c,
		       int pre)
{
	c->pid = ckpt_spawn(sleep_child, NULL, c->logpath);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, ckpt_wait_ready(c->pid, 30000));
	ASSERT_EQ(0, ckpt_wait_syscall(c->pid, __NR_nanosleep, 30000));
	if (pre != PRE_NONE) {
		pre_checkpoint(_metadata, c, pre);
		ASSERT_LE(0, wait_in_call(c->pid, __NR_nanosleep,
					  __NR_restart_syscall, 10000));
	}
	kill_and_restart(_metadata, c);
	expect_exit(_metadata, &c->pid, 0, 60000);
}

TEST_F_TIMEOUT(sc, nanosleep, 120)
{
	sleep_test(_metadata, &self->c, PRE_NONE);
}

/* Then in restart_syscall(), with the remaining time in its restart block */
TEST_F_TIMEOUT(sc, nanosleep_after_stop, 120)
{
	sleep_test(_metadata, &self->c, PRE_STOP);
}

TEST_F_TIMEOUT(sc, nanosleep_after_checkpoint, 120)
{
	sleep_test(_metadata, &self->c, PRE_CKPT);
}

#define LONG_SLEEP_SEC	8

static int long_sleep_child(void *arg)
{
	struct timespec req = { LONG_SLEEP_SEC, 0 }, rem = { 0, 0 }, t0, t1;
	long ret, ns;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ckpt_child_ready();
	ret = syscall(SYS_nanosleep, &req, &rem);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	ckpt_child_log("nanosleep returned %ld after %ld ms", ret,
		       ns / 1000000);
	CKPT_CHILD_CHECK(2, ret == 0);
	CKPT_CHILD_CHECK(3, ns >= LONG_SLEEP_SEC * 1000000000L);
	return 0;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static int long_poll_child(void *arg)
{
	struct timespec t0, t1;
	long ret, ns;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ckpt_child_ready();
	ret = syscall(SYS_poll, NULL, 0, LONG_SLEEP_SEC * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	ckpt_child_log("poll returned %ld after %ld ms", ret, ns / 1000000);
	CKPT_CHILD_CHECK(2, ret == 0);
	CKPT_CHILD_CHECK(3, ns >= LONG_SLEEP_SEC * 1000000000L);
	return 0;
}

/* epoll_wait() or epoll_pwait() on an epoll that nothing wakes */
static int long_epoll_wait(int nr)
{
	struct epoll_event ev;
	struct timespec t0;
	long ret, ms;
	int ep, err;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	ep = epoll_create1(0);
	if (ep < 0)
		return 5;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ckpt_child_ready();
	if (nr == __NR_epoll_wait)
		ret = syscall(nr, ep, &ev, 1, LONG_SLEEP_SEC * 1000);
	else
		ret = syscall(nr, ep, &ev, 1, LONG_SLEEP_SEC * 1000, NULL, 8);
	err = errno;
	ms = elapsed_ms(&t0);
	ckpt_child_log("syscall %d returned %ld (errno %d) after %ld ms", nr,
		       ret, err, ms);
	CKPT_CHILD_CHECK(2, ret == 0);
	CKPT_CHILD_CHECK(3, ms >= LONG_SLEEP_SEC * 1000);
	return 0;
}

static int long_epoll_child(void *arg)
{
	return long_epoll_wait(__NR_epoll_wait);
}

static int long_epoll_pwait_child(void *arg)
{
	return long_epoll_wait(__NR_epoll_pwait);
}

#define SIGWAIT_SIG	(SIGRTMIN + 5)
#define SIGWAIT_VALUE	42

/*
 * rt_sigtimedwait() for SIGWAIT_SIG, blocked, for LONG_SLEEP_SEC: it times
 * out (@queued 0) or returns the signal the test queues after the
 * restart, with its siginfo
 */
static int long_sigwait(int queued)
{
	struct timespec ts = { LONG_SLEEP_SEC, 0 }, t0;
	siginfo_t si;
	sigset_t set;
	long ret, ms;
	int err;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	sigemptyset(&set);
	sigaddset(&set, SIGWAIT_SIG);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return 5;
	memset(&si, 0, sizeof(si));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ckpt_child_ready();
	ret = syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 8);
	err = errno;
	ms = elapsed_ms(&t0);
	ckpt_child_log("rt_sigtimedwait returned %ld (errno %d) after %ld ms: signo %d code %d value %d pid %d",
		       ret, err, ms, si.si_signo, si.si_code,
		       si.si_value.sival_int, si.si_pid);
	if (!queued) {
		CKPT_CHILD_CHECK(2, ret == -1 && err == EAGAIN);
		CKPT_CHILD_CHECK(3, ms >= LONG_SLEEP_SEC * 1000);
		return 0;
	}
	CKPT_CHILD_CHECK(4, ret == SIGWAIT_SIG && si.si_signo == SIGWAIT_SIG &&
			    si.si_code == SI_QUEUE &&
			    si.si_value.sival_int == SIGWAIT_VALUE &&
			    si.si_pid == getppid());
	CKPT_CHILD_CHECK(5, ms < LONG_SLEEP_SEC * 1000);
	return 0;
}

static int long_sigwait_child(void *arg)
{
	return long_sigwait(0);
}

static int sigwait_signal_child(void *arg)
{
	return long_sigwait(1);
}

static u_int32_t futex_word;

/* FUTEX_WAIT: a relative timeout, FUTEX_WAIT_BITSET: a deadline */
static int long_futex_wait(int op)
{
	struct timespec t0, t1, ts = { LONG_SLEEP_SEC, 0 };
	long ret, ns;
	int err;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (op == FUTEX_WAIT_BITSET_PRIVATE)
		ts.tv_sec += t0.tv_sec, ts.tv_nsec = t0.tv_nsec;
	ckpt_child_ready();
	ret = syscall(SYS_futex, &futex_word, op, 0, &ts, NULL,
		      FUTEX_BITSET_MATCH_ANY);
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec;
	ckpt_child_log("futex op %d returned %ld (errno %d) after %ld ms", op,
		       ret, err, ns / 1000000);
	CKPT_CHILD_CHECK(2, ret == -1 && err == ETIMEDOUT);
	CKPT_CHILD_CHECK(3, ns >= LONG_SLEEP_SEC * 1000000000L);
	CKPT_CHILD_CHECK(4, futex_word == 0);
	return 0;
}

static int long_futex_child(void *arg)
{
	return long_futex_wait(FUTEX_WAIT_PRIVATE);
}

static int futex_deadline_child(void *arg)
{
	return long_futex_wait(FUTEX_WAIT_BITSET_PRIVATE);
}

/*
 * An 8 s wait checkpointed after 2 s and restarted 1 s later waits the 6 s
 * it had left (between @lo and @hi ms), not 8 s again nor 5 s: the time in
 * between does not count; a deadline is 5 s away.  With @again, a
 * checkpoint without flags first makes the call go on in
 * restart_syscall().
 */
static void time_left_test_again(struct __test_metadata *_metadata,
				 struct ctx *c, int (*fn)(void *), int nr,
				 bool again, long lo, long hi)
{
	struct timespec t0;
	int status;
	long ms;

	c->pid = ckpt_spawn(fn, NULL, c->logpath);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, ckpt_wait_ready(c->pid, 30000));
	ASSERT_EQ(0, ckpt_wait_syscall(c->pid, nr, 30000));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Resumed by a checkpoint without flags, it continues there */
	if (again) {
		ASSERT_LT(0, ckpt_checkpoint(c->pid, 0, &c->img, c->klog,
					     sizeof(c->klog)));
		close(c->img);
		c->img = -1;
		ASSERT_EQ(0, ckpt_wait_syscall(c->pid, __NR_restart_syscall,
					       30000));
	}
	usleep(2000 * 1000 - elapsed_ms(&t0) * 1000);
	ASSERT_LT(0, ckpt_checkpoint(c->pid, CKPT_KILL, &c->img, c->klog,
				     sizeof(c->klog)));
	ASSERT_EQ(c->pid, ckpt_waitpid(c->pid, &status, 10000));
	sleep(1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(c->pid, ckpt_restart(c->img, 0, c->klog, sizeof(c->klog)));
	expect_exit(_metadata, &c->pid, 0, 30000);
	ms = elapsed_ms(&t0);
	TH_LOG("the restored call lasted %ld ms", ms);
	EXPECT_LE(lo, ms);
	EXPECT_GE(hi, ms);
}

/* time_left_test_again() without the checkpoint that lets it go on */
static void time_left_test(struct __test_metadata *_metadata, struct ctx *c,
			   int (*fn)(void *), int nr, long lo, long hi)
{
	time_left_test_again(_metadata, c, fn, nr, false, lo, hi);
}

TEST_F_TIMEOUT(sc, nanosleep_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_sleep_child, __NR_nanosleep,
		       5500, 7000);
}

/* poll() is re-issued with the time it had left as its timeout */
TEST_F_TIMEOUT(sc, poll_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_poll_child, __NR_poll,
		       5500, 7000);
}

/* epoll_wait() is re-issued with the time it had left as its timeout */
TEST_F_TIMEOUT(sc, epoll_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_epoll_child, __NR_epoll_wait,
		       5500, 7000);
}

TEST_F_TIMEOUT(sc, epoll_pwait_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_epoll_pwait_child,
		       __NR_epoll_pwait, 5500, 7000);
}

/* rt_sigtimedwait() continues through restart_syscall() for its time left */
TEST_F_TIMEOUT(sc, sigtimedwait_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_sigwait_child,
		       __NR_rt_sigtimedwait, 5500, 7000);
}

/* A second checkpoint finds it in restart_syscall(): the same */
TEST_F_TIMEOUT(sc, sigtimedwait_after_checkpoint, 120)
{
	time_left_test_again(_metadata, &self->c, long_sigwait_child,
			     __NR_rt_sigtimedwait, true, 5500, 7000);
}

/* ... and still returns the signal it waits for, with its siginfo */
TEST_F_TIMEOUT(sc, sigtimedwait_signal, 120)
{
	union sigval v = { .sival_int = SIGWAIT_VALUE };
	struct ctx *c = &self->c;

	c->pid = ckpt_spawn(sigwait_signal_child, NULL, c->logpath);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, ckpt_wait_ready(c->pid, 30000));
	ASSERT_EQ(0, ckpt_wait_syscall(c->pid, __NR_rt_sigtimedwait, 30000));
	kill_and_restart(_metadata, c);
	ASSERT_EQ(0, ckpt_wait_syscall(c->pid, __NR_restart_syscall, 30000));
	ASSERT_EQ(0, sigqueue(c->pid, SIGWAIT_SIG, v));
	expect_exit(_metadata, &c->pid, 0, 30000);
}

TEST_F_TIMEOUT(sc, futex_time_left, 120)
{
	time_left_test(_metadata, &self->c, long_futex_child, __NR_futex,
		       5500, 7000);
}

/* Restarted about 3 s after the call: its deadline is about 5 s away */
TEST_F_TIMEOUT(sc, futex_deadline, 120)
{
	time_left_test(_metadata, &self->c, futex_deadline_child, __NR_futex,
		       3000, 5400);
}

static volatile sig_atomic_t stop;

static void stop_handler(int sig)
{
	stop = 1;
}

#define STEP(x, d) do {				\
	(x) ^= (x) << 13;			\
	(x) ^= (x) >> 7;			\
	(x) ^= (x) << 17;			\
	(d) = (d) * 1.0000001 + 0.25;		\
	if ((d) > 1e12)				\
		(d) -= 1e12;			\
} while (0)

static int compute_child(void *arg)
{
	struct sigaction sa = { .sa_handler = stop_handler };
	uint64_t x = 0x0123456789abcdefULL ^ getpid(), x0 = x, y = x0;
	double d = 1.0, e = 1.0;
	unsigned long n = 0, i;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 1;
	ckpt_child_ready();
	while (!stop) {
		STEP(x, d);
		n++;
	}
	for (i = 0; i < n; i++)
		STEP(y, e);
	ckpt_child_log("%lu iterations: %#llx %a, replayed %#llx %a", n,
		       (unsigned long long)x, d, (unsigned long long)y, e);
	CKPT_CHILD_CHECK(2, n > 0);
	CKPT_CHILD_CHECK(3, x == y);
	CKPT_CHILD_CHECK(4, !memcmp(&d, &e, sizeof(d)));
	return 0;
}

TEST_F_TIMEOUT(sc, compute, 120)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct ctx *c = &self->c;

	c->pid = ckpt_spawn(compute_child, NULL, c->logpath);
	ASSERT_LT(0, c->pid);
	ASSERT_EQ(0, ckpt_wait_ready(c->pid, 30000));
	nanosleep(&ts, NULL);
	ASSERT_EQ('R', ckpt_proc_state(c->pid));
	kill_and_restart(_metadata, c);
	nanosleep(&ts, NULL);
	ASSERT_EQ('R', ckpt_proc_state(c->pid));
	ASSERT_EQ(0, kill(c->pid, SIGUSR1));
	expect_exit(_metadata, &c->pid, 0, 60000);
}

TEST_HARNESS_MAIN
