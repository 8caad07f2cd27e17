// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of open files of kinds other than regular files:
 * pipes, FIFOs, eventfds.
 *
 * The test process is a child subreaper: CKPT_KILL kills a whole tree,
 * the test reaps every old pid, then restarts the image.  Processes of a
 * tree wait for SIGUSR1 (sent by the test to the root, by the root to
 * its children) before they check their state.
 *
 * pipe_between: the root R and its child C.  C reads the read end of a pipe
 * holding 30000 unread bytes, R holds its write end.  R also has a pipe
 * resized to 256 KiB holding 200000 bytes, a packet pipe (O_DIRECT)
 * holding packets of 100, 1 and 4096 bytes, an O_NONBLOCK pipe holding
 * "abc", the read end of a pipe whose writer was closed (holding "tail")
 * and the write end of a pipe whose reader was closed.  After the
 * restart: the /proc/PID/fd links of the two ends of each pipe name one
 * pipe (R's and C's too) and the six pipes are distinct; FIONREAD,
 * F_GETPIPE_SZ, F_GETFL are as saved; the data comes back in order and
 * packets with their boundaries; C reads the 30000 bytes and what R
 * writes after the restart, then EOF when R closes its end; the pipe
 * with no writer gives "tail" then EOF, the one with no reader EPIPE.
 *
 * pipe_shared_three: R and its children C1 and C2 share one pipe (the same
 * open files, inherited) holding 5000 bytes.  After the restart the
 * three fd links agree; R clears O_NONBLOCK on the read end and the
 * children see it cleared (one open file, not three copies); each child
 * writes a message; R reads the 5000 bytes, then both messages.
 *
 * fifo, fifo_busy: R opens a FIFO O_RDONLY | O_NONBLOCK, O_WRONLY and
 * O_PATH and leaves 10000 bytes in it.  After the restart the fds name
 * the FIFO's path and inode with their flags, and R reads the bytes
 * back.  fifo_busy: while the FIFO is open in the test, restart() fails
 * with EBUSY naming it and leaves no process; once closed, the same
 * image restarts.
 *
 * pipe_outside: a pipe whose read end the test opened too (through
 * /proc/PID/fd) cannot be checkpointed: EOPNOTSUPP naming the pid, the
 * fd, the pipe and the reason, with flags 0, CKPT_KILL and CKPT_STOP,
 * and R keeps running with its data.  Once the test closed its end, the
 * checkpoint succeeds.
 *
 * eventfd: R holds eventfds with counter 7 (O_NONBLOCK, dup()ed to a
 * second fd and inherited by its child C), 3 (EFD_SEMAPHORE,
 * EFD_CLOEXEC), 2^40 (above what eventfd() takes) and 0 (O_NONBLOCK).
 * After the restart /proc/PID/fdinfo shows the same flags and counters
 * as before; R reads 1 three
 * times from the semaphore, 2^40 once, EAGAIN from the empty one; the
 * flags are as saved, and clearing O_NONBLOCK on the dup()ed fd clears
 * it on the other (one open file); C adds 10 to the shared eventfd and
 * R reads 17 from it.
 */
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	20000
#define TMO_EXIT	30000
#define TMO_REAP	20000

#define BIG_SIZE	(256 * 1024)
#define BIG_DATA	200000
#define P1_DATA		30000
#define SHARED_DATA	5000
#define FIFO_DATA	10000
#define MSG_LEN		16

static unsigned char pat(int seed, long i)
{
	return (unsigned char)(i * 131 + seed * 17 + (i >> 8));
}

static void fill(void *p, int seed, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(seed, i);
}

static int pat_ok(const void *p, int seed, long off, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != pat(seed, off + i))
			return 0;
	return 1;
}

/* Write @n pattern bytes; 0 or -1 */
static int write_pat(int fd, int seed, size_t n)
{
	unsigned char *buf = malloc(n);
	int ret;

	if (!buf)
		return -1;
	fill(buf, seed, n);
	ret = write(fd, buf, n) == (ssize_t)n ? 0 : -1;
	free(buf);
	return ret;
}

/* Read exactly @n bytes and check them against the pattern; 1 if good */
static int read_pat(int fd, int seed, size_t n)
{
	unsigned char buf[4096];
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf, n - got < sizeof(buf) ? n - got : sizeof(buf));
		if (r <= 0 || !pat_ok(buf, seed, got, r))
			return 0;
		got += r;
	}
	return 1;
}

/* Make a pipe (pipe2 @flags) at fds @r and @w (-1: closed); 0 or -1 */
static int pipe_at(int r, int w, int flags)
{
	int p[2], hr, hw;

	if (pipe2(p, flags))
		return -1;
	hr = fcntl(p[0], F_DUPFD, 100);
	hw = fcntl(p[1], F_DUPFD, 100);
	close(p[0]);
	close(p[1]);
	if (r >= 0 ? ckpt_put_fd(hr, r) : close(hr))
		return -1;
	return w >= 0 ? ckpt_put_fd(hw, w) : close(hw);
}

/* --- between --- */

static int c_between(int unused)
{
	unsigned char buf[64];

	CKPT_CHILD_CHECK(30, (fcntl(10, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CKPT_CHILD_CHECK(31, read_pat(10, 1, P1_DATA));
	CKPT_CHILD_CHECK(32, read(10, buf, sizeof(buf)) == 4 &&
			     !memcmp(buf, "more", 4));
	CKPT_CHILD_CHECK(33, read(10, buf, sizeof(buf)) == 0);
	return 0;
}

static int r_between(void *arg)
{
	unsigned char buf[8192];
	int status;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (pipe_at(10, 11, 0) || write_pat(11, 1, P1_DATA))
		return 80;
	if (pipe_at(12, 13, 0) || fcntl(13, F_SETPIPE_SZ, BIG_SIZE) != BIG_SIZE ||
	    write_pat(13, 2, BIG_DATA))
		return 81;
	if (pipe_at(14, 15, O_DIRECT))
		return 82;
	fill(buf, 3, sizeof(buf));
	if (write(15, buf, 100) != 100 || write(15, buf + 100, 1) != 1 ||
	    write(15, buf + 101, 4096) != 4096)
		return 83;
	if (pipe_at(16, 17, O_NONBLOCK) || write(17, "abc", 3) != 3)
		return 84;
	if (pipe_at(18, 99, 0) || write(99, "tail", 4) != 4 || close(99))
		return 85;
	if (pipe_at(98, 19, 0) || close(98))
		return 86;
	signal(SIGPIPE, SIG_IGN);
	c = ckpt_fork_child(c_between, 0, 10);
	if (c < 0 || close(10))
		return 87;
	ckpt_child_ready_wait();

	CKPT_CHILD_CHECK(1, ckpt_nread(11) == P1_DATA);
	CKPT_CHILD_CHECK(2, (fcntl(11, F_GETFL) & O_ACCMODE) == O_WRONLY);
	CKPT_CHILD_CHECK(3, !kill(c, SIGUSR1));
	CKPT_CHILD_CHECK(4, write(11, "more", 4) == 4 && !close(11));

	CKPT_CHILD_CHECK(5, fcntl(12, F_GETPIPE_SZ) == BIG_SIZE);
	CKPT_CHILD_CHECK(6, ckpt_nread(12) == BIG_DATA);
	CKPT_CHILD_CHECK(7, read_pat(12, 2, BIG_DATA) && ckpt_nread(12) == 0);

	CKPT_CHILD_CHECK(8, fcntl(15, F_GETFL) & O_DIRECT);
	CKPT_CHILD_CHECK(9, !(fcntl(14, F_GETFL) & O_DIRECT));
	CKPT_CHILD_CHECK(10, read(14, buf, sizeof(buf)) == 100 &&
			     pat_ok(buf, 3, 0, 100));
	CKPT_CHILD_CHECK(11, read(14, buf, sizeof(buf)) == 1 &&
			     pat_ok(buf, 3, 100, 1));
	CKPT_CHILD_CHECK(12, read(14, buf, sizeof(buf)) == 4096 &&
			     pat_ok(buf, 3, 101, 4096));
	CKPT_CHILD_CHECK(13, ckpt_nread(14) == 0);

	CKPT_CHILD_CHECK(14, fcntl(16, F_GETFL) & O_NONBLOCK);
	CKPT_CHILD_CHECK(15, fcntl(17, F_GETFL) & O_NONBLOCK);
	CKPT_CHILD_CHECK(16, read(16, buf, sizeof(buf)) == 3 &&
			     !memcmp(buf, "abc", 3));
	CKPT_CHILD_CHECK(17, read(16, buf, 1) < 0 && errno == EAGAIN);

	CKPT_CHILD_CHECK(18, read(18, buf, sizeof(buf)) == 4 &&
			     !memcmp(buf, "tail", 4));
	CKPT_CHILD_CHECK(19, read(18, buf, sizeof(buf)) == 0);
	CKPT_CHILD_CHECK(20, write(19, "x", 1) < 0 && errno == EPIPE);

	CKPT_CHILD_CHECK(21, waitpid(c, &status, 0) == c);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ckpt_child_log("child %d: status %#x", c, status);
		return 22;
	}
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- shared_three --- */

static int c_shared(int idx)
{
	char msg[MSG_LEN + 1];

	CKPT_CHILD_CHECK(40 + idx, !(fcntl(10, F_GETFL) & O_NONBLOCK));
	snprintf(msg, sizeof(msg), "child-%d-%08d", idx, getpid() % 10000000);
	CKPT_CHILD_CHECK(45, write(11, msg, MSG_LEN) == MSG_LEN);
	return 0;
}

static int r_shared(void *arg)
{
	char msgs[2 * MSG_LEN];
	int status, i;
	pid_t c[2];

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (pipe_at(10, 11, O_NONBLOCK) || write_pat(11, 4, SHARED_DATA))
		return 80;
	for (i = 0; i < 2; i++) {
		c[i] = ckpt_fork_child(c_shared, i + 1, 11);
		if (c[i] < 0)
			return 81;
	}
	ckpt_child_ready_wait();

	CKPT_CHILD_CHECK(1, fcntl(10, F_GETFL) & O_NONBLOCK);
	CKPT_CHILD_CHECK(2, !fcntl(10, F_SETFL, 0));
	CKPT_CHILD_CHECK(3, read_pat(10, 4, SHARED_DATA));
	for (i = 0; i < 2; i++)
		CKPT_CHILD_CHECK(4, !kill(c[i], SIGUSR1));
	for (i = 0; i < 2; i++) {
		CKPT_CHILD_CHECK(5, waitpid(c[i], &status, 0) == c[i]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			ckpt_child_log("child %d: status %#x", c[i], status);
			return 6;
		}
	}
	CKPT_CHILD_CHECK(7, ckpt_nread(10) == 2 * MSG_LEN);
	CKPT_CHILD_CHECK(8, read(10, msgs, 2 * MSG_LEN) == 2 * MSG_LEN);
	CKPT_CHILD_CHECK(9, (!memcmp(msgs, "child-1-", 8) &&
			     !memcmp(msgs + MSG_LEN, "child-2-", 8)) ||
			    (!memcmp(msgs, "child-2-", 8) &&
			     !memcmp(msgs + MSG_LEN, "child-1-", 8)));
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- fifo --- */

static int r_fifo(void *arg)
{
	const char *path = arg;
	struct stat st, fst;
	char buf[16];

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (ckpt_put_fd(open(path, O_RDONLY | O_NONBLOCK), 5) ||
	    ckpt_put_fd(open(path, O_WRONLY), 6) ||
	    ckpt_put_fd(open(path, O_PATH), 7) || write_pat(6, 5, FIFO_DATA))
		return 80;
	ckpt_child_ready_wait();

	CKPT_CHILD_CHECK(1, !stat(path, &st) && !fstat(5, &fst) &&
			    st.st_ino == fst.st_ino && st.st_dev == fst.st_dev);
	CKPT_CHILD_CHECK(2, !fstat(6, &fst) && st.st_ino == fst.st_ino);
	CKPT_CHILD_CHECK(3, !fstat(7, &fst) && st.st_ino == fst.st_ino);
	CKPT_CHILD_CHECK(4, (fcntl(5, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			    (O_RDONLY | O_NONBLOCK));
	CKPT_CHILD_CHECK(5, (fcntl(6, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			    O_WRONLY);
	CKPT_CHILD_CHECK(6, fcntl(7, F_GETFL) & O_PATH);
	CKPT_CHILD_CHECK(7, ckpt_nread(5) == FIFO_DATA);
	CKPT_CHILD_CHECK(8, read_pat(5, 5, FIFO_DATA));
	CKPT_CHILD_CHECK(9, read(5, buf, 1) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(10, write(6, "fifo", 4) == 4 &&
			     read(5, buf, sizeof(buf)) == 4);
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- outside --- */

static int r_outside(void *arg)
{
	char buf[8];

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (pipe_at(5, 6, 0) || write(6, "abc", 3) != 3)
		return 80;
	ckpt_child_ready_wait();

	CKPT_CHILD_CHECK(1, read(5, buf, sizeof(buf)) == 3 &&
			    !memcmp(buf, "abc", 3));
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- eventfd --- */

#define EFD_BIG		(1ULL << 40)

static int c_eventfd(int unused)
{
	uint64_t v = 10;

	CKPT_CHILD_CHECK(50, write(5, &v, 8) == 8);
	return 0;
}

/* The eventfd-count of fdinfo (hexadecimal), or -1 */
static long long efd_count(int fd)
{
	char name[32], buf[512], val[64];

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	if (ckpt_proc_read(0, name, buf, sizeof(buf)) < 0 ||
	    ckpt_proc_field(buf, "eventfd-count", val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 16);
}

static int r_eventfd(void *arg)
{
	uint64_t v = EFD_BIG;
	int status, i;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (ckpt_put_fd(eventfd(7, EFD_NONBLOCK), 5) || dup2(5, 9) != 9 ||
	    ckpt_put_fd(eventfd(3, EFD_SEMAPHORE | EFD_CLOEXEC), 6) ||
	    ckpt_put_fd(eventfd(0, 0), 7) || write(7, &v, 8) != 8 ||
	    ckpt_put_fd(eventfd(0, EFD_NONBLOCK), 8))
		return 80;
	c = ckpt_fork_child(c_eventfd, 0, 5);
	if (c < 0)
		return 81;
	ckpt_child_ready_wait();

	CKPT_CHILD_CHECK(1, efd_count(5) == 7 && efd_count(6) == 3 &&
			    efd_count(7) == (long long)EFD_BIG &&
			    efd_count(8) == 0);
	CKPT_CHILD_CHECK(2, fcntl(5, F_GETFL) == (O_RDWR | O_NONBLOCK));
	CKPT_CHILD_CHECK(3, (fcntl(6, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			    O_RDWR && fcntl(6, F_GETFD) == FD_CLOEXEC);
	CKPT_CHILD_CHECK(4, fcntl(7, F_GETFL) == O_RDWR);
	for (i = 0; i < 3; i++)
		CKPT_CHILD_CHECK(5, read(6, &v, 8) == 8 && v == 1);
	CKPT_CHILD_CHECK(6, efd_count(6) == 0);
	CKPT_CHILD_CHECK(7, read(7, &v, 8) == 8 && v == EFD_BIG);
	CKPT_CHILD_CHECK(8, read(8, &v, 8) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(9, !fcntl(9, F_SETFL, 0) &&
			    !(fcntl(5, F_GETFL) & O_NONBLOCK));
	CKPT_CHILD_CHECK(10, !kill(c, SIGUSR1));
	CKPT_CHILD_CHECK(11, waitpid(c, &status, 0) == c && WIFEXITED(status) &&
			     !WEXITSTATUS(status));
	CKPT_CHILD_CHECK(12, read(5, &v, 8) == 8 && v == 17);
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- the test side --- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

FIXTURE(kinds) {
	char dir[64];
	char log[128];
	char fifo[128];
	char klog[CKPT_LOG_MAX];
	pid_t pids[4];
	int nr_pids;
	int imgfd;
};

FIXTURE_SETUP(kinds)
{
	self->nr_pids = 0;
	self->imgfd = -1;
	strcpy(self->dir, "/tmp/ckpt-fdkinds.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s/log", self->dir);
	snprintf(self->fifo, sizeof(self->fifo), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(self->fifo, 0600));
	ASSERT_EQ(0, ckpt_become_subreaper());
}

FIXTURE_TEARDOWN(kinds)
{
	ckpt_kill_tree(self->pids, self->nr_pids, TMO_REAP);
	if (self->imgfd >= 0)
		close(self->imgfd);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Spawn the root, wait until it is ready, and find its @nr children */
static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(kinds) *self, int (*fn)(void *), void *arg,
		  int nr)
{
	self->pids[0] = ckpt_spawn(fn, arg, self->log);
	ASSERT_GT(self->pids[0], 0);
	self->nr_pids = 1;
	ASSERT_EQ(0, ckpt_wait_ready(self->pids[0], TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(nr, ckpt_children_of(self->pids[0], self->pids + 1, 3));
	self->nr_pids = 1 + nr;
}

/* Checkpoint the tree with CKPT_KILL, reap it, check it was killed */
static void checkpoint_kill(struct __test_metadata *_metadata,
		      FIXTURE_DATA(kinds) *self)
{
	int status[4], i;

	ASSERT_LT(0, ckpt_checkpoint(self->pids[0], CKPT_KILL, &self->imgfd,
				     self->klog, sizeof(self->klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), self->klog);
	}
	ASSERT_EQ(0, ckpt_reap_pids(self->pids, self->nr_pids, status,
				    TMO_REAP));
	for (i = 0; i < self->nr_pids; i++)
		ASSERT_TRUE(WIFSIGNALED(status[i]) &&
			    WTERMSIG(status[i]) == SIGKILL);
}

static void restart_ok(struct __test_metadata *_metadata,
		       FIXTURE_DATA(kinds) *self)
{
	long ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));

	ASSERT_EQ(self->pids[0], ret) {
		TH_LOG("restart: %s: %s", strerror(errno), self->klog);
	}
}

/* Tell the root to check its state; it must exit 0 */
static void finish(struct __test_metadata *_metadata,
		   FIXTURE_DATA(kinds) *self)
{
	int status;

	ASSERT_EQ(0, kill(self->pids[0], SIGUSR1));
	ASSERT_EQ(self->pids[0], ckpt_waitpid(self->pids[0], &status,
					      TMO_EXIT));
	self->nr_pids = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
		ckpt_dump_log(self->log);
	}
}

/* The fd links of the between test: fd, the process (0: R, 1: C) */
static const struct { int fd, proc, pipe; } between_fds[] = {
	{ 11, 0, 1 }, { 10, 1, 1 }, { 12, 0, 2 }, { 13, 0, 2 },
	{ 14, 0, 3 }, { 15, 0, 3 }, { 16, 0, 4 }, { 17, 0, 4 },
	{ 18, 0, 5 }, { 19, 0, 6 },
};

#define NR_BETWEEN	ARRAY_SIZE(between_fds)

static void check_between_links(struct __test_metadata *_metadata,
				FIXTURE_DATA(kinds) *self)
{
	char links[NR_BETWEEN][64];
	unsigned int i, j;

	for (i = 0; i < NR_BETWEEN; i++) {
		ASSERT_EQ(0, ckpt_fd_link(self->pids[between_fds[i].proc],
				     between_fds[i].fd, links[i],
				     sizeof(links[i])));
		EXPECT_EQ(0, strncmp(links[i], "pipe:[", 6));
	}
	for (i = 0; i < NR_BETWEEN; i++)
		for (j = 0; j < i; j++)
			EXPECT_EQ(between_fds[i].pipe == between_fds[j].pipe,
				  !strcmp(links[i], links[j])) {
				TH_LOG("fd %d (%s) and fd %d (%s)",
				       between_fds[i].fd, links[i],
				       between_fds[j].fd, links[j]);
			}
}

TEST_F_TIMEOUT(kinds, pipe_between, 120)
{
	start(_metadata, self, r_between, NULL, 1);
	check_between_links(_metadata, self);
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	ASSERT_EQ(1, ckpt_children_of(self->pids[0], self->pids + 1, 3));
	check_between_links(_metadata, self);
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, pipe_shared_three, 120)
{
	char l0[64], l[64];
	int i, fd;

	start(_metadata, self, r_shared, NULL, 2);
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	ASSERT_EQ(2, ckpt_children_of(self->pids[0], self->pids + 1, 3));
	ASSERT_EQ(0, ckpt_fd_link(self->pids[0], 10, l0, sizeof(l0)));
	EXPECT_EQ(0, strncmp(l0, "pipe:[", 6));
	for (i = 0; i < 3; i++) {
		for (fd = 10; fd <= 11; fd++) {
			ASSERT_EQ(0, ckpt_fd_link(self->pids[i], fd, l, sizeof(l)));
			EXPECT_STREQ(l0, l);
		}
	}
	finish(_metadata, self);
}

static void fifo_test(struct __test_metadata *_metadata,
		      FIXTURE_DATA(kinds) *self, int busy)
{
	char l[PATH_MAX];
	int fd, status;
	long ret;

	start(_metadata, self, r_fifo, self->fifo, 0);
	checkpoint_kill(_metadata, self);
	if (busy) {
		fd = open(self->fifo, O_RDWR | O_NONBLOCK);
		ASSERT_LE(0, fd);
		ret = ckpt_restart(self->imgfd, 0, self->klog,
				   sizeof(self->klog));
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EBUSY, errno);
		TH_LOG("kernel log: %s", self->klog);
		EXPECT_NE(NULL, strstr(self->klog, self->fifo));
		EXPECT_EQ(-1, waitpid(-1, &status, WNOHANG));
		EXPECT_EQ(ECHILD, errno);
		EXPECT_EQ(0, ckpt_nread(fd));
		close(fd);
	}
	restart_ok(_metadata, self);
	for (fd = 5; fd <= 7; fd++) {
		ASSERT_EQ(0, ckpt_fd_link(self->pids[0], fd, l, sizeof(l)));
		EXPECT_STREQ(self->fifo, l);
	}
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, fifo, 120)
{
	fifo_test(_metadata, self, 0);
}

TEST_F_TIMEOUT(kinds, fifo_busy, 120)
{
	fifo_test(_metadata, self, 1);
}

TEST_F_TIMEOUT(kinds, pipe_outside, 120)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	char path[64];
	unsigned int i;
	int fd, status;
	long ret;

	start(_metadata, self, r_outside, NULL, 0);
	snprintf(path, sizeof(path), "/proc/%d/fd/5", self->pids[0]);
	fd = open(path, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(self->pids[0], flags[i], &self->imgfd,
				      self->klog, sizeof(self->klog));
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EOPNOTSUPP, errno);
		close(self->imgfd);
		self->imgfd = -1;
		TH_LOG("flags %#lx: kernel log: %s", flags[i], self->klog);
		EXPECT_TRUE(ckpt_has_num(self->klog, "pid ", self->pids[0]));
		EXPECT_TRUE(ckpt_has_num(self->klog, "fd ", 5));
		EXPECT_NE(NULL, strstr(self->klog, "pipe"));
		EXPECT_NE(NULL, strstr(self->klog, "outside the tree"));
		ASSERT_EQ(0, ckpt_waitpid(self->pids[0], &status, 0));
		EXPECT_EQ('S', ckpt_wait_state(self->pids[0], 'S', 1000));
	}
	EXPECT_EQ(3, ckpt_nread(fd));
	close(fd);
	EXPECT_LT(0, ckpt_checkpoint(self->pids[0], 0, &self->imgfd,
				     self->klog, sizeof(self->klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), self->klog);
	}
	finish(_metadata, self);
}

/* The "flags:" and "eventfd-count:" lines of fdinfo of fds 5 to 9 */
static void efd_info(struct __test_metadata *_metadata, pid_t pid,
		     char info[5][128])
{
	char name[32], buf[512], flags[32], count[64];
	int fd;

	for (fd = 5; fd <= 9; fd++) {
		snprintf(name, sizeof(name), "fdinfo/%d", fd);
		ASSERT_LT(0, ckpt_proc_read(pid, name, buf, sizeof(buf)));
		ASSERT_EQ(0, ckpt_proc_field(buf, "flags", flags,
					     sizeof(flags)));
		ASSERT_EQ(0, ckpt_proc_field(buf, "eventfd-count", count,
					     sizeof(count)));
		snprintf(info[fd - 5], 128, "fd %d flags %s count %s", fd,
			 flags, count);
	}
}

TEST_F_TIMEOUT(kinds, eventfd, 120)
{
	char before[5][128], after[5][128];
	int i;

	start(_metadata, self, r_eventfd, NULL, 1);
	efd_info(_metadata, self->pids[0], before);
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	efd_info(_metadata, self->pids[0], after);
	for (i = 0; i < 5; i++)
		EXPECT_STREQ(before[i], after[i]);
	finish(_metadata, self);
}

TEST_HARNESS_MAIN
