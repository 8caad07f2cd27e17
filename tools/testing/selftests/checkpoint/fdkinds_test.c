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
 *
 * signalfd: R blocks three real-time signals, reads two of them through
 * a signalfd (SFD_NONBLOCK, SFD_CLOEXEC) and the third through another,
 * and queues the first two to itself with values 42 and 43.  After the
 * restart fdinfo shows the same flags and masks; the first signalfd
 * gives both signals with their values and sender, then EAGAIN; the
 * second gives a signal queued after the restart.
 *
 * timerfd: R holds five timerfds: a periodic one (every 200 ms) that
 * keeps firing, one with 5 unread expirations set by TFD_IOC_SET_TICKS
 * (60 s period), a one-shot one with 30 s left (TFD_NONBLOCK), an
 * absolute CLOCK_REALTIME one 60 s ahead (TFD_TIMER_ABSTIME) and a
 * disarmed one (TFD_CLOEXEC).  After the restart fdinfo shows the same
 * flags and clocks; the first keeps firing about every 200 ms, the
 * second reads exactly 5, the others have their interval and no more
 * time left than before, the absolute one still has its flag.
 *
 * memfd: R holds a 3 MiB memfd (MFD_ALLOW_SEALING, sealed against
 * shrinking and growing) with data at its start and at 2 MiB and holes
 * elsewhere, mapped shared (one byte written through the mapping) and
 * privately (one byte changed, copy-on-write), open twice (the second
 * time read-only through /proc/self/fd) at other offsets, and a small
 * memfd that cannot be sealed.  After the restart fdinfo shows the same
 * flags and offsets; contents, holes, name, seals and sizes are back;
 * the shared mapping maps the restored memfd (a write through it shows
 * in the file), the private one keeps its own byte; the seals still
 * refuse what they refused.
 *
 * unlinked: R holds a 1 MiB file, open twice (the second time with
 * O_APPEND), mapped privately, then removes it.  After the restart the
 * two fds are one unnamed file of the same directory (no link), with
 * the same contents, flags and offsets, and the mapping shows them.
 * unlinked_ext4 does the same in the root of a fresh ext4 file system
 * (a loop device): the file comes back on that file system.
 *
 * epoll: R has an epoll set (fd 5) watching a pipe's read end holding
 * a byte (EPOLLIN, data 0x1122334455667788), an eventfd (EPOLLIN |
 * EPOLLET, data 0xabcdef) and, through a descriptor closed since, the
 * pipe's write end (EPOLLOUT | EPOLLONESHOT, data 7); a second epoll set
 * (fd 6, EPOLL_CLOEXEC) watches the first (data 42).  After the restart
 * fdinfo lists the same watches (descriptor, events, data) and flags;
 * the outer set reports the inner one, the inner set the pipe and the
 * one-shot watch once, then only the pipe, and the eventfd once written.
 *
 * fown: R, leading its own process group, has three pipes whose read
 * ends are owned by itself with F_SETOWN (O_ASYNC, F_SETSIG to a
 * real-time signal), by its group (F_OWNER_PGRP) and by its thread
 * (F_OWNER_TID).  After the restart fdinfo shows the same flags,
 * F_GETOWN_EX and F_GETSIG are as set, and a write to the first pipe
 * queues the real-time signal with si_fd 5.  fown_outside: a pipe whose
 * signals go to the test cannot be checkpointed: EOPNOTSUPP naming the
 * pid, the fd and F_SETOWN.
 *
 * inotify: R's inotify file (IN_NONBLOCK) watches a directory (IN_CREATE
 * | IN_DELETE), a file in it (IN_MODIFY | IN_ONESHOT) and, after a watch
 * removed in between, the test directory (IN_ATTRIB), with watch
 * descriptors 1, 2 and 4.  After the restart fdinfo shows the same
 * watches; creating a file in the directory and writing to the file give
 * events with the right descriptors, names and masks (the one-shot
 * watch then IN_IGNORED), and a new watch gets a descriptor above 4.
 *
 * locks: R holds an flock() write lock, POSIX locks (write on bytes
 * 100-199, read from 300 to the end of the file) and an OFD write lock
 * on bytes 0-9, on three files, and a read lease on a fourth.  Before
 * the checkpoint and after the restart the test sees them exactly
 * (flock() LOCK_NB fails, F_GETLK and F_OFD_GETLK report the same type,
 * range and pid, -1 for OFD, and no lock on bytes 200-299), and R still
 * has its lease (F_GETLEASE) on the fourth file only.  While the test
 * holds an flock() on the first file, restart() fails with EAGAIN naming
 * the file and leaves no process; once released, the image restarts.
 */
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

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
	ckpt_go_wait(1);

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
	ckpt_go_wait(1);

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
	ckpt_go_wait(1);

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
	ckpt_go_wait(1);

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
	ckpt_go_wait(1);

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

/* --- signalfd --- */

static int read_sig(int fd, int signo, int value)
{
	struct signalfd_siginfo si;

	return read(fd, &si, sizeof(si)) == sizeof(si) &&
	       (int)si.ssi_signo == signo && si.ssi_int == value &&
	       si.ssi_pid == (uint32_t)getpid();
}

static int r_signalfd(void *arg)
{
	struct signalfd_siginfo si;
	union sigval val;
	sigset_t set;
	int i;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	sigemptyset(&set);
	for (i = 3; i <= 5; i++)
		sigaddset(&set, SIGRTMIN + i);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return 80;
	sigdelset(&set, SIGRTMIN + 5);
	if (ckpt_put_fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC), 5))
		return 81;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 5);
	if (ckpt_put_fd(signalfd(-1, &set, 0), 6))
		return 82;
	val.sival_int = 42;
	if (sigqueue(getpid(), SIGRTMIN + 3, val))
		return 83;
	val.sival_int = 43;
	if (sigqueue(getpid(), SIGRTMIN + 4, val))
		return 84;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, (fcntl(5, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			    (O_RDWR | O_NONBLOCK) &&
			    fcntl(5, F_GETFD) == FD_CLOEXEC);
	CKPT_CHILD_CHECK(2, (fcntl(6, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			    O_RDWR && fcntl(6, F_GETFD) == 0);
	CKPT_CHILD_CHECK(3, read_sig(5, SIGRTMIN + 3, 42));
	CKPT_CHILD_CHECK(4, read_sig(5, SIGRTMIN + 4, 43));
	CKPT_CHILD_CHECK(5, read(5, &si, sizeof(si)) < 0 && errno == EAGAIN);
	val.sival_int = 44;
	CKPT_CHILD_CHECK(6, !sigqueue(getpid(), SIGRTMIN + 5, val));
	CKPT_CHILD_CHECK(7, read_sig(6, SIGRTMIN + 5, 44));
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- timerfd --- */

#define MS	1000000LL

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS	_IOW('T', 0, uint64_t)	/* linux/timerfd.h */
#endif

static int tfd_at(int fd, int clockid, int flags, int sflags,
		  long long value, long long interval)
{
	struct itimerspec its = {
		.it_value = { value / 1000000000LL, value % 1000000000LL },
		.it_interval = { interval / 1000000000LL,
				 interval % 1000000000LL },
	};
	int t = timerfd_create(clockid, flags);
	struct timespec now;

	if (sflags & TFD_TIMER_ABSTIME) {
		clock_gettime(clockid, &now);
		its.it_value.tv_sec += now.tv_sec;
	}
	if (t < 0 || timerfd_settime(t, sflags, &its, NULL))
		return -1;
	return ckpt_put_fd(t, fd);
}

/* Time left and interval of @fd's timer, in ns, within [@lo, @hi] */
static int tfd_left(int fd, long long lo, long long hi, long long interval)
{
	struct itimerspec its;

	if (timerfd_gettime(fd, &its))
		return 0;
	return ckpt_ts_ns(&its.it_value) >= lo && ckpt_ts_ns(&its.it_value) <= hi &&
	       ckpt_ts_ns(&its.it_interval) == interval;
}

static int r_timerfd(void *arg)
{
	long long t0, t1;
	uint64_t n = 5;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (tfd_at(5, CLOCK_MONOTONIC, 0, 0, 200 * MS, 200 * MS) ||
	    tfd_at(6, CLOCK_MONOTONIC, 0, 0, 60000 * MS, 60000 * MS) ||
	    ioctl(6, TFD_IOC_SET_TICKS, &n) ||
	    tfd_at(7, CLOCK_BOOTTIME, TFD_NONBLOCK, 0, 30000 * MS, 0) ||
	    tfd_at(8, CLOCK_REALTIME, 0, TFD_TIMER_ABSTIME, 60000 * MS, 0) ||
	    tfd_at(9, CLOCK_MONOTONIC, TFD_CLOEXEC, 0, 0, 0))
		return 80;
	ckpt_go_wait(1);

	/*
	 * Keeps firing: after the expirations gathered so far are read,
	 * two reads that wait end at two expirations, 200 ms apart.
	 */
	CKPT_CHILD_CHECK(1, read(5, &n, 8) == 8 && n >= 1);
	CKPT_CHILD_CHECK(2, read(5, &n, 8) == 8 && n >= 1);
	t0 = ckpt_now_ns(CLOCK_MONOTONIC);
	CKPT_CHILD_CHECK(2, read(5, &n, 8) == 8 && n >= 1);
	t1 = ckpt_now_ns(CLOCK_MONOTONIC);
	ckpt_child_log("periodic timer: %lld ms between reads, %llu ticks",
		       (t1 - t0) / MS, (unsigned long long)n);
	CKPT_CHILD_CHECK(3, n > 1 || (t1 - t0 >= 100 * MS &&
				      t1 - t0 <= 1000 * MS));
	CKPT_CHILD_CHECK(4, read(6, &n, 8) == 8 && n == 5);
	CKPT_CHILD_CHECK(5, tfd_left(6, 1, 60000 * MS, 60000 * MS));
	CKPT_CHILD_CHECK(6, tfd_left(7, 1, 30000 * MS, 0));
	CKPT_CHILD_CHECK(7, read(7, &n, 8) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(8, tfd_left(8, 1, 60000 * MS, 0));
	CKPT_CHILD_CHECK(9, tfd_left(9, 0, 0, 0));
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- memfd --- */

#define MB		(1024 * 1024)

static unsigned char *map_shared, *map_private;

static int r_memfd(void *arg)
{
	struct stat st, st6;
	char buf[64];
	int seals = F_SEAL_SHRINK | F_SEAL_GROW;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (ckpt_put_fd(memfd_create("ckpt-test", MFD_ALLOW_SEALING), 5) ||
	    ftruncate(5, 3 * MB) || write_pat(5, 6, 65536) ||
	    lseek(5, 2 * MB, SEEK_SET) != 2 * MB || write_pat(5, 7, 100000) ||
	    lseek(5, 1000, SEEK_SET) != 1000)
		return 80;
	map_shared = mmap(NULL, 3 * MB, PROT_READ | PROT_WRITE, MAP_SHARED,
			  5, 0);
	map_private = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE, 5, 0);
	if (map_shared == MAP_FAILED || map_private == MAP_FAILED)
		return 81;
	map_shared[MB] = 'Z';
	map_private[0] = 'Q';
	if (fcntl(5, F_ADD_SEALS, seals) ||
	    ckpt_put_fd(open("/proc/self/fd/5", O_RDONLY), 6) ||
	    lseek(6, 77, SEEK_SET) != 77 ||
	    ckpt_put_fd(memfd_create("small", 0), 7) ||
	    write(7, "0123456789", 10) != 10)
		return 82;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, !fstat(5, &st) && st.st_size == 3 * MB &&
			    st.st_blocks * 512 < MB);
	CKPT_CHILD_CHECK(2, fcntl(5, F_GET_SEALS) == seals);
	CKPT_CHILD_CHECK(3, !ckpt_fd_link(getpid(), 5, buf, sizeof(buf)) &&
			    !strcmp(buf, "/memfd:ckpt-test (deleted)"));
	CKPT_CHILD_CHECK(4, pread(5, buf, 1, MB) == 1 && buf[0] == 'Z');
	CKPT_CHILD_CHECK(5, lseek(5, 0, SEEK_CUR) == 1000 &&
			    read_pat(5, 6, 0) && lseek(5, 0, SEEK_SET) == 0 &&
			    read_pat(5, 6, 65536));
	CKPT_CHILD_CHECK(6, lseek(5, 2 * MB, SEEK_SET) == 2 * MB &&
			    read_pat(5, 7, 100000));
	CKPT_CHILD_CHECK(7, lseek(5, 65536, SEEK_DATA) == MB &&
			    lseek(5, MB, SEEK_HOLE) == MB + 4096);
	CKPT_CHILD_CHECK(8, map_shared[MB] == 'Z' && map_shared[1] == pat(6, 1));
	map_shared[5] = 'W';
	CKPT_CHILD_CHECK(9, pread(5, buf, 1, 5) == 1 && buf[0] == 'W');
	CKPT_CHILD_CHECK(10, map_private[0] == 'Q' &&
			     map_private[1] == pat(6, 1));
	CKPT_CHILD_CHECK(11, (fcntl(6, F_GETFL) & O_ACCMODE) == O_RDONLY &&
			     lseek(6, 0, SEEK_CUR) == 77 && !fstat(6, &st6) &&
			     st6.st_ino == st.st_ino);
	CKPT_CHILD_CHECK(12, ftruncate(5, MB) < 0 && errno == EPERM);
	CKPT_CHILD_CHECK(13, fcntl(7, F_GET_SEALS) == F_SEAL_SEAL &&
			     pread(7, buf, 16, 0) == 10 &&
			     !memcmp(buf, "0123456789", 10));
	CKPT_CHILD_CHECK(14, fcntl(7, F_ADD_SEALS, F_SEAL_WRITE) < 0 &&
			     errno == EPERM);
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- unlinked --- */

static int r_unlinked(void *arg)
{
	const char *dir = arg;
	unsigned char *map;
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st, st6, sd;
	ssize_t n;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (stat(dir, &sd))
		return 79;
	snprintf(path, sizeof(path), "%s/ul", dir);
	if (ckpt_put_fd(open(path, O_RDWR | O_CREAT | O_TRUNC, 0640), 5) ||
	    write_pat(5, 8, MB) || lseek(5, 3 * 4096 + 5, SEEK_SET) < 0 ||
	    ckpt_put_fd(open(path, O_RDWR | O_APPEND), 6))
		return 80;
	map = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE, 5, 0);
	if (map == MAP_FAILED || unlink(path))
		return 81;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, !fstat(5, &st) && st.st_size == MB &&
			    st.st_nlink == 0 && (st.st_mode & 07777) == 0640);
	n = readlink("/proc/self/fd/5", link, sizeof(link) - 1);
	CKPT_CHILD_CHECK(2, n > 0);
	link[n] = '\0';
	ckpt_child_log("fd 5: %s", link);
	CKPT_CHILD_CHECK(3, !strncmp(link, dir, strlen(dir)) &&
			    strstr(link, " (deleted)"));
	CKPT_CHILD_CHECK(4, lseek(5, 0, SEEK_CUR) == 3 * 4096 + 5);
	CKPT_CHILD_CHECK(5, lseek(5, 0, SEEK_SET) == 0 && read_pat(5, 8, MB));
	CKPT_CHILD_CHECK(6, map[0] == pat(8, 0) && map[8191] == pat(8, 8191));
	CKPT_CHILD_CHECK(7, !fstat(6, &st6) && st6.st_ino == st.st_ino &&
			    fcntl(6, F_GETFL) & O_APPEND);
	CKPT_CHILD_CHECK(8, write(6, "end", 3) == 3 && !fstat(5, &st) &&
			    st.st_size == MB + 3);
	/* on the file system it was on */
	CKPT_CHILD_CHECK(9, st.st_dev == sd.st_dev);
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- epoll --- */

#define EP_PIPE		0x1122334455667788ULL
#define EP_EFD		0xabcdefULL

static int ep_add(int ep, int fd, unsigned int events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* The data of the events epoll_wait(@ep) reports at once, ORed */
static int ep_ready(int ep, uint64_t *d, int max)
{
	struct epoll_event ev[8];
	int n, i;

	n = epoll_wait(ep, ev, max, 0);
	for (i = 0; i < n; i++)
		d[i] = ev[i].data.u64;
	return n;
}

static int has(const uint64_t *d, int n, uint64_t v)
{
	while (n--)
		if (d[n] == v)
			return 1;
	return 0;
}

static int r_epoll(void *arg)
{
	uint64_t d[8], one = 1;
	int n;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (pipe_at(10, 11, 0) || write(11, "x", 1) != 1 ||
	    ckpt_put_fd(eventfd(0, 0), 12) ||
	    ckpt_put_fd(epoll_create1(0), 5) ||
	    ckpt_put_fd(epoll_create1(EPOLL_CLOEXEC), 6))
		return 80;
	if (ep_add(5, 10, EPOLLIN, EP_PIPE) ||
	    ep_add(5, 12, EPOLLIN | EPOLLET, EP_EFD) ||
	    dup2(11, 13) != 13 || ep_add(5, 13, EPOLLOUT | EPOLLONESHOT, 7) ||
	    close(13) || ep_add(6, 5, EPOLLIN, 42))
		return 81;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, ep_ready(6, d, 8) == 1 && d[0] == 42);
	n = ep_ready(5, d, 8);
	CKPT_CHILD_CHECK(2, n == 2 && has(d, n, EP_PIPE) && has(d, n, 7));
	n = ep_ready(5, d, 8);
	CKPT_CHILD_CHECK(3, n == 1 && d[0] == EP_PIPE);
	CKPT_CHILD_CHECK(4, write(12, &one, 8) == 8);
	n = ep_ready(5, d, 8);
	CKPT_CHILD_CHECK(5, n == 2 && has(d, n, EP_PIPE) && has(d, n, EP_EFD));
	n = ep_ready(5, d, 8);
	CKPT_CHILD_CHECK(6, n == 1 && d[0] == EP_PIPE);
	CKPT_CHILD_CHECK(7, fcntl(6, F_GETFD) == FD_CLOEXEC);
	ckpt_child_log("all checks passed");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The @n @lines, sorted, each followed by '|', in @out */
static void join_sorted(char **lines, int n, char *out, size_t size)
{
	int i;

	qsort(lines, n, sizeof(*lines), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s|",
			 lines[i]);
}

/* fdinfo's flags and watches ("tfd: events: data:") of @fd, sorted */
static void ep_info(struct __test_metadata *_metadata, pid_t pid, int fd,
		    char *out, size_t size)
{
	char name[32], buf[2048], *lines[16], *p, *e;
	int n = 0;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	ASSERT_LT(0, ckpt_proc_read(pid, name, buf, sizeof(buf)));
	for (p = strtok(buf, "\n"); p && n < 16; p = strtok(NULL, "\n")) {
		if (!strncmp(p, "tfd:", 4)) {
			e = strstr(p, "  pos:");
			if (e)
				*e = '\0';
			lines[n++] = p;
		} else if (!strncmp(p, "flags:", 6)) {
			lines[n++] = p;
		}
	}
	join_sorted(lines, n, out, size);
}

/* --- fown --- */

static int own_ex(int fd, int type, pid_t pid)
{
	struct f_owner_ex o = { .type = type, .pid = pid };

	return fcntl(fd, F_SETOWN_EX, &o);
}

static int owned_by(int fd, int type, pid_t pid)
{
	struct f_owner_ex o;

	return !fcntl(fd, F_GETOWN_EX, &o) && (int)o.type == type &&
	       o.pid == pid;
}

static int r_fown(void *arg)
{
	struct timespec tmo = { 5, 0 };
	siginfo_t si;
	sigset_t set;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 2);
	if (setpgid(0, 0) || sigprocmask(SIG_BLOCK, &set, NULL) ||
	    pipe_at(5, 10, 0) || pipe_at(6, 11, 0) || pipe_at(7, 12, 0))
		return 80;
	if (fcntl(5, F_SETOWN, getpid()) || fcntl(5, F_SETSIG, SIGRTMIN + 2) ||
	    fcntl(5, F_SETFL, O_ASYNC | O_NONBLOCK) ||
	    own_ex(6, F_OWNER_PGRP, getpgrp()) ||
	    own_ex(7, F_OWNER_TID, syscall(SYS_gettid)))
		return 81;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, owned_by(5, F_OWNER_PID, getpid()) &&
			    fcntl(5, F_GETSIG) == SIGRTMIN + 2 &&
			    fcntl(5, F_GETFL) & O_ASYNC);
	CKPT_CHILD_CHECK(2, owned_by(6, F_OWNER_PGRP, getpgrp()));
	CKPT_CHILD_CHECK(3, owned_by(7, F_OWNER_TID, syscall(SYS_gettid)));
	CKPT_CHILD_CHECK(4, write(10, "a", 1) == 1);
	CKPT_CHILD_CHECK(5, sigtimedwait(&set, &si, &tmo) == SIGRTMIN + 2 &&
			    si.si_fd == 5 && si.si_band & POLLIN);
	ckpt_child_log("all checks passed");
	return 0;
}

static int r_fown_outside(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (pipe_at(5, 6, 0) || fcntl(5, F_SETOWN, getppid()))
		return 80;
	ckpt_go_wait(1);
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- inotify --- */

/* Read exactly one inotify event into @ev (with its name); 1 if so */
static int in_event(int fd, struct inotify_event *ev, size_t size)
{
	ssize_t n = read(fd, ev, size);

	return n >= (ssize_t)sizeof(*ev) &&
	       n == (ssize_t)(sizeof(*ev) + ev->len);
}

static int r_inotify(void *arg)
{
	const char *dir = arg;
	char d[PATH_MAX], f[PATH_MAX];
	union {
		struct inotify_event ev;
		char buf[sizeof(struct inotify_event) + NAME_MAX + 1];
	} u;
	int fd;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	snprintf(d, sizeof(d), "%s/w", dir);
	snprintf(f, sizeof(f), "%s/w/f", dir);
	if (mkdir(d, 0700))
		return 80;
	fd = open(f, O_CREAT | O_WRONLY, 0600);
	if (fd < 0 || close(fd) ||
	    ckpt_put_fd(inotify_init1(IN_NONBLOCK), 5))
		return 80;
	/* descriptor 3 is removed: the one after is 4 */
	if (inotify_add_watch(5, d, IN_CREATE | IN_DELETE) != 1 ||
	    inotify_add_watch(5, f, IN_MODIFY | IN_ONESHOT) != 2 ||
	    inotify_add_watch(5, dir, IN_OPEN) != 3 ||
	    inotify_rm_watch(5, 3) ||
	    inotify_add_watch(5, dir, IN_ATTRIB) != 4)
		return 81;
	while (read(5, u.buf, sizeof(u.buf)) > 0)
		;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, read(5, u.buf, sizeof(u.buf)) < 0 &&
			    errno == EAGAIN);
	snprintf(d, sizeof(d), "%s/w/new", dir);
	CKPT_CHILD_CHECK(2, (fd = open(d, O_CREAT | O_WRONLY, 0600)) >= 0 &&
			    !close(fd));
	CKPT_CHILD_CHECK(3, in_event(5, &u.ev, sizeof(u)) && u.ev.wd == 1 &&
			    u.ev.mask == IN_CREATE && !strcmp(u.ev.name, "new"));
	CKPT_CHILD_CHECK(4, (fd = open(f, O_WRONLY)) >= 0 &&
			    write(fd, "x", 1) == 1 && !close(fd));
	/* one read gives both events of the one-shot watch */
	CKPT_CHILD_CHECK(5, read(5, u.buf, sizeof(u.buf)) ==
			    (ssize_t)(2 * sizeof(u.ev)) &&
			    u.ev.wd == 2 && u.ev.mask == IN_MODIFY &&
			    !u.ev.len);
	memcpy(&u.ev, u.buf + sizeof(u.ev), sizeof(u.ev));
	CKPT_CHILD_CHECK(6, u.ev.wd == 2 && u.ev.mask == IN_IGNORED);
	CKPT_CHILD_CHECK(7, inotify_add_watch(5, f, IN_ACCESS) > 4);
	ckpt_child_log("all checks passed");
	return 0;
}

/* fdinfo's flags and watches ("inotify wd:") of fd 5, sorted */
static void in_info(struct __test_metadata *_metadata, pid_t pid,
		    char *out, size_t size)
{
	char buf[2048], *lines[16], *p;
	int n = 0;

	ASSERT_LT(0, ckpt_proc_read(pid, "fdinfo/5", buf, sizeof(buf)));
	for (p = strtok(buf, "\n"); p && n < 16; p = strtok(NULL, "\n"))
		if (!strncmp(p, "inotify", 7) || !strncmp(p, "flags:", 6))
			lines[n++] = p;
	join_sorted(lines, n, out, size);
}

/* --- locks --- */

static int lock_range(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {
		.l_type = type, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len,
	};

	return fcntl(fd, cmd, &fl);
}

static int open_in(const char *dir, const char *name, int flags)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, flags | O_CREAT, 0600);
}

static int r_locks(void *arg)
{
	const char *dir = arg;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (ckpt_put_fd(open_in(dir, "lk1", O_RDONLY), 5) ||
	    flock(5, LOCK_EX | LOCK_NB))
		return 80;
	if (ckpt_put_fd(open_in(dir, "lk2", O_RDWR), 6) ||
	    lock_range(6, F_SETLK, F_WRLCK, 100, 100) ||
	    lock_range(6, F_SETLK, F_RDLCK, 300, 0))
		return 81;
	if (ckpt_put_fd(open_in(dir, "lk3", O_RDWR), 7) ||
	    lock_range(7, F_OFD_SETLK, F_WRLCK, 0, 10))
		return 82;
	if (ckpt_put_fd(open_in(dir, "lk4", O_RDONLY), 8) ||
	    fcntl(8, F_SETLEASE, F_RDLCK))
		return 83;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(4, fcntl(8, F_GETLEASE) == F_RDLCK);
	CKPT_CHILD_CHECK(5, fcntl(5, F_GETLEASE) == F_UNLCK);

	/* still its own locks: it can change them */
	CKPT_CHILD_CHECK(1, !flock(5, LOCK_SH | LOCK_NB) && !flock(5, LOCK_UN));
	CKPT_CHILD_CHECK(2, !lock_range(6, F_SETLK, F_UNLCK, 0, 0));
	CKPT_CHILD_CHECK(3, !lock_range(7, F_OFD_SETLK, F_UNLCK, 0, 0));
	ckpt_child_log("all checks passed");
	return 0;
}

/* F_GETLK-like @cmd for a write lock on [@start, @start + @len) */
static int getlk(int fd, int cmd, off_t start, off_t len, struct flock *fl)
{
	*fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET,
			      .l_start = start, .l_len = len };
	return fcntl(fd, cmd, fl);
}

/* Is what @fl reports a lock of @type on [@start, @start + @len)? */
static int lk_is(const struct flock *fl, short type, off_t start, off_t len,
		 pid_t pid)
{
	return fl->l_type == type && fl->l_start == start &&
	       fl->l_len == len && fl->l_pid == pid;
}

/* What a process other than @pid sees of the locks of r_locks() */
static void check_locks(struct __test_metadata *_metadata, const char *dir,
			pid_t pid)
{
	struct flock fl;
	int fd;

	fd = open_in(dir, "lk1", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, flock(fd, LOCK_SH | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(fd);

	fd = open_in(dir, "lk2", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getlk(fd, F_GETLK, 0, 0, &fl));
	EXPECT_TRUE(lk_is(&fl, F_WRLCK, 100, 100, pid));
	ASSERT_EQ(0, getlk(fd, F_GETLK, 200, 100, &fl));
	EXPECT_EQ(F_UNLCK, fl.l_type);
	ASSERT_EQ(0, getlk(fd, F_GETLK, 1000, 1, &fl));
	EXPECT_TRUE(lk_is(&fl, F_RDLCK, 300, 0, pid));
	close(fd);

	fd = open_in(dir, "lk3", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getlk(fd, F_OFD_GETLK, 5, 100, &fl));
	EXPECT_TRUE(lk_is(&fl, F_WRLCK, 0, 10, -1)) {
		TH_LOG("type %d start %ld len %ld pid %d", fl.l_type,
		       (long)fl.l_start, (long)fl.l_len, fl.l_pid);
	}
	close(fd);
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
	char ext4[96];		/* an ext4 mount point, or "" */
	char img[96];		/* and its image */
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
	if (self->ext4[0])
		ckpt_umount_ext4(self->img, self->ext4);
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

	char buf[512];

	ASSERT_EQ(0, kill(self->pids[0], SIGUSR1));
	ASSERT_EQ(self->pids[0], ckpt_waitpid(self->pids[0], &status,
					      TMO_EXIT)) {
		if (ckpt_proc_read(self->pids[0], "syscall", buf,
				   sizeof(buf)) > 0)
			TH_LOG("root still in syscall %s", buf);
		if (ckpt_proc_read(self->pids[0], "status", buf,
				   sizeof(buf)) > 0)
			TH_LOG("%s", buf);
		ckpt_dump_log(self->log);
	}
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

#define MAX_INFO	5

/* The "flags:" and @key lines of fdinfo of fds 5 to 4 + @n */
static void fd_info(struct __test_metadata *_metadata, pid_t pid, int n,
		    const char *key, char info[MAX_INFO][128])
{
	char name[32], buf[512], flags[32], val[64];
	int fd;

	for (fd = 5; fd < 5 + n; fd++) {
		snprintf(name, sizeof(name), "fdinfo/%d", fd);
		ASSERT_LT(0, ckpt_proc_read(pid, name, buf, sizeof(buf)));
		ASSERT_EQ(0, ckpt_proc_field(buf, "flags", flags,
					     sizeof(flags)));
		ASSERT_EQ(0, ckpt_proc_field(buf, key, val, sizeof(val)));
		snprintf(info[fd - 5], 128, "fd %d flags %s %s %s", fd, flags,
			 key, val);
	}
}

/*
 * Run @fn(@arg) as the root of a tree of 1 + @nr processes through a
 * cycle, comparing fdinfo's flags and @key of fds 5 to 4 + @nr_fds
 */
static void anon_cycle(struct __test_metadata *_metadata,
		       FIXTURE_DATA(kinds) *self, int (*fn)(void *),
		       void *arg, int nr, int nr_fds, const char *key)
{
	char before[MAX_INFO][128], after[MAX_INFO][128];
	int i;

	start(_metadata, self, fn, arg, nr);
	fd_info(_metadata, self->pids[0], nr_fds, key, before);
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	fd_info(_metadata, self->pids[0], nr_fds, key, after);
	for (i = 0; i < nr_fds; i++) {
		TH_LOG("%s", after[i]);
		EXPECT_STREQ(before[i], after[i]);
	}
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, eventfd, 120)
{
	anon_cycle(_metadata, self, r_eventfd, NULL, 1, 5, "eventfd-count");
}

TEST_F_TIMEOUT(kinds, signalfd, 120)
{
	anon_cycle(_metadata, self, r_signalfd, NULL, 0, 2, "sigmask");
}

TEST_F_TIMEOUT(kinds, memfd, 120)
{
	anon_cycle(_metadata, self, r_memfd, NULL, 0, 3, "pos");
}

TEST_F_TIMEOUT(kinds, unlinked, 120)
{
	anon_cycle(_metadata, self, r_unlinked, self->dir, 0, 2, "pos");
}

TEST_F_TIMEOUT(kinds, unlinked_ext4, 120)
{
	char mnt[96], img[96];

	if (!ckpt_have_fs("ext4"))
		SKIP(return, "the kernel has no ext4");
	snprintf(mnt, sizeof(mnt), "%s/ext4", self->dir);
	snprintf(img, sizeof(img), "%s/ext4.img", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, ckpt_mount_ext4(img, mnt, 32));
	strcpy(self->ext4, mnt);
	strcpy(self->img, img);
	anon_cycle(_metadata, self, r_unlinked, self->ext4, 0, 2, "pos");
}

TEST_F_TIMEOUT(kinds, timerfd, 120)
{
	char before[MAX_INFO][128], after[MAX_INFO][128];
	int i;

	/* the settime flags too: the absolute timer keeps its flag */
	start(_metadata, self, r_timerfd, NULL, 0);
	fd_info(_metadata, self->pids[0], 5, "settime flags", before);
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	fd_info(_metadata, self->pids[0], 5, "settime flags", after);
	for (i = 0; i < 5; i++)
		EXPECT_STREQ(before[i], after[i]);
	fd_info(_metadata, self->pids[0], 5, "clockid", after);
	for (i = 0; i < 5; i++)
		TH_LOG("%s", after[i]);
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, epoll, 120)
{
	char before[2][512], after[2][512];
	int i;

	start(_metadata, self, r_epoll, NULL, 0);
	for (i = 0; i < 2; i++)
		ep_info(_metadata, self->pids[0], 5 + i, before[i],
			sizeof(before[i]));
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	for (i = 0; i < 2; i++) {
		ep_info(_metadata, self->pids[0], 5 + i, after[i],
			sizeof(after[i]));
		TH_LOG("fd %d: %s", 5 + i, after[i]);
		EXPECT_STREQ(before[i], after[i]);
	}
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, fown, 120)
{
	anon_cycle(_metadata, self, r_fown, NULL, 0, 3, "pos");
}

TEST_F_TIMEOUT(kinds, fown_outside, 120)
{
	int status;

	start(_metadata, self, r_fown_outside, NULL, 0);
	EXPECT_EQ(-1, ckpt_checkpoint(self->pids[0], CKPT_KILL, &self->imgfd,
				      self->klog, sizeof(self->klog)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	TH_LOG("kernel log: %s", self->klog);
	EXPECT_TRUE(ckpt_has_num(self->klog, "pid ", self->pids[0]));
	EXPECT_TRUE(ckpt_has_num(self->klog, "fd ", 5));
	EXPECT_NE(NULL, strstr(self->klog, "F_SETOWN"));
	ASSERT_EQ(0, ckpt_waitpid(self->pids[0], &status, 0));
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, inotify, 120)
{
	char before[1024], after[1024];

	start(_metadata, self, r_inotify, self->dir, 0);
	in_info(_metadata, self->pids[0], before, sizeof(before));
	checkpoint_kill(_metadata, self);
	restart_ok(_metadata, self);
	in_info(_metadata, self->pids[0], after, sizeof(after));
	TH_LOG("%s", after);
	EXPECT_STREQ(before, after);
	finish(_metadata, self);
}

TEST_F_TIMEOUT(kinds, locks, 120)
{
	char path[PATH_MAX];
	int fd, status;
	long ret;

	start(_metadata, self, r_locks, self->dir, 0);
	check_locks(_metadata, self->dir, self->pids[0]);
	checkpoint_kill(_metadata, self);

	fd = open_in(self->dir, "lk1", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, flock(fd, LOCK_SH | LOCK_NB));
	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EAGAIN, errno);
	TH_LOG("kernel log: %s", self->klog);
	snprintf(path, sizeof(path), "%s/lk1", self->dir);
	EXPECT_NE(NULL, strstr(self->klog, path));
	EXPECT_EQ(-1, waitpid(-1, &status, WNOHANG));
	EXPECT_EQ(ECHILD, errno);
	close(fd);

	restart_ok(_metadata, self);
	check_locks(_metadata, self->dir, self->pids[0]);
	finish(_metadata, self);
}

TEST_HARNESS_MAIN
