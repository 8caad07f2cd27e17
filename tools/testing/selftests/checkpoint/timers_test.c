// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of interval timers and timer slack.
 *
 * A child arms ITIMER_REAL (first expiry in 3 s, then every 250 ms, a
 * SIGALRM handler counting) and ITIMER_VIRTUAL (10 s of CPU time, then
 * every second), leaves ITIMER_PROF disarmed and sets its timer slack.
 * It is checkpointed about 1 s later and restarted.  The restored child
 * checks with getitimer(): the intervals are exactly the ones set, the
 * real timer has about 2 s left (less than the 3 s it started with, not
 * more than was left at the checkpoint), the virtual one no more than
 * 10 s, the profiling one is still disarmed, and the slack is the one it
 * set.  The real timer must then fire, and keep firing every 250 ms.
 *
 * POSIX timers: a periodic one signalling the process with a value, a
 * deleted one (its id must stay free), an armed SIGEV_NONE one on
 * CLOCK_REALTIME and one signalling a given thread must come back with
 * their ids, settings and notifications, and fire.  A timer on a
 * CPU-time clock makes the checkpoint fail cleanly.
 *
 * pending_timer_signal: a periodic timer (20 ms) whose signal is blocked
 * expired before the checkpoint: its signal is pending.  200 ms after
 * the restart the signal is still pending once: sigtimedwait() gets it,
 * SI_TIMER with the timer's id and value and an overrun of the periods
 * since (timer_getoverrun() agrees), then nothing until the timer,
 * armed again by that delivery, has expired again (a slow child may see
 * that happen); it fires again.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/time.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define SLACK_NS	123456
#define TMO_MS		20000

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

static long tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

static int timers_child(void *arg)
{
	struct itimerval real = { { 0, 250000 }, { 3, 0 } };
	struct itimerval virt = { { 1, 0 }, { 10, 0 } };
	struct itimerval r, v, p;
	struct timespec ts = { 0, 10000000 };
	int i, before;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	signal(SIGALRM, on_alarm);
	if (prctl(PR_SET_TIMERSLACK, SLACK_NS, 0, 0, 0) ||
	    setitimer(ITIMER_REAL, &real, NULL) ||
	    setitimer(ITIMER_VIRTUAL, &virt, NULL))
		return 2;
	ckpt_go_wait(1);

	getitimer(ITIMER_REAL, &r);
	getitimer(ITIMER_VIRTUAL, &v);
	getitimer(ITIMER_PROF, &p);
	ckpt_child_log("real %ld ms left every %ld ms, virtual %ld ms every %ld ms, prof %ld ms, slack %d, %d alarms",
		       tv_ms(&r.it_value), tv_ms(&r.it_interval),
		       tv_ms(&v.it_value), tv_ms(&v.it_interval),
		       tv_ms(&p.it_value), prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0),
		       (int)alarms);
	CKPT_CHILD_CHECK(3, r.it_interval.tv_sec == 0 &&
			    r.it_interval.tv_usec == 250000);
	CKPT_CHILD_CHECK(4, tv_ms(&r.it_value) > 500 &&
			    tv_ms(&r.it_value) < 2900);
	CKPT_CHILD_CHECK(5, v.it_interval.tv_sec == 1 &&
			    v.it_interval.tv_usec == 0);
	CKPT_CHILD_CHECK(6, tv_ms(&v.it_value) > 9000 &&
			    tv_ms(&v.it_value) <= 10010);
	CKPT_CHILD_CHECK(7, !p.it_value.tv_sec && !p.it_value.tv_usec &&
			    !p.it_interval.tv_sec && !p.it_interval.tv_usec);
	CKPT_CHILD_CHECK(8, prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == SLACK_NS);
	CKPT_CHILD_CHECK(9, alarms == 0);

	/* The first expiry, then four more at 250 ms intervals */
	for (i = 0; i < 400 && alarms == 0; i++)
		nanosleep(&ts, NULL);
	CKPT_CHILD_CHECK(10, alarms >= 1);
	before = alarms;
	for (i = 0; i < 400 && alarms < before + 4; i++)
		nanosleep(&ts, NULL);
	CKPT_CHILD_CHECK(11, alarms >= before + 4);
	ckpt_child_log("all checks passed");
	return 0;
}

#define RT_A	40
#define RT_D	41

static atomic_int a_fired, a_bad, d_fired, d_bad;
static timer_t timer_a;
static pid_t thread_tid;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	if (sig == RT_A) {
		if (si->si_value.sival_int != 1234 || si->si_code != SI_TIMER ||
		    si->si_timerid != (long)timer_a || gettid() != getpid())
			atomic_fetch_add(&a_bad, 1);
		atomic_fetch_add(&a_fired, 1);
	} else {
		if (si->si_value.sival_int != 77 || gettid() != thread_tid)
			atomic_fetch_add(&d_bad, 1);
		atomic_fetch_add(&d_fired, 1);
	}
}

/* Takes RT_D only, which timer D sends to it alone */
static void *thread_fn(void *arg)
{
	sigset_t set;

	thread_tid = gettid();
	sigemptyset(&set);
	sigaddset(&set, RT_D);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* SIGUSR1 is the main thread's, even before it waits for it */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;)
		pause();
	return NULL;
}

static long spec_ms(const struct timespec *ts)
{
	return ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static int posix_timers_child(void *arg)
{
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	struct itimerspec a_set = { { 0, 200000000 }, { 2, 0 } };
	struct itimerspec c_set = { { 0, 0 }, { 100, 0 } };
	struct itimerspec d_set = { { 0, 0 }, { 1, 500000000 } };
	struct timespec ts = { 0, 10000000 };
	struct sigevent ev = {};
	struct itimerspec cur;
	timer_t b, c, d;
	sigset_t set;
	pthread_t thr;
	int i;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	sigaction(RT_A, &sa, NULL);
	sigaction(RT_D, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, RT_D);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&thr, NULL, thread_fn, NULL))
		return 2;
	while (!thread_tid)
		nanosleep(&ts, NULL);

	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = RT_A;
	ev.sigev_value.sival_int = 1234;
	if (timer_create(CLOCK_MONOTONIC, &ev, &timer_a) ||
	    timer_create(CLOCK_MONOTONIC, NULL, &b) || timer_delete(b))
		return 3;
	ev.sigev_notify = SIGEV_NONE;
	if (timer_create(CLOCK_REALTIME, &ev, &c))
		return 4;
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = RT_D;
	ev.sigev_value.sival_int = 77;
	ev._sigev_un._tid = thread_tid;
	if (timer_create(CLOCK_MONOTONIC, &ev, &d) ||
	    timer_settime(timer_a, 0, &a_set, NULL) ||
	    timer_settime(c, 0, &c_set, NULL) ||
	    timer_settime(d, 0, &d_set, NULL))
		return 5;
	ckpt_child_log("timers a %ld b %ld c %ld d %ld", (long)timer_a,
		       (long)b, (long)c, (long)d);
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(10, !timer_gettime(timer_a, &cur) &&
			     cur.it_interval.tv_sec == 0 &&
			     cur.it_interval.tv_nsec == 200000000 &&
			     spec_ms(&cur.it_value) > 0 &&
			     spec_ms(&cur.it_value) < 2000);
	CKPT_CHILD_CHECK(11, timer_gettime(b, &cur) && errno == EINVAL);
	CKPT_CHILD_CHECK(12, !timer_gettime(c, &cur) &&
			     !cur.it_interval.tv_sec &&
			     !cur.it_interval.tv_nsec &&
			     spec_ms(&cur.it_value) > 90000 &&
			     spec_ms(&cur.it_value) <= 100000);
	CKPT_CHILD_CHECK(13, !timer_gettime(d, &cur) &&
			     spec_ms(&cur.it_value) > 0 &&
			     spec_ms(&cur.it_value) <= 1500);
	CKPT_CHILD_CHECK(14, timer_getoverrun(timer_a) == 0);
	CKPT_CHILD_CHECK(15, !atomic_load(&a_fired) && !atomic_load(&d_fired));
	for (i = 0; i < 500 && (atomic_load(&a_fired) < 4 ||
				!atomic_load(&d_fired)); i++)
		nanosleep(&ts, NULL);
	ckpt_child_log("a fired %d (%d bad), d fired %d (%d bad)",
		       atomic_load(&a_fired), atomic_load(&a_bad),
		       atomic_load(&d_fired), atomic_load(&d_bad));
	CKPT_CHILD_CHECK(16, atomic_load(&a_fired) >= 4 && !atomic_load(&a_bad));
	CKPT_CHILD_CHECK(17, atomic_load(&d_fired) == 1 && !atomic_load(&d_bad));
	ckpt_child_log("all checks passed");
	return 0;
}

#define PT_PERIOD_NS	20000000L

static int sig_is_pending(int sig)
{
	sigset_t p;

	return !sigpending(&p) && sigismember(&p, sig);
}

static int pending_timer_child(void *arg)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL };
	struct itimerspec its = { { 0, PT_PERIOD_NS }, { 0, PT_PERIOD_NS } };
	struct timespec zero = { 0, 0 }, five = { 5, 0 };
	int sig = SIGRTMIN + 3;
	struct itimerspec cur;
	long long t0, t1;
	siginfo_t si;
	sigset_t set;
	timer_t t;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = 77;
	sigemptyset(&set);
	sigaddset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &ev, &t) ||
	    timer_settime(t, 0, &its, NULL))
		return 2;
	usleep(100000);
	if (!sig_is_pending(sig))
		return 3;
	ckpt_go_wait(1);

	usleep(200000);
	CKPT_CHILD_CHECK(10, sig_is_pending(sig));
	CKPT_CHILD_CHECK(11, sigtimedwait(&set, &si, &zero) == sig);
	ckpt_child_log("code %d timer %d value %d overrun %d (getoverrun %d)",
		       si.si_code, si.si_timerid, si.si_value.sival_int,
		       si.si_overrun, timer_getoverrun(t));
	CKPT_CHILD_CHECK(12, si.si_code == SI_TIMER &&
			     si.si_timerid == (int)(long)t &&
			     si.si_value.sival_int == 77);
	CKPT_CHILD_CHECK(13, si.si_overrun >= 3 &&
			     timer_getoverrun(t) == si.si_overrun);
	/*
	 * Queued once, not once more for each expiry: the delivery armed
	 * the timer again, so another signal may only come once it has
	 * expired since, however slowly this child runs.
	 */
	t0 = ckpt_now_ns(CLOCK_MONOTONIC);
	CKPT_CHILD_CHECK(14, !timer_gettime(t, &cur));
	if (sigtimedwait(&set, &si, &zero) == sig) {
		t1 = ckpt_now_ns(CLOCK_MONOTONIC);
		ckpt_child_log("expired again %lld ns after the delivery, %lld ns were left",
			       t1 - t0, ckpt_ts_ns(&cur.it_value));
		CKPT_CHILD_CHECK(15, t1 - t0 >= ckpt_ts_ns(&cur.it_value));
	} else {
		CKPT_CHILD_CHECK(16, errno == EAGAIN);
	}
	CKPT_CHILD_CHECK(17, sigtimedwait(&set, &si, &five) == sig &&
			     si.si_code == SI_TIMER);
	ckpt_child_log("all checks passed");
	return 0;
}

static int cpu_timer_child(void *arg)
{
	timer_t id;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	if (timer_create(CLOCK_PROCESS_CPUTIME_ID, NULL, &id))
		return 2;
	ckpt_go_wait(1);
	return 0;
}

FIXTURE(timers) {
	char logpath[64];
	pid_t pid;
};

FIXTURE_SETUP(timers)
{
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-timers.%d.log", getpid());
	self->pid = -1;
}

FIXTURE_TEARDOWN(timers)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, NULL, TMO_MS);
	}
	unlink(self->logpath);
}

/* Checkpoint and restart the child @fn sets up, @wait_s s after it is */
static void timers_cycle(struct __test_metadata *_metadata,
			 FIXTURE_DATA(timers) *self, int (*fn)(void *),
			 int wait_s)
{
	char log[CKPT_LOG_MAX];
	int imgfd;
	pid_t pid;

	self->pid = ckpt_spawn(fn, NULL, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS)) {
		ckpt_dump_log(self->logpath);
	}
	sleep(wait_s);
	pid = ckpt_cycle(self->pid, &imgfd, log, sizeof(log));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart: %s; log: %s", strerror(errno), log);
		self->pid = -1;
	}
	close(imgfd);
	ckpt_expect_exit0(_metadata, pid, self->logpath, TMO_MS);
	self->pid = -1;
}

TEST_F_TIMEOUT(timers, itimers_and_slack, 120)
{
	timers_cycle(_metadata, self, timers_child, 1);
}

TEST_F_TIMEOUT(timers, posix_timers, 120)
{
	timers_cycle(_metadata, self, posix_timers_child, 0);
}

TEST_F_TIMEOUT(timers, pending_timer_signal, 120)
{
	timers_cycle(_metadata, self, pending_timer_child, 0);
}

TEST_F_TIMEOUT(timers, cpu_timer_refused, 60)
{
	char log[CKPT_LOG_MAX];
	int imgfd;
	long ret;

	self->pid = ckpt_spawn(cpu_timer_child, NULL, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS));
	ret = ckpt_checkpoint(self->pid, CKPT_KILL, &imgfd, log, sizeof(log));
	close(imgfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_TRUE(ckpt_has_num(log, "pid ", self->pid) &&
		    strstr(log, "POSIX timer")) {
		TH_LOG("log: %s", log);
	}
	/* Refused: the child runs on, unharmed */
	EXPECT_EQ(0, kill(self->pid, 0));
}

TEST_HARNESS_MAIN
