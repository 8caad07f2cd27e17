// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of multi-threaded processes: every thread comes
 * back with its tid, registers, TLS (fs base) and blocked signal mask,
 * sharing the process's memory, fd table and signal actions.
 *
 * threads8: a process whose main thread starts 8 threads.  Each thread
 * has a __thread variable set to its index, records gettid(), the
 * address of its variable and its name ("pp-N", the comm), and plays
 * ping-pong with its partner (threads 2k and 2k+1) under a mutex and a
 * condition variable, counting strokes in a counter per pair.  The test
 * checks the image's tree (the leader, then 8 threads of its group
 * sharing mm, fd table, fs and signal actions), kills the process
 * (CKPT_KILL), reaps it and restarts it: the same 9 tids, with the same
 * names, and counters that go on from where they were.  After SIGUSR1
 * (caught by whichever thread, which sets a flag) every thread checks
 * its __thread value and its address, gettid() and pthread_self(); the
 * main thread checks that every pair has played at least 200 more
 * strokes, stops the threads, joins them and exits 0 or with the number
 * of the failed check.
 *
 * thread_masks: 4 threads and the main thread block different sets of
 * signals (one blocks everything); /proc/PID/task/TID/status shows the
 * same SigBlk for every tid after the restart, a SIGHUP sent with
 * tgkill() to the thread that blocks it stays pending in that thread,
 * and after SIGUSR1 each thread reads its mask with pthread_sigmask()
 * and compares it, signal by signal, with what it set and read before;
 * the thread blocking SIGHUP takes it with sigtimedwait().
 */
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	20000
#define TMO_EXIT	60000
#define MAX_TIDS	32

#define NR_WORKERS	8
#define NR_PAIRS	(NR_WORKERS / 2)
#define MIN_STROKES	200	/* per pair, after the restart */

static __thread int tls_index = -1;

static pid_t my_tid(void)
{
	return syscall(SYS_gettid);
}

struct worker {
	pthread_t thread;
	int index;
	pid_t tid;		/* gettid() when it started */
	int *tls_addr;		/* &tls_index in the thread */
	volatile int started;
	volatile int checked;	/* it checked itself after SIGUSR1 */
	volatile int result;	/* 0 or the number of the failed check */
};

struct pair {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int turn;		/* 0 or 1: which side plays next */
	unsigned long count;	/* strokes played */
};

static struct worker workers[NR_WORKERS];
static struct pair pairs[NR_PAIRS];
static volatile sig_atomic_t go;
static int stop;		/* under every pair's lock */
static pid_t main_tid;
static int *main_tls;

static void go_handler(int sig)
{
	go = 1;
}

static int install_go(void)
{
	struct sigaction sa = { .sa_handler = go_handler };

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

/* What a thread checks about itself after the restart; 0 or its number. */
static int self_check(struct worker *w)
{
	if (tls_index != w->index)
		return 10 + w->index;
	if (&tls_index != w->tls_addr)
		return 20 + w->index;
	if (my_tid() != w->tid || getpid() != main_tid)
		return 30 + w->index;
	if (!pthread_equal(pthread_self(), w->thread))
		return 40 + w->index;
	return 0;
}

static void *pingpong(void *arg)
{
	struct worker *w = arg;
	struct pair *p = &pairs[w->index / 2];
	int side = w->index % 2;

	tls_index = w->index;
	w->tid = my_tid();
	w->tls_addr = &tls_index;
	w->started = 1;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->turn != side && !stop)
			pthread_cond_wait(&p->cond, &p->lock);
		if (stop)
			break;
		p->count++;
		p->turn = !side;
		pthread_cond_signal(&p->cond);
		if (go && !w->checked) {
			w->result = self_check(w);
			w->checked = 1;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static unsigned long pair_count(int k)
{
	unsigned long v;

	pthread_mutex_lock(&pairs[k].lock);
	v = pairs[k].count;
	pthread_mutex_unlock(&pairs[k].lock);
	return v;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Join @t within @ms, its return value in *@ret; 0 or -1. */
static int join_within(pthread_t t, void **ret, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	return pthread_timedjoin_np(t, ret, &ts) ? -1 : 0;
}

static int threads8_child(void *arg)
{
	unsigned long c0[NR_PAIRS];
	char name[16];
	int i, k, waited, done;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (install_go())
		return 98;
	tls_index = NR_WORKERS;
	main_tid = my_tid();
	main_tls = &tls_index;
	for (k = 0; k < NR_PAIRS; k++) {
		if (pthread_mutex_init(&pairs[k].lock, NULL) ||
		    pthread_cond_init(&pairs[k].cond, NULL))
			return 97;
	}
	for (i = 0; i < NR_WORKERS; i++) {
		workers[i].index = i;
		if (pthread_create(&workers[i].thread, NULL, pingpong,
				   &workers[i]))
			return 96;
		snprintf(name, sizeof(name), "pp-%d", i);
		if (pthread_setname_np(workers[i].thread, name))
			return 95;
	}
	/* every thread runs and every pair plays */
	for (waited = 0; ; waited += 5) {
		done = 0;
		for (i = 0; i < NR_WORKERS; i++)
			done += workers[i].started;
		for (k = 0; k < NR_PAIRS; k++)
			done += pair_count(k) >= 10;
		if (done == NR_WORKERS + NR_PAIRS)
			break;
		if (waited >= TMO_READY)
			return 94;
		sleep_ms(5);
	}
	ckpt_child_ready();
	while (!go)
		sleep_ms(5);

	CKPT_CHILD_CHECK(1, tls_index == NR_WORKERS && &tls_index == main_tls);
	CKPT_CHILD_CHECK(2, my_tid() == main_tid && getpid() == main_tid);
	for (i = 0; i < NR_WORKERS; i++) {
		for (waited = 0; !workers[i].checked && waited < TMO_READY;
		     waited += 5)
			sleep_ms(5);
		if (!workers[i].checked)
			ckpt_child_log("thread %d (tid %d) did not check itself",
				       i, workers[i].tid);
		CKPT_CHILD_CHECK(3, workers[i].checked);
		if (workers[i].result)
			ckpt_child_log("thread %d: check %d failed", i,
				       workers[i].result);
		CKPT_CHILD_CHECK(workers[i].result, !workers[i].result);
	}
	/* the pairs keep playing */
	for (k = 0; k < NR_PAIRS; k++)
		c0[k] = pair_count(k);
	for (k = 0; k < NR_PAIRS; k++) {
		for (waited = 0; pair_count(k) < c0[k] + MIN_STROKES &&
		     waited < TMO_READY; waited += 5)
			sleep_ms(5);
		ckpt_child_log("pair %d: %lu -> %lu strokes", k, c0[k],
			       pair_count(k));
		CKPT_CHILD_CHECK(50 + k, pair_count(k) >= c0[k] + MIN_STROKES);
	}
	for (k = 0; k < NR_PAIRS; k++) {
		pthread_mutex_lock(&pairs[k].lock);
		stop = 1;
		pthread_cond_broadcast(&pairs[k].cond);
		pthread_mutex_unlock(&pairs[k].lock);
	}
	for (i = 0; i < NR_WORKERS; i++)
		CKPT_CHILD_CHECK(60 + i, !join_within(workers[i].thread, NULL,
						      TMO_READY));
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- blocked masks per thread --- */

#define NR_MASKED	4
#define SIG_PENDING	SIGHUP		/* blocked by thread 0 only */

/* What each thread blocks; the last one blocks everything. */
static void mask_of(int i, sigset_t *set)
{
	sigemptyset(set);
	switch (i) {
	case 0:
		sigaddset(set, SIGUSR1);
		sigaddset(set, SIG_PENDING);
		break;
	case 1:
		sigaddset(set, SIGUSR1);
		sigaddset(set, SIGINT);
		sigaddset(set, SIGRTMIN + 2);
		break;
	case 2:
		sigaddset(set, SIGUSR1);
		sigaddset(set, SIGQUIT);
		sigaddset(set, SIGALRM);
		sigaddset(set, SIGRTMAX);
		break;
	case 3:
		sigfillset(set);
		break;
	default:		/* the main thread */
		sigaddset(set, SIGPIPE);
		sigaddset(set, SIGRTMIN + 5);
		break;
	}
}

/* Is @sig in the mask the kernel keeps for @set (never KILL, STOP)? */
static int want_blocked(const sigset_t *set, int sig)
{
	if (sig == SIGKILL || sig == SIGSTOP || sig == 32 || sig == 33)
		return 0;
	return sigismember(set, sig) == 1;
}

static sigset_t mask_before[NR_MASKED + 1];
static pid_t mask_tid[NR_MASKED + 1];
static volatile int mask_ready[NR_MASKED];

/*
 * The current mask must hold exactly the signals of @before (read back
 * when the thread set it up) and of its spec @i.  0 or the check number.
 */
static int mask_check(int i)
{
	sigset_t now, spec;
	int sig;

	if (pthread_sigmask(SIG_BLOCK, NULL, &now))
		return 70 + i;
	mask_of(i, &spec);
	for (sig = 1; sig <= 64; sig++) {
		if (sigismember(&now, sig) != sigismember(&mask_before[i], sig)) {
			ckpt_child_log("thread %d: signal %d: blocked %d, was %d",
				       i, sig, sigismember(&now, sig),
				       sigismember(&mask_before[i], sig));
			return 75 + i;
		}
		if (sigismember(&now, sig) != want_blocked(&spec, sig)) {
			ckpt_child_log("thread %d: signal %d: blocked %d, set %d",
				       i, sig, sigismember(&now, sig),
				       want_blocked(&spec, sig));
			return 80 + i;
		}
	}
	return 0;
}

static void *masked(void *arg)
{
	struct timespec zero = { 0, 0 };
	int i = (long)arg, r;
	sigset_t set;

	tls_index = i;
	mask_of(i, &set);
	if (pthread_sigmask(SIG_SETMASK, &set, NULL) ||
	    pthread_sigmask(SIG_BLOCK, NULL, &mask_before[i]))
		return (void *)(long)(65 + i);
	mask_tid[i] = my_tid();
	mask_ready[i] = 1;
	while (!go)
		sleep_ms(5);

	r = mask_check(i);
	if (r)
		return (void *)(long)r;
	if (tls_index != i || my_tid() != mask_tid[i])
		return (void *)(long)(85 + i);
	/* the test sent SIG_PENDING to thread 0, which blocks it */
	if (i == 0) {
		if (sigpending(&set) || !sigismember(&set, SIG_PENDING))
			return (void *)90L;
		sigemptyset(&set);
		sigaddset(&set, SIG_PENDING);
		if (sigtimedwait(&set, NULL, &zero) != SIG_PENDING)
			return (void *)91L;
	}
	return NULL;
}

static int masks_child(void *arg)
{
	pthread_t thr[NR_MASKED];
	char name[16];
	sigset_t set;
	void *ret;
	int i, waited, r;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (install_go())
		return 98;
	tls_index = NR_MASKED;
	main_tid = my_tid();
	mask_of(NR_MASKED, &set);
	if (pthread_sigmask(SIG_SETMASK, &set, NULL) ||
	    pthread_sigmask(SIG_BLOCK, NULL, &mask_before[NR_MASKED]))
		return 97;
	mask_tid[NR_MASKED] = main_tid;
	for (i = 0; i < NR_MASKED; i++) {
		if (pthread_create(&thr[i], NULL, masked, (void *)(long)i))
			return 96;
		snprintf(name, sizeof(name), "mask-%d", i);
		if (pthread_setname_np(thr[i], name))
			return 95;
	}
	for (i = 0; i < NR_MASKED; i++) {
		for (waited = 0; !mask_ready[i]; waited += 5) {
			if (waited >= TMO_READY)
				return 94;
			sleep_ms(5);
		}
	}
	ckpt_child_ready();
	while (!go)
		sleep_ms(5);

	r = mask_check(NR_MASKED);
	CKPT_CHILD_CHECK(r, !r);
	CKPT_CHILD_CHECK(1, tls_index == NR_MASKED && my_tid() == main_tid);
	for (i = 0; i < NR_MASKED; i++) {
		ret = (void *)-1L;
		CKPT_CHILD_CHECK(2, !join_within(thr[i], &ret, TMO_READY));
		if (ret)
			ckpt_child_log("thread %d: check %ld failed", i,
				       (long)ret);
		CKPT_CHILD_CHECK((int)(long)ret, !ret);
	}
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- the parent --- */

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* The tids of @pid, sorted; their number or -1. */
static int list_tids(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if (n < max)
			tids[n] = atoi(d->d_name);
		n++;
	}
	closedir(dp);
	if (n > max)
		return -1;
	qsort(tids, n, sizeof(*tids), cmp_pid);
	return n;
}

/* /proc/PID/task/TID/@name, first line, into @out. */
static int task_file(pid_t pid, pid_t tid, const char *name, char *out,
		     size_t size)
{
	char path[32];

	snprintf(path, sizeof(path), "task/%d/%s", tid, name);
	if (ckpt_proc_read(pid, path, out, size) <= 0)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* A hex mask line ("SigBlk", "SigPnd") of a thread's status. */
static int task_mask(pid_t pid, pid_t tid, const char *key, uint64_t *mask)
{
	char path[32], buf[4096], val[64];

	snprintf(path, sizeof(path), "task/%d/status", tid);
	if (ckpt_proc_read(pid, path, buf, sizeof(buf)) <= 0 ||
	    ckpt_proc_field(buf, key, val, sizeof(val)))
		return -1;
	*mask = strtoull(val, NULL, 16);
	return 0;
}

/* What the test records of each thread before the checkpoint. */
struct thread_view {
	pid_t tid;
	char comm[32];
	uint64_t blocked;
};

static int view_threads(pid_t pid, struct thread_view *v, int max)
{
	pid_t tids[MAX_TIDS];
	int n, i;

	n = list_tids(pid, tids, MAX_TIDS);
	if (n < 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		v[i].tid = tids[i];
		if (task_file(pid, tids[i], "comm", v[i].comm,
			      sizeof(v[i].comm)) ||
		    task_mask(pid, tids[i], "SigBlk", &v[i].blocked))
			return -1;
	}
	return n;
}

FIXTURE(threads) {
	char log[64];
	char klog[CKPT_LOG_MAX];
	pid_t pid;
	int imgfd;
};

FIXTURE_SETUP(threads)
{
	int fd;

	self->pid = -1;
	self->imgfd = -1;
	self->klog[0] = '\0';
	strcpy(self->log, "/tmp/ckpt-threads.XXXXXX");
	fd = mkstemp(self->log);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(threads)
{
	if (!_metadata->passed) {
		if (self->klog[0])
			TH_LOG("kernel log: %s", self->klog);
		ckpt_dump_log(self->log);
	}
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	unlink(self->log);
}

/*
 * The TREE of the image: the leader @pid first, then one entry per other
 * thread of @v, each a thread of @pid sharing everything with it.
 */
static void check_image_tree(struct __test_metadata *_metadata, int fd,
			     pid_t pid, const struct thread_view *v, int n)
{
	const __u32 shared = CKPT_TREE_THREAD | CKPT_TREE_SHARE_VM |
			     CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_FS |
			     CKPT_TREE_SHARE_SIGHAND;
	struct ckpt_hdr_header hdr;
	struct ckpt_hdr_tree tree;
	struct ckpt_tree_entry ent[MAX_TIDS];
	int i, k, found;
	off_t off;

	ASSERT_EQ((ssize_t)sizeof(hdr), pread(fd, &hdr, sizeof(hdr), 0));
	ASSERT_EQ((__u32)CKPT_HDR_HEADER, hdr.h.type);
	off = (hdr.h.len + CKPT_ALIGN - 1) & ~(off_t)(CKPT_ALIGN - 1);
	ASSERT_EQ((ssize_t)sizeof(tree), pread(fd, &tree, sizeof(tree), off));
	ASSERT_EQ((__u32)CKPT_HDR_TREE, tree.h.type);
	ASSERT_EQ((__u32)n, tree.nr_tasks);
	ASSERT_EQ((ssize_t)(n * sizeof(ent[0])),
		  pread(fd, ent, n * sizeof(ent[0]), off + sizeof(tree)));
	EXPECT_EQ(pid, ent[0].pid);
	EXPECT_EQ(pid, ent[0].tgid);
	EXPECT_EQ(0, ent[0].ppid);
	EXPECT_EQ(0U, ent[0].flags & (CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE));
	for (k = 0; k < n; k++) {
		found = 0;
		for (i = 0; i < n; i++) {
			if (ent[i].pid != v[k].tid)
				continue;
			found++;
			EXPECT_EQ(pid, ent[i].tgid);
			EXPECT_EQ(0, ent[i].ppid);
			if (v[k].tid != pid) {
				EXPECT_EQ(shared, ent[i].flags) {
					TH_LOG("thread %d: flags %#x",
					       v[k].tid, ent[i].flags);
				}
			}
		}
		EXPECT_EQ(1, found) {
			TH_LOG("tid %d: %d entries", v[k].tid, found);
		}
	}
}

/*
 * Checkpoint self->pid with CKPT_KILL, reap it, restart it; the same
 * threads must come back with the same names and blocked masks.
 */
static void cycle(struct __test_metadata *_metadata, FIXTURE_DATA(threads) *self,
		  int nr_threads)
{
	struct thread_view before[MAX_TIDS], after[MAX_TIDS];
	int n, i, status = 0;
	pid_t pid = self->pid;
	long ret;

	n = view_threads(pid, before, MAX_TIDS);
	ASSERT_EQ(nr_threads, n);
	for (i = 0; i < n && before[i].tid != pid; i++)
		;
	ASSERT_LT(i, n);
	for (i = 0; i < n; i++)
		TH_LOG("tid %d: %s, blocked %#llx", before[i].tid,
		       before[i].comm, (unsigned long long)before[i].blocked);

	ret = ckpt_checkpoint(pid, CKPT_KILL, &self->imgfd, self->klog,
			      sizeof(self->klog));
	ASSERT_LT(0, ret) {
		TH_LOG("checkpoint: %s", strerror(errno));
	}
	check_image_tree(_metadata, self->imgfd, pid, before, n);
	self->pid = -1;
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	if (ret > 0)
		self->pid = ret;
	ASSERT_EQ(pid, ret) {
		TH_LOG("restart: %s", strerror(errno));
	}
	n = view_threads(pid, after, MAX_TIDS);
	ASSERT_EQ(nr_threads, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(before[i].tid, after[i].tid);
		EXPECT_STREQ(before[i].comm, after[i].comm);
		EXPECT_EQ(before[i].blocked, after[i].blocked) {
			TH_LOG("tid %d: blocked %#llx, was %#llx",
			       after[i].tid,
			       (unsigned long long)after[i].blocked,
			       (unsigned long long)before[i].blocked);
		}
	}
}

static void expect_exit0(struct __test_metadata *_metadata,
			 FIXTURE_DATA(threads) *self)
{
	int status = 0;

	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_EXIT)) {
		TH_LOG("the restored process did not exit");
	}
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x (exit code = failed check)", status);
	}
}

/* The strokes of pair @k in the child, through /proc/PID/mem. */
static long peek_count(pid_t pid, int k)
{
	unsigned long v;

	if (ckpt_peek(pid, &pairs[k].count, &v, sizeof(v)))
		return -1;
	return v;
}

TEST_F_TIMEOUT(threads, threads8, 180)
{
	long seen[NR_PAIRS], v;
	int k, waited;

	self->pid = ckpt_spawn(threads8_child, NULL, self->log);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY));
	for (k = 0; k < NR_PAIRS; k++) {
		seen[k] = peek_count(self->pid, k);
		ASSERT_LE(10, seen[k]);
	}

	cycle(_metadata, self, NR_WORKERS + 1);

	/* the counters go on from where they were */
	for (k = 0; k < NR_PAIRS; k++) {
		for (waited = 0; waited <= TMO_READY; waited += 10) {
			v = peek_count(self->pid, k);
			if (v < 0 || v >= seen[k] + MIN_STROKES)
				break;
			usleep(10000);
		}
		EXPECT_LE(seen[k] + MIN_STROKES, v) {
			TH_LOG("pair %d: %ld strokes before, %ld after", k,
			       seen[k], v);
		}
	}
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit0(_metadata, self);
}

TEST_F_TIMEOUT(threads, thread_masks, 120)
{
	uint64_t pnd = 0;
	pid_t t0 = 0;

	self->pid = ckpt_spawn(masks_child, NULL, self->log);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY));

	cycle(_metadata, self, NR_MASKED + 1);

	/* a signal the thread blocks stays pending in that thread */
	ASSERT_EQ(0, ckpt_peek(self->pid, &mask_tid[0], &t0, sizeof(t0)));
	ASSERT_LT(0, t0);
	ASSERT_EQ(0, syscall(SYS_tgkill, self->pid, t0, SIG_PENDING));
	ASSERT_EQ(0, task_mask(self->pid, t0, "SigPnd", &pnd));
	EXPECT_EQ(1ULL << (SIG_PENDING - 1), pnd);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit0(_metadata, self);
}

TEST_HARNESS_MAIN
