// SPDX-License-Identifier: GPL-2.0
/*
 * What checkpoint() does to the checkpointed process, and the life of
 * images.  Children keep a counter in memory and write it to a counter
 * file ("%010lu\n" at offset 0) whenever it changes.
 *
 * no_flags: a ticking child checkpointed without flags keeps running with
 * the same pid, unchanged /proc/PID/maps and signal state, its counter
 * keeps advancing, and it still verifies its own state; the image also
 * restarts once the original has exited.
 * stop: CKPT_STOP leaves it stopped by SIGSTOP (waitpid WUNTRACED, state
 * T, counter frozen); SIGCONT resumes it.
 * time_machine: a child that counts on request is checkpointed at count A
 * (without flags), advanced, checkpointed at count B (CKPT_KILL); the
 * older image restarts at A (and counts on), the newer one at B.
 * restart_twice: the same image restarts again after the first copy
 * exited, from the same state.
 * ids: checkpoint ids are positive and increase; each image starts with a
 * valid header carrying that id and ends with a valid trailer (length
 * and CRC-32).
 */
#include <limits.h>
#include <stdint.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define PATTERN_SIZE	(256 * 1024)
#define CNT_LEN		11	/* "%010lu\n" */

static char cnt_path[64];
static unsigned long counter;
static uint64_t pattern[PATTERN_SIZE / 8];

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill_pattern(uint64_t seed)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pattern); i++)
		pattern[i] = splitmix64(&seed);
}

static int pattern_ok(uint64_t seed)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pattern); i++)
		if (pattern[i] != splitmix64(&seed))
			return 0;
	return 1;
}

static int write_counter(int fd)
{
	char buf[CNT_LEN + 1];

	snprintf(buf, sizeof(buf), "%010lu\n", counter);
	return pwrite(fd, buf, CNT_LEN, 0) == CNT_LEN ? 0 : -1;
}

/* The counter file's value, or -1 (two equal reads in a row). */
static long read_counter(void)
{
	char a[CNT_LEN + 1], b[CNT_LEN + 1];
	int fd, tries;

	fd = open(cnt_path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		if (pread(fd, a, CNT_LEN, 0) != CNT_LEN ||
		    pread(fd, b, CNT_LEN, 0) != CNT_LEN)
			break;
		if (!memcmp(a, b, CNT_LEN)) {
			close(fd);
			a[CNT_LEN] = '\0';
			return strtol(a, NULL, 10);
		}
	}
	close(fd);
	return -1;
}

/* Wait until the counter file shows a value in [@min, @max]; -1 if not. */
static long wait_counter(long min, long max, int timeout_ms)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int waited;
	long v = -1;

	for (waited = 0; waited <= timeout_ms; waited += 5) {
		v = read_counter();
		if (v >= min && v <= max)
			return v;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* --- children --- */

static volatile sig_atomic_t go, advance, report;

static void go_handler(int sig)
{
	go = 1;
}

static void advance_handler(int sig)
{
	advance++;
}

static void report_handler(int sig)
{
	report = 1;
}

static int open_counter(void)
{
	return open(cnt_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
}

/*
 * Counts every 5 ms until SIGUSR1, then checks its state and writes the
 * counter a last time.
 */
static int ticker_child(void *arg)
{
	struct sigaction sa = { .sa_handler = go_handler };
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	uint64_t seed = 0x71c4e700 ^ getpid();
	sigset_t mask, now;
	char buf[CNT_LEN + 1];
	int fd, sig;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	fd = open_counter();
	sigemptyset(&sa.sa_mask);
	sigemptyset(&mask);
	sigaddset(&mask, SIGRTMIN + 2);
	if (fd < 0 || sigaction(SIGUSR1, &sa, NULL) ||
	    sigprocmask(SIG_SETMASK, &mask, NULL))
		return 1;
	fill_pattern(seed);
	CKPT_CHILD_CHECK(2, !write_counter(fd));
	ckpt_child_ready();
	while (!go) {
		counter++;
		CKPT_CHILD_CHECK(3, !write_counter(fd));
		nanosleep(&ts, NULL);
	}
	ckpt_child_log("stopped at %lu", counter);
	CKPT_CHILD_CHECK(4, pattern_ok(seed));
	/* the counter file is still ours, open for reading and writing */
	CKPT_CHILD_CHECK(5, !write_counter(fd));
	CKPT_CHILD_CHECK(5, pread(fd, buf, CNT_LEN, 0) == CNT_LEN);
	buf[CNT_LEN] = '\0';
	CKPT_CHILD_CHECK(5, strtoul(buf, NULL, 10) == counter);
	CKPT_CHILD_CHECK(6, !sigprocmask(SIG_SETMASK, NULL, &now));
	for (sig = 1; sig <= SIGRTMAX; sig++)
		CKPT_CHILD_CHECK(6, sigismember(&now, sig) ==
				 sigismember(&mask, sig));
	return 0;
}

#define SIG_ADVANCE	SIGUSR1
#define SIG_REPORT	(SIGRTMIN + 1)

/*
 * Counts one per SIG_ADVANCE; on SIG_REPORT writes the counter and exits
 * with it (after checking its memory).
 */
static int stepper_child(void *arg)
{
	struct sigaction sa = { .sa_handler = advance_handler };
	uint64_t seed = 0x57e99e00 ^ getpid();
	sigset_t mask, empty;
	int fd;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	fd = open_counter();
	sigemptyset(&sa.sa_mask);
	sigemptyset(&empty);
	sigemptyset(&mask);
	sigaddset(&mask, SIG_ADVANCE);
	sigaddset(&mask, SIG_REPORT);
	if (fd < 0 || sigaction(SIG_ADVANCE, &sa, NULL) ||
	    sigprocmask(SIG_SETMASK, &mask, NULL))
		return 1;
	sa.sa_handler = report_handler;
	if (sigaction(SIG_REPORT, &sa, NULL))
		return 1;
	fill_pattern(seed);
	CKPT_CHILD_CHECK(2, !write_counter(fd));
	ckpt_child_ready();
	for (;;) {
		sigsuspend(&empty);
		while (advance) {
			advance--;
			counter++;
			CKPT_CHILD_CHECK(3, !write_counter(fd));
		}
		if (report)
			break;
	}
	ckpt_child_log("reporting %lu", counter);
	CKPT_CHILD_CHECK(4, pattern_ok(seed));
	CKPT_CHILD_CHECK(5, !write_counter(fd));
	return counter;
}

/* --- the parent --- */

FIXTURE(lc) {
	pid_t pid;
	int img[3];
	char logpath[64];
	char klog[CKPT_LOG_MAX];
};

FIXTURE_SETUP(lc)
{
	int i;

	self->pid = -1;
	for (i = 0; i < 3; i++)
		self->img[i] = -1;
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-lc-%d.log", getpid());
	snprintf(cnt_path, sizeof(cnt_path), "/tmp/ckpt-lc-%d.cnt", getpid());
}

FIXTURE_TEARDOWN(lc)
{
	int i, status;

	if (!_metadata->passed) {
		if (self->klog[0])
			TH_LOG("kernel message: %s", self->klog);
		TH_LOG("counter file: %ld", read_counter());
		ckpt_dump_log(self->logpath);
	}
	if (self->pid > 0) {
		kill(self->pid, SIGCONT);
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, &status, 5000);
	}
	for (i = 0; i < 3; i++)
		if (self->img[i] >= 0)
			close(self->img[i]);
	unlink(self->logpath);
	unlink(cnt_path);
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

static void expect_killed(struct __test_metadata *_metadata, pid_t pid)
{
	int status = 0;

	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, 30000));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
}

static void spawn(struct __test_metadata *_metadata, FIXTURE_DATA(lc) *self,
		  int (*fn)(void *))
{
	self->pid = ckpt_spawn(fn, NULL, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, 30000));
}

/* checkpoint() into self->img[@i]; returns the id (> 0) */
static long checkpoint(struct __test_metadata *_metadata,
		       FIXTURE_DATA(lc) *self, unsigned long flags, int i)
{
	long id;

	id = ckpt_checkpoint(self->pid, flags, &self->img[i], self->klog,
			     sizeof(self->klog));
	ASSERT_LT(0, id) {
		TH_LOG("checkpoint(%#lx) failed: %s", flags, strerror(errno));
	}
	return id;
}

static void restart(struct __test_metadata *_metadata, FIXTURE_DATA(lc) *self,
		    int i, pid_t orig)
{
	pid_t ret;

	ret = ckpt_restart(self->img[i], 0, self->klog, sizeof(self->klog));
	ASSERT_EQ(orig, ret) {
		TH_LOG("restart of image %d failed: %s", i, strerror(errno));
	}
	self->pid = ret;
}

/* Advance the stepper child to @to, one step at a time. */
static void step_to(struct __test_metadata *_metadata, pid_t pid, long to)
{
	long v = read_counter();

	ASSERT_LE(0, v);
	for (; v < to; v++) {
		ASSERT_EQ(0, ckpt_wait_syscall(pid, __NR_rt_sigsuspend,
					       10000));
		ASSERT_EQ(0, kill(pid, SIG_ADVANCE));
		ASSERT_EQ(v + 1, wait_counter(v + 1, v + 1, 10000));
	}
	ASSERT_EQ(0, ckpt_wait_syscall(pid, __NR_rt_sigsuspend, 10000));
}

/* Identity, credential and signal lines of /proc/PID/status */
static void status_lines(pid_t pid, char *out, size_t size)
{
	static const char * const keys[] = {
		"Umask:", "Tgid:", "Pid:", "PPid:", "Uid:", "Gid:", "Groups:",
		"SigBlk:", "SigIgn:", "SigCgt:", "CapInh:", "CapPrm:",
		"CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:",
	};
	char buf[4096], *p;
	size_t used = 0, i;

	out[0] = '\0';
	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0)
		return;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		p = strstr(buf, keys[i]);
		if (p && (p == buf || p[-1] == '\n'))
			used += snprintf(out + used, size - used, "%.*s\n",
					 (int)strcspn(p, "\n"), p);
	}
}

TEST_F_TIMEOUT(lc, no_flags, 120)
{
	static char maps_before[65536], maps_after[65536];
	char st_before[2048], st_after[2048];
	int status;
	long c0, c1, c_final;
	pid_t orig;

	spawn(_metadata, self, ticker_child);
	orig = self->pid;
	ASSERT_LE(3, wait_counter(3, LONG_MAX, 10000));
	ASSERT_LT(0, ckpt_proc_read(orig, "maps", maps_before,
				    sizeof(maps_before)));
	status_lines(orig, st_before, sizeof(st_before));
	c0 = read_counter();

	checkpoint(_metadata, self, 0, 0);

	/* same process, not stopped, still counting */
	ASSERT_EQ(0, waitpid(orig, &status, WNOHANG | WUNTRACED));
	ASSERT_NE('T', ckpt_proc_state(orig));
	ASSERT_NE(0, ckpt_proc_state(orig));
	c1 = read_counter();
	ASSERT_LT(0, c1);
	ASSERT_LE(c1 + 50, wait_counter(c1 + 50, LONG_MAX, 20000)) {
		TH_LOG("counter stuck at %ld", read_counter());
	}
	ASSERT_LT(0, ckpt_proc_read(orig, "maps", maps_after,
				    sizeof(maps_after)));
	EXPECT_STREQ(maps_before, maps_after);
	status_lines(orig, st_after, sizeof(st_after));
	EXPECT_STREQ(st_before, st_after);

	ASSERT_EQ(0, kill(orig, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 30000);
	c_final = read_counter();

	/*
	 * The image of the running process is good too, and resumes from the
	 * count at the checkpoint (between c0 and c1 + 1), well behind
	 * c_final.
	 */
	restart(_metadata, self, 0, orig);
	ASSERT_EQ(0, kill(orig, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 30000);
	ASSERT_GT(c_final, read_counter());
	ASSERT_LE(c0, read_counter());
}

TEST_F_TIMEOUT(lc, stop, 120)
{
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	int status = 0, waited;
	pid_t ret = 0;
	long c1;

	spawn(_metadata, self, ticker_child);
	ASSERT_LE(3, wait_counter(3, LONG_MAX, 10000));

	checkpoint(_metadata, self, CKPT_STOP, 0);

	for (waited = 0; waited < 10000 && !ret; waited += 10) {
		ret = waitpid(self->pid, &status, WNOHANG | WUNTRACED);
		if (!ret)
			usleep(10000);
	}
	ASSERT_EQ(self->pid, ret);
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(SIGSTOP, WSTOPSIG(status));
	ASSERT_EQ('T', ckpt_proc_state(self->pid));
	c1 = read_counter();
	nanosleep(&ts, NULL);
	ASSERT_EQ(c1, read_counter());
	ASSERT_EQ('T', ckpt_proc_state(self->pid));

	ASSERT_EQ(0, kill(self->pid, SIGCONT));
	ASSERT_LE(c1 + 3, wait_counter(c1 + 3, LONG_MAX, 10000)) {
		TH_LOG("counter stuck at %ld after SIGCONT", read_counter());
	}
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 30000);
}

#define COUNT_A 3
#define COUNT_B 7

TEST_F_TIMEOUT(lc, time_machine, 120)
{
	long id_a, id_b;
	pid_t orig;

	spawn(_metadata, self, stepper_child);
	orig = self->pid;
	step_to(_metadata, orig, COUNT_A);
	id_a = checkpoint(_metadata, self, 0, 0);
	ASSERT_EQ(0, waitpid(orig, NULL, WNOHANG | WUNTRACED));

	step_to(_metadata, orig, COUNT_B);
	id_b = checkpoint(_metadata, self, CKPT_KILL, 1);
	ASSERT_LT(id_a, id_b);
	self->pid = -1;
	expect_killed(_metadata, orig);

	/* the older image: at A, and it counts on from there */
	restart(_metadata, self, 0, orig);
	step_to(_metadata, orig, COUNT_A + 1);
	ASSERT_EQ(0, kill(orig, SIGKILL));
	self->pid = -1;
	expect_killed(_metadata, orig);

	/* the newer one: at B */
	restart(_metadata, self, 1, orig);
	ASSERT_EQ(0, ckpt_wait_syscall(orig, __NR_rt_sigsuspend, 10000));
	ASSERT_EQ(0, kill(orig, SIG_REPORT));
	expect_exit(_metadata, &self->pid, COUNT_B, 30000);
	ASSERT_EQ(COUNT_B, read_counter());
}

TEST_F_TIMEOUT(lc, restart_twice, 120)
{
	pid_t orig;

	spawn(_metadata, self, stepper_child);
	orig = self->pid;
	step_to(_metadata, orig, 2);
	checkpoint(_metadata, self, CKPT_KILL, 0);
	self->pid = -1;
	expect_killed(_metadata, orig);

	restart(_metadata, self, 0, orig);
	step_to(_metadata, orig, 3);
	ASSERT_EQ(0, kill(orig, SIG_REPORT));
	expect_exit(_metadata, &self->pid, 3, 30000);

	restart(_metadata, self, 0, orig);
	ASSERT_EQ(0, ckpt_wait_syscall(orig, __NR_rt_sigsuspend, 10000));
	ASSERT_EQ(0, kill(orig, SIG_REPORT));
	expect_exit(_metadata, &self->pid, 2, 30000);
	ASSERT_EQ(2, read_counter());
}

/* CRC-32 as zlib's crc32() */
static uint32_t crc32_buf(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

/* Header and trailer of the image in @fd. */
static void check_image(struct __test_metadata *_metadata, int fd, long id,
			pid_t pid)
{
	struct ckpt_hdr_header hdr;
	struct ckpt_hdr_tree tree;
	struct ckpt_tree_entry ent;
	struct ckpt_hdr_trailer tr;
	off_t size = ckpt_fd_size(fd);
	uint8_t *img;

	ASSERT_LT((off_t)(sizeof(hdr) + sizeof(tr)), size);
	img = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, img);

	memcpy(&hdr, img, sizeof(hdr));
	EXPECT_EQ((__u32)CKPT_HDR_HEADER, hdr.h.type);
	EXPECT_EQ(sizeof(hdr), hdr.h.len);
	EXPECT_EQ(0, memcmp(hdr.magic, CKPT_MAGIC, sizeof(hdr.magic)));
	EXPECT_EQ((__u32)CKPT_VERSION, hdr.version);
	EXPECT_EQ((__u32)CKPT_ARCH_X86_64, hdr.arch);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), hdr.page_size);
	EXPECT_EQ(id, (long)hdr.ckpt_id);

	/* the next record is the tree, and it names our child */
	memcpy(&tree, img + sizeof(hdr), sizeof(tree));
	memcpy(&ent, img + sizeof(hdr) + sizeof(tree), sizeof(ent));
	EXPECT_EQ((__u32)CKPT_HDR_TREE, tree.h.type);
	EXPECT_EQ(1U, tree.nr_tasks);
	EXPECT_EQ(pid, ent.pid);
	EXPECT_EQ(pid, ent.tgid);

	memcpy(&tr, img + size - sizeof(tr), sizeof(tr));
	EXPECT_EQ((__u32)CKPT_HDR_TRAILER, tr.h.type);
	EXPECT_EQ(sizeof(tr), tr.h.len);
	EXPECT_EQ(0, memcmp(tr.magic, CKPT_MAGIC, sizeof(tr.magic)));
	EXPECT_EQ((uint64_t)(size - sizeof(tr)), tr.image_len);
	EXPECT_EQ(crc32_buf(img, size - sizeof(tr)), tr.crc32);
	munmap(img, size);
}

TEST_F_TIMEOUT(lc, ids, 120)
{
	long id[3];
	int i;

	spawn(_metadata, self, stepper_child);
	for (i = 0; i < 3; i++) {
		step_to(_metadata, self->pid, i + 1);
		id[i] = checkpoint(_metadata, self, 0, i);
		if (i)
			ASSERT_LT(id[i - 1], id[i]);
		check_image(_metadata, self->img[i], id[i], self->pid);
	}
	ASSERT_EQ(0, kill(self->pid, SIG_REPORT));
	expect_exit(_metadata, &self->pid, 3, 30000);
}

TEST_HARNESS_MAIN
