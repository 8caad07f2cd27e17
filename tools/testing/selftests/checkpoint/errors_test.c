// SPDX-License-Identifier: GPL-2.0
/*
 * Error paths of checkpoint() and restart().
 *
 * bad_args: invalid flags (EINVAL), restart() with a pid (EINVAL), bad
 * image or log fds, an image fd opened read-only for checkpoint() or
 * write-only for restart() (EBADF), pids that do not exist (ESRCH).  The
 * target keeps running unchanged and restart() leaves no child.
 *
 * busy_target: a ptraced target is refused with EBUSY.
 *
 * pid_in_use: restarting an image while its process still runs fails with
 * EBUSY and a log naming the pid; once it has exited the image restarts.
 *
 * truncated, corrupted, crafted: images of a real child truncated at many
 * lengths (every record boundary found by walking the records, inside
 * headers and payloads, ...), with one bit flipped at ~190 offsets (160
 * spread over the image, the others in record headers), and
 * with records made invalid one at a time (bad magic, version, arch,
 * record types and lengths, PAGES, VMA, FILE, PIPE, PIPE_BUF, EVENTFD,
 * SIGNALFD, TIMERFD, LOCKS, INODE, DATA, EPOLL, FOWNER, INOTIFY, PTY, TTY, FS,
 * FDTABLE, FD, TREE, PIDNS, TASK, CREDS, SIGNAL, POSIX_TIMERS, XSTATE and
 * TRAILER
 * contents, HEADER clocks, records
 * missing, repeated or out of order), the trailer's CRC-32 recomputed so
 * that the reader gets to the record checks.  Every image must be
 * refused with the expected errno (EBADMSG, ENOEXEC, EPROTONOSUPPORT) and
 * a message in the log, leaving no child behind and the pid free, and
 * ckptinfo must refuse it too; the unmodified image, re-encoded by the
 * test, must be byte-identical, pass ckptinfo and restart.
 *
 * missing_file, stale_mapping: a file of the image was removed (ENOENT)
 * or a mapped file changed (ESTALE); once put back the image restarts.
 *
 * unsupported: a child with a second thread, a child of its own, shared
 * anonymous memory, mlock()ed memory or a seccomp filter cannot be
 * checkpointed (EOPNOTSUPP, with a log naming the pid and the resource),
 * with flags 0, CKPT_KILL and CKPT_STOP, and keeps running unchanged.
 */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	10000
#define TMO_EXIT	20000
#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)
#define PAGE		4096
#define MAX_RECS	8192
#define MAX_DETAILS	12	/* failures described per test */

/* --- CRC-32 as zlib's crc32() --- */

static uint32_t crc_table[256];

static uint32_t crc32_buf(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t c;
	int i, k;

	if (!crc_table[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* --- the child --- */

enum { M_PLAIN, M_SIBLINGS, M_SHARED, M_MLOCK, M_SECCOMP };

struct err_arg {
	const char *dir;
	int mode;
};

#define DATA_FILE	"missing-file"
#define MAPPED_FILE	"mapped"
#define DATA_POS	100

static unsigned char pat(int seed, long i)
{
	return (unsigned char)(i * 13 + seed * 101 + (i >> 9));
}

static unsigned char bss_pat[3 * PAGE];
static long vm_locked_kb(void)
{
	char buf[4096], val[64];

	if (ckpt_proc_read(0, "status", buf, sizeof(buf)) <= 0 ||
	    ckpt_proc_field(buf, "VmLck", val, sizeof(val)))
		return -1;
	return atol(val);
}

/* A pty pair at fds 14 (master) and 15: the slave has a line to read */
static int err_pty(void)
{
	char name[64];
	int fd, n, i;

	fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (fd < 0 || ckpt_put_fd(fd, 14) || unlockpt(14) ||
	    ioctl(14, TIOCGPTN, &n))
		return -1;
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	fd = open(name, O_RDWR | O_NOCTTY);
	if (fd < 0 || ckpt_put_fd(fd, 15) || write(14, "hey\n", 4) != 4)
		return -1;
	for (i = 0; i < 5000 && (ckpt_nread(15) != 4 || ckpt_nread(14) != 5);
	     i++)
		usleep(1000);
	return ckpt_nread(15) == 4 && ckpt_nread(14) == 5 ? 0 : -1;
}

static int err_child(void *arg)
{
	const struct err_arg *ea = arg;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	unsigned char *map, *shared = NULL, buf[16];
	char path[PATH_MAX];
	pid_t gc = 0;
	int fd, i, status, pfd[2];
	struct flock lk = { .l_type = F_WRLCK, .l_start = 10, .l_len = 5 };
	struct itimerspec its = { .it_value = { 100, 0 } };
	struct epoll_event epev = { .events = EPOLLIN, .data.u64 = 99 };
	struct sigevent tev = { .sigev_notify = SIGEV_NONE };
	timer_t timer;
	struct signalfd_siginfo ssi;
	unsigned char mbuf[5000];
	uint64_t efd;
	sigset_t sset;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	snprintf(path, sizeof(path), "%s/%s", ea->dir, DATA_FILE);
	fd = open(path, O_RDWR);
	if (fd != 3 || dup2(fd, 5) != 5 || close(fd) ||
	    lseek(5, DATA_POS, SEEK_SET) != DATA_POS)
		return 80;
	/* a packet pipe at fds 6 and 7 holding two packets */
	if (pipe2(pfd, O_DIRECT) || dup2(pfd[0], 6) != 6 ||
	    dup2(pfd[1], 7) != 7 || close(pfd[0]) || close(pfd[1]) ||
	    write(7, "abcde", 5) != 5 || write(7, "xyz", 3) != 3 ||
	    fcntl(6, F_SETOWN, getpid()) || fcntl(6, F_SETSIG, SIGRTMIN + 1))
		return 83;
	/* an flock and a POSIX lock on fd 5 */
	if (flock(5, LOCK_EX | LOCK_NB) || fcntl(5, F_SETLK, &lk))
		return 83;
	/* an eventfd at fd 8, a signalfd at fd 9 */
	fd = eventfd(5, 0);
	if (fd < 0 || dup2(fd, 8) != 8 || close(fd))
		return 83;
	sigemptyset(&sset);
	sigaddset(&sset, SIGRTMIN);
	fd = signalfd(-1, &sset, SFD_NONBLOCK);
	if (fd < 0 || dup2(fd, 9) != 9 || close(fd))
		return 83;
	/* a memfd at fd 11: 5000 bytes, sealed against growing */
	for (i = 0; i < (int)sizeof(mbuf); i++)
		mbuf[i] = pat(4, i);
	fd = memfd_create("err", MFD_ALLOW_SEALING);
	if (fd < 0 || write(fd, mbuf, sizeof(mbuf)) != sizeof(mbuf) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) || dup2(fd, 11) != 11 ||
	    close(fd))
		return 83;
	/* an inotify file at fd 13 watching the test directory */
	fd = inotify_init1(IN_NONBLOCK);
	if (fd < 0 || inotify_add_watch(fd, ea->dir, IN_CREATE) != 1 ||
	    dup2(fd, 13) != 13 || close(fd))
		return 83;
	/* a pty pair at fds 14 and 15: "hey\n" to read, its echo too */
	if (err_pty())
		return 83;
	/* an epoll set at fd 12 watching the eventfd */
	fd = epoll_create1(0);
	if (fd < 0 || epoll_ctl(fd, EPOLL_CTL_ADD, 8, &epev) ||
	    dup2(fd, 12) != 12 || close(fd))
		return 83;
	/* a timerfd at fd 10, 100 s to go */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL) ||
	    dup2(fd, 10) != 10 || close(fd))
		return 83;
	/* a POSIX timer without a signal, 100 s to go */
	if (timer_create(CLOCK_MONOTONIC, &tev, &timer) ||
	    timer_settime(timer, 0, &its, NULL))
		return 83;
	snprintf(path, sizeof(path), "%s/%s", ea->dir, MAPPED_FILE);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 81;
	map = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED || map[0] != pat(2, 0) ||
	    map[2 * PAGE - 1] != pat(2, 2 * PAGE - 1))
		return 82;
	for (i = 0; i < (int)sizeof(bss_pat); i++)
		bss_pat[i] = pat(3, i);

	switch (ea->mode) {
	case M_SIBLINGS:
		/* two children share an fd table that their parent left */
		for (i = 0; i < 2; i++) {
			gc = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL,
				     NULL, 0);
			if (gc < 0)
				return 84;
			if (gc == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
				for (;;)
					pause();
			}
		}
		if (unshare(CLONE_FILES))
			return 84;
		break;
	case M_SHARED:
		shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			return 85;
		memset(shared, 0x5a, PAGE);
		break;
	case M_MLOCK:
		if (mlock(bss_pat, PAGE) || vm_locked_kb() <= 0)
			return 86;
		break;
	case M_SECCOMP:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
			return 87;
		break;
	}
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, lseek(5, 0, SEEK_CUR) == DATA_POS);
	CKPT_CHILD_CHECK(2, read(5, buf, 4) == 4 && buf[0] == pat(1, DATA_POS)
			    && buf[3] == pat(1, DATA_POS + 3));
	for (i = 0; i < 2 * PAGE; i++)
		CKPT_CHILD_CHECK(3, map[i] == pat(2, i));
	CKPT_CHILD_CHECK(12, read(6, buf, sizeof(buf)) == 5 &&
			     !memcmp(buf, "abcde", 5));
	CKPT_CHILD_CHECK(13, read(6, buf, sizeof(buf)) == 3 &&
			     !memcmp(buf, "xyz", 3));
	CKPT_CHILD_CHECK(14, fcntl(7, F_GETFL) & O_DIRECT);
	CKPT_CHILD_CHECK(20, fcntl(6, F_GETOWN) == getpid() &&
			     fcntl(6, F_GETSIG) == SIGRTMIN + 1);
	CKPT_CHILD_CHECK(21, inotify_add_watch(13, ea->dir, IN_CREATE) == 1);
	CKPT_CHILD_CHECK(22, read(15, buf, sizeof(buf)) == 4 &&
			     !memcmp(buf, "hey\n", 4));
	CKPT_CHILD_CHECK(23, read(14, buf, sizeof(buf)) == 5 &&
			     !memcmp(buf, "hey\r\n", 5));
	CKPT_CHILD_CHECK(19, epoll_wait(12, &epev, 1, 0) == 1 &&
			     epev.data.u64 == 99);
	CKPT_CHILD_CHECK(15, read(8, &efd, 8) == 8 && efd == 5);
	CKPT_CHILD_CHECK(16, read(9, &ssi, sizeof(ssi)) < 0 && errno == EAGAIN);
	memset(mbuf, 0, sizeof(mbuf));
	CKPT_CHILD_CHECK(18, pread(11, mbuf, sizeof(mbuf), 0) == sizeof(mbuf) &&
			     pread(11, &efd, 1, sizeof(mbuf)) == 0 &&
			     mbuf[4999] == pat(4, 4999) &&
			     fcntl(11, F_GET_SEALS) == F_SEAL_GROW);
	CKPT_CHILD_CHECK(17, !timerfd_gettime(10, &its) &&
			     its.it_value.tv_sec < 100 && its.it_value.tv_sec);
	for (i = 0; i < (int)sizeof(bss_pat); i++)
		CKPT_CHILD_CHECK(4, bss_pat[i] == pat(3, i));
	switch (ea->mode) {
	case M_SIBLINGS:
		CKPT_CHILD_CHECK(6, waitpid(gc, &status, WNOHANG) == 0);
		CKPT_CHILD_CHECK(7, !kill(gc, SIGKILL));
		CKPT_CHILD_CHECK(8, waitpid(gc, &status, 0) == gc &&
				    WIFSIGNALED(status) &&
				    WTERMSIG(status) == SIGKILL);
		break;
	case M_SHARED:
		for (i = 0; i < PAGE; i++)
			CKPT_CHILD_CHECK(9, shared[i] == 0x5a);
		break;
	case M_MLOCK:
		CKPT_CHILD_CHECK(10, vm_locked_kb() > 0);
		break;
	case M_SECCOMP:
		CKPT_CHILD_CHECK(11, prctl(PR_GET_SECCOMP, 0, 0, 0, 0) ==
				     SECCOMP_MODE_FILTER);
		break;
	}
	ckpt_child_log("all checks passed");
	return 0;
}

/* --- fixture --- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

static int make_file(const char *dir, const char *name, int seed, int size)
{
	char path[PATH_MAX];
	unsigned char *buf = malloc(size);
	int fd, i, ret = -1;

	if (!buf)
		return -1;
	for (i = 0; i < size; i++)
		buf[i] = pat(seed, i);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, buf, size) == size)
		ret = 0;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

struct ctx {
	char dir[64];
	char log[80];
	pid_t pid;
	int imgfd;
	int memfd;
	uint8_t *img;
	size_t len;
	int details;		/* failures described so far */
};

static void ctx_setup(struct __test_metadata *_metadata, struct ctx *self)
{
	self->pid = -1;
	self->imgfd = -1;
	strcpy(self->dir, "/tmp/ckpt-errors.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s.log", self->dir);
	ASSERT_EQ(0, make_file(self->dir, DATA_FILE, 1, PAGE));
	ASSERT_EQ(0, make_file(self->dir, MAPPED_FILE, 2, 2 * PAGE));
	self->memfd = ckpt_memfd("crafted");
	ASSERT_GE(self->memfd, 0);
}

static void ctx_teardown(struct ctx *self)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	close(self->memfd);
	free(self->img);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unlink(self->log);
}

FIXTURE(err) {
	struct ctx c;
};

FIXTURE_SETUP(err)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(err)
{
	ctx_teardown(&self->c);
}

static pid_t spawn_ready(struct __test_metadata *_metadata,
			 struct ctx *self, int mode)
{
	static struct err_arg arg;

	arg.dir = self->dir;
	arg.mode = mode;
	self->pid = ckpt_spawn(err_child, &arg, self->log);
	if (self->pid <= 0)
		return -1;
	if (ckpt_wait_ready(self->pid, TMO_READY)) {
		TH_LOG("the child did not get ready");
		ckpt_dump_log(self->log);
		return -1;
	}
	return self->pid;
}

/* Send SIGUSR1 to the (restored or original) child: it must exit 0. */
static int finish_child(struct __test_metadata *_metadata,
			struct ctx *self)
{
	int status = 0;

	if (kill(self->pid, SIGUSR1))
		return -1;
	if (ckpt_waitpid(self->pid, &status, TMO_EXIT) != self->pid) {
		char stat[512] = "", sc[128] = "";

		ckpt_proc_read(self->pid, "stat", stat, sizeof(stat));
		ckpt_proc_read(self->pid, "syscall", sc, sizeof(sc));
		TH_LOG("child %d did not exit: stat %s syscall %s", self->pid,
		       stat, sc);
		ckpt_dump_log(self->log);
		return -1;
	}
	self->pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		TH_LOG("child status %#x (exit code = failed check)", status);
		ckpt_dump_log(self->log);
		return -1;
	}
	return 0;
}

/* The child must still be there, asleep (not stopped, not killed). */
static int untouched(pid_t pid)
{
	int status;

	if (ckpt_waitpid(pid, &status, 0) != 0)
		return 0;
	return ckpt_wait_state(pid, 'S', 1000) == 'S';
}

/* Checkpoint a plain child with CKPT_KILL, reap it, keep the image. */
static int take_image(struct __test_metadata *_metadata,
		      struct ctx *self)
{
	char klog[CKPT_LOG_MAX];
	int status = 0;
	off_t size;
	long ret;

	if (spawn_ready(_metadata, self, M_PLAIN) < 0)
		return -1;
	ret = ckpt_checkpoint(self->pid, CKPT_KILL, &self->imgfd, klog,
			      sizeof(klog));
	if (ret <= 0) {
		TH_LOG("checkpoint: %s; kernel log:\n%s", strerror(errno),
		       klog);
		return -1;
	}
	if (ckpt_waitpid(self->pid, &status, TMO_EXIT) != self->pid ||
	    !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		TH_LOG("the checkpointed child was not killed: %#x", status);
		return -1;
	}
	size = ckpt_fd_size(self->imgfd);
	self->img = malloc(size > 0 ? size : 1);
	if (size <= 0 || !self->img ||
	    pread(self->imgfd, self->img, size, 0) != size)
		return -1;
	self->len = size;
	return 0;
}

/* Replace the contents of the memfd by @len bytes of @buf. */
static int load_memfd(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	if (ftruncate(fd, 0))
		return -1;
	while (done < len) {
		n = pwrite(fd, (const char *)buf + done, len - done, done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * ckptinfo's exit status on @len bytes of @img, or -1 if it did not run;
 * its message goes to /tmp/ckptinfo.err
 */
static int ckptinfo_status(const void *img, size_t len)
{
	int fd = ckpt_memfd("ckptinfo-in"), st = -1;

	if (fd < 0)
		return -1;
	if (!load_memfd(fd, img, len))
		st = ckpt_ckptinfo(fd);
	close(fd);
	return st;
}

/*
 * restart() from @len bytes of @buf must fail with one of @errs (0
 * terminated), log something and leave no child; the pid of the image
 * must stay free.  Returns 1 if so; otherwise describes the failure (up
 * to MAX_DETAILS per test) and returns 0.
 */
static int refused(struct __test_metadata *_metadata, struct ctx *self,
		   const void *buf, size_t len, pid_t pid, const int *errs,
		   const char *what)
{
	char klog[CKPT_LOG_MAX], why[256] = "";
	int err, status, ok = 0, i;
	pid_t r;
	long ret;

	if (load_memfd(self->memfd, buf, len)) {
		TH_LOG("%s: cannot write the image", what);
		return 0;
	}
	ret = ckpt_restart(self->memfd, 0, klog, sizeof(klog));
	err = errno;
	if (ret >= 0) {
		snprintf(why, sizeof(why), "restart() returned %ld", ret);
		ckpt_kill_reap(ret);
		goto out;
	}
	for (i = 0; errs[i]; i++)
		if (err == errs[i])
			ok = 1;
	if (!ok) {
		snprintf(why, sizeof(why), "errno %d (%s), expected %d (%s)",
			 err, strerror(err), errs[0], strerror(errs[0]));
		goto out;
	}
	ok = 0;
	if (!klog[0]) {
		snprintf(why, sizeof(why), "%s, but nothing in the log",
			 strerror(err));
		goto out;
	}
	r = waitpid(-1, &status, WNOHANG | __WALL);
	if (r != -1 || errno != ECHILD) {
		snprintf(why, sizeof(why), "child left: waitpid %d, %#x",
			 r, status);
		if (r > 0 && r != pid)
			ckpt_kill_reap(r);
		goto out;
	}
	if (kill(pid, 0) != -1 || errno != ESRCH) {
		snprintf(why, sizeof(why), "pid %d exists after restart()",
			 pid);
		goto out;
	}
	ok = 1;
out:
	if (!ok && self->details++ < MAX_DETAILS)
		TH_LOG("%s: %s; kernel log: %s", what, why, klog);
	return ok;
}

static const int ebadmsg[] = { EBADMSG, 0 };

/* --- walking an image --- */

struct rec {
	size_t off;
	uint32_t type;
	uint32_t len;
};

/*
 * Fill @r with the records of @img up to and including the TRAILER.
 * Returns their number, or -1 if the image is not well formed.
 */
static int walk(const uint8_t *img, size_t size, struct rec *r, int max)
{
	struct ckpt_hdr h;
	size_t off = 0;
	int n = 0;

	while (n < max && off + sizeof(h) <= size) {
		memcpy(&h, img + off, sizeof(h));
		if (h.len < sizeof(h) || off + h.len > size)
			return -1;
		r[n].off = off;
		r[n].type = h.type;
		r[n].len = h.len;
		n++;
		if (h.type == CKPT_HDR_TRAILER)
			return off + h.len == size ? n : -1;
		off += ALIGN8(h.len);
	}
	return -1;
}

static struct rec recs[MAX_RECS];

/* Is recs[@i] the first record of its type? */
static int first_of_type(size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (recs[j].type == recs[i].type)
			return 0;
	return 1;
}

TEST_F_TIMEOUT(err, truncated, 280)
{
	struct ctx *cx = &self->c;
	/* without its whole magic, the image may be "not an image" too */
	const size_t magic_end = offsetof(struct ckpt_hdr_header, magic) + 8;
	static const int ebadmsg_noexec[] = { EBADMSG, ENOEXEC, 0 };
	static size_t lens[4 * MAX_RECS + 16];
	struct ckpt_hdr_trailer tr;
	size_t n = 0, i, j, l;
	int nr, nfail = 0;
	pid_t pid;
	char what[64];

	ASSERT_EQ(0, take_image(_metadata, cx));
	pid = cx->pid;
	cx->pid = -1;
	nr = walk(cx->img, cx->len, recs, MAX_RECS);
	ASSERT_GT(nr, 3) {
		TH_LOG("cannot walk the image (%zu bytes)", cx->len);
	}
	ASSERT_EQ((uint32_t)CKPT_HDR_HEADER, recs[0].type);
	ASSERT_EQ((uint32_t)CKPT_HDR_TRAILER, recs[nr - 1].type);
	ASSERT_EQ(sizeof(tr), recs[nr - 1].len);
	memcpy(&tr, cx->img + recs[nr - 1].off, sizeof(tr));
	EXPECT_EQ(recs[nr - 1].off, tr.image_len);
	EXPECT_EQ((uint64_t)nr - 1, tr.nr_records);
	EXPECT_EQ(crc32_buf(0, cx->img, recs[nr - 1].off), tr.crc32);

	/*
	 * Lengths: fixed ones, every record boundary, then cuts inside the
	 * first record of each type (and of every 8th record).
	 */
	lens[n++] = 0;
	lens[n++] = 1;
	lens[n++] = 7;
	lens[n++] = 8;
	lens[n++] = 100;
	lens[n++] = cx->len - 1;
	lens[n++] = cx->len - 8;
	lens[n++] = cx->len - sizeof(tr) + 8;
	for (i = 0; i < (size_t)nr; i++) {
		lens[n++] = recs[i].off;		/* record missing */
		if (!first_of_type(i) && i % 8)
			continue;
		lens[n++] = recs[i].off + 4;		/* in its header */
		lens[n++] = recs[i].off + recs[i].len / 2;
		lens[n++] = recs[i].off + recs[i].len - 1;
		if (recs[i].len & 7)			/* padding missing */
			lens[n++] = recs[i].off + recs[i].len;
	}
	/* sort, drop duplicates and lengths >= the image's */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && lens[j - 1] > lens[j]; j--) {
			l = lens[j];
			lens[j] = lens[j - 1];
			lens[j - 1] = l;
		}
	for (i = 0, j = 0; i < n; i++)
		if (lens[i] < cx->len && (!j || lens[i] != lens[j - 1]))
			lens[j++] = lens[i];
	n = j;
	TH_LOG("%zu bytes, %d records, %zu truncated images", cx->len, nr,
	       n);
	for (i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "truncated at %zu", lens[i]);
		nfail += !refused(_metadata, cx, cx->img, lens[i], pid,
				  lens[i] < magic_end ? ebadmsg_noexec :
							ebadmsg, what);
	}
	EXPECT_EQ(0, nfail);

	/* the whole image is fine: the pid was free all along */
	ASSERT_EQ(0, load_memfd(cx->memfd, cx->img, cx->len));
	cx->pid = ckpt_restart(cx->memfd, 0, NULL, 0);
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart of the whole image: %s", strerror(errno));
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* The errnos a one-bit flip at @off of the HEADER may give */
static const int *flip_errs(size_t off)
{
	static const int noexec[] = { ENOEXEC, 0 };
	static const int proto[] = { EPROTONOSUPPORT, 0 };
	static const int any[] = { EBADMSG, ENOEXEC, 0 };
	const size_t magic = offsetof(struct ckpt_hdr_header, magic);
	const size_t version = offsetof(struct ckpt_hdr_header, version);
	const size_t arch = offsetof(struct ckpt_hdr_header, arch);

	if (off >= sizeof(struct ckpt_hdr_header))
		return ebadmsg;
	if (off >= magic && off < magic + 8)
		return noexec;
	if (off >= version && off < version + 4)
		return proto;
	if (off >= arch && off < arch + 4)
		return noexec;
	return any;
}

TEST_F_TIMEOUT(err, corrupted, 280)
{
	struct ctx *cx = &self->c;
	static size_t offs[512];
	size_t n = 0, i;
	int nr, nfail = 0;
	uint8_t bit;
	char what[64];
	pid_t pid;

	ASSERT_EQ(0, take_image(_metadata, cx));
	pid = cx->pid;
	cx->pid = -1;
	nr = walk(cx->img, cx->len, recs, MAX_RECS);
	ASSERT_GT(nr, 3);

	/*
	 * 160 offsets spread over the image, the header of the first record
	 * of each type
	 */
	for (i = 0; i < 160; i++)
		offs[n++] = i * (cx->len - 1) / 159;
	for (i = 0; i < (size_t)nr; i++) {
		if (!first_of_type(i))
			continue;
		offs[n++] = recs[i].off + (i & 3);		/* type */
		offs[n++] = recs[i].off + 4 + (i & 3);		/* len */
	}
	for (i = 0; i < n; i++) {
		bit = 1 << (i % 8);
		cx->img[offs[i]] ^= bit;
		snprintf(what, sizeof(what), "bit %d flipped at %zu", (int)(i % 8),
			 offs[i]);
		nfail += !refused(_metadata, cx, cx->img, cx->len, pid,
				  flip_errs(offs[i]), what);
		cx->img[offs[i]] ^= bit;
	}
	TH_LOG("%zu bytes, %zu corrupted images, %d not refused properly",
	       cx->len, n, nfail);
	EXPECT_EQ(0, nfail);

	ASSERT_EQ(0, load_memfd(cx->memfd, cx->img, cx->len));
	cx->pid = ckpt_restart(cx->memfd, 0, NULL, 0);
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart of the intact image: %s", strerror(errno));
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- crafted images: a list of records to edit, then re-encode --- */

struct blob {
	uint8_t *p;
	size_t n;		/* bytes in the stream, padding included */
};

struct model {
	struct blob b[MAX_RECS];
	int nr;
};

/* Trailer edits */
struct tropt {
	int bad_magic;
	int nr_delta;
	int len_delta;
	uint32_t crc_xor;
	int omit;
};

static struct model model;

static int model_load(struct model *m, const uint8_t *img, size_t size)
{
	int nr = walk(img, size, recs, MAX_RECS), i;

	if (nr < 0)
		return -1;
	m->nr = 0;
	for (i = 0; i < nr - 1; i++) {
		size_t n = ALIGN8(recs[i].len);

		m->b[i].p = calloc(1, n);
		if (!m->b[i].p)
			return -1;
		memcpy(m->b[i].p, img + recs[i].off, recs[i].len);
		m->b[i].n = n;
		m->nr++;
	}
	return 0;
}

static void model_free(struct model *m)
{
	int i;

	for (i = 0; i < m->nr; i++)
		free(m->b[i].p);
	m->nr = 0;
}

/* Encode @m with a trailer (edited as @t says); *@len gets the size. */
static uint8_t *model_encode(const struct model *m, const struct tropt *t,
			     size_t *len)
{
	struct ckpt_hdr_trailer tr;
	size_t size = sizeof(tr), off = 0;
	uint8_t *img;
	int i;

	for (i = 0; i < m->nr; i++)
		size += m->b[i].n;
	img = malloc(size);
	if (!img)
		return NULL;
	for (i = 0; i < m->nr; i++) {
		memcpy(img + off, m->b[i].p, m->b[i].n);
		off += m->b[i].n;
	}
	memset(&tr, 0, sizeof(tr));
	tr.h.type = CKPT_HDR_TRAILER;
	tr.h.len = sizeof(tr);
	memcpy(tr.magic, CKPT_MAGIC, sizeof(tr.magic));
	if (t->bad_magic)
		tr.magic[0] ^= 0x20;
	tr.nr_records = m->nr + t->nr_delta;
	tr.image_len = off + t->len_delta;
	tr.crc32 = crc32_buf(0, img, off) ^ t->crc_xor;
	if (!t->omit) {
		memcpy(img + off, &tr, sizeof(tr));
		off += sizeof(tr);
	}
	*len = off;
	return img;
}

static struct ckpt_hdr *hdr(struct model *m, int i)
{
	return (struct ckpt_hdr *)m->b[i].p;
}

/* Index of the @nth record of @type, -1 if none */
static int find(struct model *m, uint32_t type, int nth)
{
	int i;

	for (i = 0; i < m->nr; i++)
		if (hdr(m, i)->type == type && !nth--)
			return i;
	return -1;
}

#define REC(m, i, t)	((struct t *)(m)->b[i].p)

/* Give record @i @size bytes in the stream (zero-filled or cut). */
static int resize(struct model *m, int i, size_t size)
{
	uint8_t *p = realloc(m->b[i].p, size);

	if (!p)
		return -1;
	if (size > m->b[i].n)
		memset(p + m->b[i].n, 0, size - m->b[i].n);
	m->b[i].p = p;
	m->b[i].n = size;
	return 0;
}

/* Insert a copy of @size bytes of @p before record @at */
static int insert(struct model *m, int at, const void *p, size_t size)
{
	uint8_t *c;

	if (m->nr == MAX_RECS || at < 0)
		return -1;
	c = calloc(1, ALIGN8(size));
	if (!c)
		return -1;
	memcpy(c, p, size);
	memmove(&m->b[at + 1], &m->b[at], (m->nr - at) * sizeof(m->b[0]));
	m->b[at].p = c;
	m->b[at].n = ALIGN8(size);
	m->nr++;
	return 0;
}

static int delete(struct model *m, int at)
{
	if (at < 0)
		return -1;
	free(m->b[at].p);
	memmove(&m->b[at], &m->b[at + 1], (m->nr - at - 1) * sizeof(m->b[0]));
	m->nr--;
	return 0;
}

static int swap(struct model *m, int a, int b)
{
	struct blob t;

	if (a < 0 || b < 0)
		return -1;
	t = m->b[a];
	m->b[a] = m->b[b];
	m->b[b] = t;
	return 0;
}

/* The mutations: 0 when applied, -1 if the image lacks what they need */

static int m_hdr_magic(struct model *m)
{
	REC(m, 0, ckpt_hdr_header)->magic[3] ^= 0x01;
	return 0;
}

static int m_hdr_version_999(struct model *m)
{
	REC(m, 0, ckpt_hdr_header)->version = 999;
	return 0;
}

static int m_hdr_clock(struct model *m)
{
	REC(m, 0, ckpt_hdr_header)->mono_ns = ~0ULL;
	return 0;
}

static int m_hdr_version_2(struct model *m)
{
	REC(m, 0, ckpt_hdr_header)->version = CKPT_VERSION + 1;
	return 0;
}

static int m_hdr_arch(struct model *m)
{
	REC(m, 0, ckpt_hdr_header)->arch = CKPT_ARCH_X86_64 + 1;
	return 0;
}

static int m_hdr_twice(struct model *m)
{
	return insert(m, 1, m->b[0].p, m->b[0].n);
}

static int m_type_unknown(struct model *m)
{
	struct ckpt_hdr h[2] = { { 99, 16 }, { 0, 0 } };

	return insert(m, m->nr, h, sizeof(h));
}

static int m_type_max(struct model *m)
{
	struct ckpt_hdr h = { CKPT_HDR_MAX, sizeof(h) };

	return insert(m, find(m, CKPT_HDR_TREE, 0) + 1, &h, sizeof(h));
}

static int m_type_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_CPU, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->type = 0;
	return 0;
}

static int m_len_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len = 0;
	return 0;
}

static int m_len_below_hdr(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len = 4;
	return 0;
}

static int m_len_below_struct(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len = sizeof(struct ckpt_hdr_task) - 8;
	return resize(m, i, sizeof(struct ckpt_hdr_task) - 8);
}

static int m_len_unaligned(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len = sizeof(struct ckpt_hdr_fd) + 1;
	return resize(m, i, ALIGN8(sizeof(struct ckpt_hdr_fd) + 1));
}

static int m_len_huge(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len = 0x7ffffff0;
	return 0;
}

static int m_len_past_end(struct model *m)
{
	hdr(m, m->nr - 1)->len += 4096;
	return 0;
}

static int m_file_len_extra(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	hdr(m, i)->len += 8;
	return resize(m, i, ALIGN8(hdr(m, i)->len));
}

/* The first PAGES record with at least @min pages */
static int find_pages(struct model *m, uint32_t min)
{
	int i, n;

	for (n = 0; (i = find(m, CKPT_HDR_PAGES, n)) >= 0; n++)
		if (REC(m, i, ckpt_hdr_pages)->nr_pages >= min)
			return i;
	return -1;
}

static uint64_t *page_addrs(struct model *m, int i)
{
	return (uint64_t *)(m->b[i].p + sizeof(struct ckpt_hdr_pages));
}

static int m_pages_over_batch(struct model *m)
{
	const uint32_t nr = CKPT_PAGES_BATCH + 1;
	size_t size = sizeof(struct ckpt_hdr_pages) + nr * (8 + PAGE);
	int i = find_pages(m, 1);
	struct ckpt_hdr_pages *p;
	uint64_t *addr, base;
	uint32_t k;

	if (i < 0)
		return -1;
	base = page_addrs(m, i)[0];
	if (resize(m, i, size))
		return -1;
	p = REC(m, i, ckpt_hdr_pages);
	p->h.len = size;
	p->nr_pages = nr;
	addr = page_addrs(m, i);
	for (k = 0; k < nr; k++)
		addr[k] = base + (uint64_t)k * PAGE;
	memset(addr + nr, 0, (size_t)nr * PAGE);
	return 0;
}

static int m_pages_nr_plus1(struct model *m)
{
	int i = find_pages(m, 1);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_pages)->nr_pages++;
	return 0;
}

static int m_pages_unaligned(struct model *m)
{
	int i = find_pages(m, 1);

	if (i < 0)
		return -1;
	page_addrs(m, i)[0] += 8;
	return 0;
}

static int m_pages_no_vma(struct model *m)
{
	int i = find_pages(m, 1);

	if (i < 0)
		return -1;
	page_addrs(m, i)[0] = PAGE;
	return 0;
}

static int m_pages_unordered(struct model *m)
{
	int i = find_pages(m, 2);
	uint64_t *a, t;

	if (i < 0)
		return -1;
	a = page_addrs(m, i);
	t = a[0];
	a[0] = a[1];
	a[1] = t;
	return 0;
}

static int m_pages_no_end(struct model *m)
{
	int i, n;

	for (n = 0; (i = find(m, CKPT_HDR_PAGES, n)) >= 0; n++)
		if (!REC(m, i, ckpt_hdr_pages)->nr_pages)
			return delete(m, i);
	return -1;
}

static struct ckpt_hdr_vma *vma(struct model *m, int nth)
{
	int i = find(m, CKPT_HDR_VMA, nth);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_vma);
}

static struct ckpt_hdr_vma *last_vma(struct model *m)
{
	int n = 0;

	while (find(m, CKPT_HDR_VMA, n + 1) >= 0)
		n++;
	return vma(m, n);
}

static int m_vma_start_gt_end(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);
	uint64_t t;

	if (!v)
		return -1;
	t = v->start;
	v->start = v->end;
	v->end = t;
	return 0;
}

static int m_vma_empty(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->end = v->start;
	return 0;
}

static int m_vma_unaligned(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->start += 0x10;
	return 0;
}

static int m_vma_kernel(struct model *m)
{
	struct ckpt_hdr_vma *v = last_vma(m);

	if (!v)
		return -1;
	v->start = 0xffff888000000000ULL;
	v->end = v->start + PAGE;
	return 0;
}

static int m_vma_above_task_size(struct model *m)
{
	struct ckpt_hdr_vma *v = last_vma(m);

	if (!v)
		return -1;
	v->end = 0x800000000000ULL + PAGE;
	return 0;
}

static int m_vma_overlap(struct model *m)
{
	struct ckpt_hdr_vma *a = vma(m, 0), *b = vma(m, 1);

	if (!a || !b)
		return -1;
	b->start = a->start;
	return 0;
}

static int m_vma_type_zero(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->type = 0;
	return 0;
}

static int m_vma_type_max(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->type = CKPT_VMA_MAX;
	return 0;
}

static int m_vma_flags(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->flags |= ~CKPT_VMA_F_ALL & 0xff;
	return 0;
}

static int m_vma_prot(struct model *m)
{
	struct ckpt_hdr_vma *v = vma(m, 0);

	if (!v)
		return -1;
	v->prot |= 0x8;
	return 0;
}

static int m_vma_file_ref(struct model *m)
{
	struct ckpt_hdr_vma *v;
	int n;

	for (n = 0; (v = vma(m, n)); n++) {
		if (v->type == CKPT_VMA_FILE) {
			v->file_ref = 9999;
			return 0;
		}
	}
	return -1;
}

static int m_mm_nr_vmas(struct model *m)
{
	int i = find(m, CKPT_HDR_MM, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_mm)->nr_vmas++;
	return 0;
}

static int m_mm_exe_ref(struct model *m)
{
	int i = find(m, CKPT_HDR_MM, 0);

	if (i < 0 || !REC(m, i, ckpt_hdr_mm)->exe_ref)
		return -1;
	REC(m, i, ckpt_hdr_mm)->exe_ref = 9999;
	return 0;
}

static char *file_path(struct model *m, int i)
{
	return (char *)m->b[i].p + sizeof(struct ckpt_hdr_file);
}

static int m_file_path_no_nul(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);
	struct ckpt_hdr_file *f;

	if (i < 0)
		return -1;
	f = REC(m, i, ckpt_hdr_file);
	if (!f->path_len)
		return -1;
	file_path(m, i)[f->path_len - 1] = 'x';
	return 0;
}

static int m_file_path_len_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->path_len = 0;
	return 0;
}

static int m_file_path_too_long(struct model *m)
{
	const size_t plen = CKPT_PATH_MAX + 1;
	size_t len = sizeof(struct ckpt_hdr_file) + plen;
	int i = find(m, CKPT_HDR_FILE, 0);
	char *p;

	if (i < 0 || resize(m, i, ALIGN8(len)))
		return -1;
	REC(m, i, ckpt_hdr_file)->h.len = len;
	REC(m, i, ckpt_hdr_file)->path_len = plen;
	p = file_path(m, i);
	memset(p, 'a', plen - 1);
	p[0] = '/';
	p[plen - 1] = '\0';
	return 0;
}

static int m_file_type_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->type = 0;
	return 0;
}

static int m_file_type_max(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->type = CKPT_FILE_MAX;
	return 0;
}

static int m_file_ref_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->ref = 0;
	return 0;
}

static int m_file_ref_twice(struct model *m)
{
	int a = find(m, CKPT_HDR_FILE, 0), b = find(m, CKPT_HDR_FILE, 1);

	if (a < 0 || b < 0)
		return -1;
	REC(m, b, ckpt_hdr_file)->ref = REC(m, a, ckpt_hdr_file)->ref;
	return 0;
}

/* Index of the @nth FILE record of @type, -1 if none */
static int find_file(struct model *m, uint32_t type, int nth)
{
	int i;

	for (i = 0; i < m->nr; i++)
		if (hdr(m, i)->type == CKPT_HDR_FILE &&
		    REC(m, i, ckpt_hdr_file)->type == type && !nth--)
			return i;
	return -1;
}

static int m_file_flags(struct model *m)
{
	int i = find(m, CKPT_HDR_FILE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->flags = 2;
	return 0;
}

static int m_file_reg_obj(struct model *m)
{
	int i = find_file(m, CKPT_FILE_REG, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->obj_ref = 1;
	return 0;
}

static int m_file_pipe_path(struct model *m)
{
	size_t len = sizeof(struct ckpt_hdr_file) + 5;
	int i = find_file(m, CKPT_FILE_PIPE, 0);

	if (i < 0 || resize(m, i, ALIGN8(len)))
		return -1;
	REC(m, i, ckpt_hdr_file)->h.len = len;
	REC(m, i, ckpt_hdr_file)->path_len = 5;
	memcpy(file_path(m, i), "/tmp", 5);
	return 0;
}

static int m_file_pipe_pos(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PIPE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->pos = 1;
	return 0;
}

static int m_file_pipe_acc3(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PIPE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->f_flags |= O_ACCMODE;
	return 0;
}

static int m_file_pipe_not_new(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PIPE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->flags = 0;
	return 0;
}

static int m_file_pipe_obj_zero(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PIPE, 1);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->obj_ref = 0;
	return 0;
}

static int m_file_pipe_obj_file(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PIPE, 1);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->obj_ref = REC(m, i, ckpt_hdr_file)->ref - 1;
	return 0;
}

static struct ckpt_hdr_pipe *pipe_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_PIPE, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_pipe);
}

static int m_pipe_size_odd(struct model *m)
{
	struct ckpt_hdr_pipe *p = pipe_rec(m);

	if (!p)
		return -1;
	p->size = 3 * CKPT_PIPE_BUF_MAX;
	return 0;
}

static int m_pipe_size_zero(struct model *m)
{
	struct ckpt_hdr_pipe *p = pipe_rec(m);

	if (!p)
		return -1;
	p->size = 0;
	return 0;
}

static int m_pipe_nr_bufs(struct model *m)
{
	struct ckpt_hdr_pipe *p = pipe_rec(m);

	if (!p)
		return -1;
	p->nr_bufs = p->size / CKPT_PIPE_BUF_MAX + 1;
	return 0;
}

static int m_pipe_nr_bufs_less(struct model *m)
{
	struct ckpt_hdr_pipe *p = pipe_rec(m);

	if (!p || !p->nr_bufs)
		return -1;
	p->nr_bufs--;
	return 0;
}

static int m_pipe_ref(struct model *m)
{
	struct ckpt_hdr_pipe *p = pipe_rec(m);

	if (!p)
		return -1;
	p->ref += 1000;
	return 0;
}

static int m_pipe_missing(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_PIPE, 0));
}

static struct ckpt_hdr_pipe_buf *pipe_buf_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_PIPE_BUF, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_pipe_buf);
}

static int m_pipe_buf_len(struct model *m)
{
	struct ckpt_hdr_pipe_buf *b = pipe_buf_rec(m);

	if (!b)
		return -1;
	b->len += 1;
	return 0;
}

static int m_pipe_buf_len_zero(struct model *m)
{
	size_t len = sizeof(struct ckpt_hdr_pipe_buf);
	int i = find(m, CKPT_HDR_PIPE_BUF, 0);

	if (i < 0 || resize(m, i, len))
		return -1;
	REC(m, i, ckpt_hdr_pipe_buf)->h.len = len;
	REC(m, i, ckpt_hdr_pipe_buf)->len = 0;
	return 0;
}

static int m_pipe_buf_too_long(struct model *m)
{
	size_t len = sizeof(struct ckpt_hdr_pipe_buf) + CKPT_PIPE_BUF_MAX + 1;
	int i = find(m, CKPT_HDR_PIPE_BUF, 0);

	if (i < 0 || resize(m, i, ALIGN8(len)))
		return -1;
	REC(m, i, ckpt_hdr_pipe_buf)->h.len = len;
	REC(m, i, ckpt_hdr_pipe_buf)->len = CKPT_PIPE_BUF_MAX + 1;
	return 0;
}

static int m_pipe_buf_flags(struct model *m)
{
	struct ckpt_hdr_pipe_buf *b = pipe_buf_rec(m);

	if (!b)
		return -1;
	b->flags = 2;
	return 0;
}

static struct ckpt_hdr_eventfd *eventfd_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_EVENTFD, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_eventfd);
}

static int m_eventfd_count_max(struct model *m)
{
	struct ckpt_hdr_eventfd *e = eventfd_rec(m);

	if (!e)
		return -1;
	e->count = ~0ULL;
	return 0;
}

static int m_eventfd_flags(struct model *m)
{
	struct ckpt_hdr_eventfd *e = eventfd_rec(m);

	if (!e)
		return -1;
	e->flags = 2;
	return 0;
}

static int m_eventfd_ref(struct model *m)
{
	struct ckpt_hdr_eventfd *e = eventfd_rec(m);

	if (!e)
		return -1;
	e->ref++;
	return 0;
}

static int m_file_eventfd_not_new(struct model *m)
{
	int i = find_file(m, CKPT_FILE_EVENTFD, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->flags = 0;
	return 0;
}

static struct ckpt_hdr_signalfd *signalfd_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_SIGNALFD, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_signalfd);
}

static int m_signalfd_kill(struct model *m)
{
	struct ckpt_hdr_signalfd *sf = signalfd_rec(m);

	if (!sf)
		return -1;
	sf->mask |= 1ULL << (SIGKILL - 1);
	return 0;
}

static int m_signalfd_reserved(struct model *m)
{
	struct ckpt_hdr_signalfd *sf = signalfd_rec(m);

	if (!sf)
		return -1;
	sf->reserved = 1;
	return 0;
}

static int m_signalfd_missing(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_SIGNALFD, 0));
}

/* The @nth LOCKS record's first entry, or NULL */
static struct ckpt_lock *lock_ent(struct model *m, int nth)
{
	int i = find(m, CKPT_HDR_LOCKS, nth);

	if (i < 0 || !REC(m, i, ckpt_hdr_locks)->nr)
		return NULL;
	return (struct ckpt_lock *)(REC(m, i, ckpt_hdr_locks) + 1);
}

static int m_locks_nr(struct model *m)
{
	int i = find(m, CKPT_HDR_LOCKS, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_locks)->nr++;
	return 0;
}

static int m_locks_missing(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_LOCKS, 1));
}

static int m_lock_kind(struct model *m)
{
	struct ckpt_lock *e = lock_ent(m, 0);

	if (!e)
		return -1;
	e->kind = CKPT_LOCK_POSIX;
	return 0;
}

static int m_lock_range(struct model *m)
{
	struct ckpt_lock *e = lock_ent(m, 1);

	if (!e)
		return -1;
	e->end = e->start - 1;
	return 0;
}

static int m_lock_file_ref(struct model *m)
{
	struct ckpt_lock *e = lock_ent(m, 1);

	if (!e)
		return -1;
	e->file_ref = 9999;
	return 0;
}

static int m_lock_flags(struct model *m)
{
	struct ckpt_lock *e = lock_ent(m, 0);

	if (!e)
		return -1;
	e->flags = 2;
	return 0;
}

static struct ckpt_hdr_timerfd *timerfd_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_TIMERFD, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_timerfd);
}

static int m_timerfd_clock(struct model *m)
{
	struct ckpt_hdr_timerfd *t = timerfd_rec(m);

	if (!t)
		return -1;
	t->clockid = CLOCK_PROCESS_CPUTIME_ID;
	return 0;
}

static int m_timerfd_value(struct model *m)
{
	struct ckpt_hdr_timerfd *t = timerfd_rec(m);

	if (!t)
		return -1;
	t->value_ns = -1;
	return 0;
}

static int m_timerfd_flags(struct model *m)
{
	struct ckpt_hdr_timerfd *t = timerfd_rec(m);

	if (!t)
		return -1;
	t->flags = 4;
	return 0;
}

static struct ckpt_hdr_inode *inode_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_INODE, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_inode);
}

static int m_inode_mode(struct model *m)
{
	struct ckpt_hdr_inode *ino = inode_rec(m);

	if (!ino)
		return -1;
	ino->mode = S_IFDIR | 0755;
	return 0;
}

static int m_inode_nr_data(struct model *m)
{
	struct ckpt_hdr_inode *ino = inode_rec(m);

	if (!ino)
		return -1;
	ino->nr_data = ino->size / PAGE + 2;
	return 0;
}

static int m_inode_name(struct model *m)
{
	struct ckpt_hdr_inode *ino = inode_rec(m);

	if (!ino || ino->name_len < 4)
		return -1;
	memcpy(ino + 1, "xyz", 3);
	return 0;
}

static int m_inode_seals(struct model *m)
{
	struct ckpt_hdr_inode *ino = inode_rec(m);

	if (!ino)
		return -1;
	ino->seals |= 0x100;
	return 0;
}

static int m_data_offset(struct model *m)
{
	int i = find(m, CKPT_HDR_DATA, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_data)->offset = 100;
	return 0;
}

static int m_data_past_size(struct model *m)
{
	int i = find(m, CKPT_HDR_DATA, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_data)->offset = 8 * PAGE;
	return 0;
}

static struct ckpt_epoll_watch *epoll_watch(struct model *m)
{
	int i = find(m, CKPT_HDR_EPOLL, 0);

	if (i < 0 || !REC(m, i, ckpt_hdr_epoll)->nr)
		return NULL;
	return (struct ckpt_epoll_watch *)(REC(m, i, ckpt_hdr_epoll) + 1);
}

static int m_epoll_ref(struct model *m)
{
	int i = find(m, CKPT_HDR_EPOLL, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_epoll)->ref++;
	return 0;
}

static int m_epoll_nr(struct model *m)
{
	int i = find(m, CKPT_HDR_EPOLL, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_epoll)->nr++;
	return 0;
}

static int m_epoll_file(struct model *m)
{
	struct ckpt_epoll_watch *w = epoll_watch(m);

	if (!w)
		return -1;
	w->file_ref = 9999;
	return 0;
}

static int m_epoll_events(struct model *m)
{
	struct ckpt_epoll_watch *w = epoll_watch(m);

	if (!w)
		return -1;
	w->events |= 0x00100000;
	return 0;
}

static int m_epoll_missing(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_EPOLL, 0));
}

static struct ckpt_hdr_fowner *fowner_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_FOWNER, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_fowner);
}

static int m_fowner_pid(struct model *m)
{
	struct ckpt_hdr_fowner *o = fowner_rec(m);

	if (!o)
		return -1;
	o->pid = 4000000;
	return 0;
}

static int m_fowner_type(struct model *m)
{
	struct ckpt_hdr_fowner *o = fowner_rec(m);

	if (!o)
		return -1;
	o->type = CKPT_OWNER_MAX;
	return 0;
}

static int m_fowner_signal(struct model *m)
{
	struct ckpt_hdr_fowner *o = fowner_rec(m);

	if (!o)
		return -1;
	o->signum = 99;
	return 0;
}

static struct ckpt_hdr_inotify_watch *inotify_watch(struct model *m)
{
	int i = find(m, CKPT_HDR_INOTIFY_WATCH, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_inotify_watch);
}

static int m_inotify_wd(struct model *m)
{
	struct ckpt_hdr_inotify_watch *w = inotify_watch(m);

	if (!w)
		return -1;
	w->wd = 0;
	return 0;
}

static int m_inotify_mask(struct model *m)
{
	struct ckpt_hdr_inotify_watch *w = inotify_watch(m);

	if (!w)
		return -1;
	w->mask = IN_MASK_ADD;
	return 0;
}

static int m_inotify_path(struct model *m)
{
	struct ckpt_hdr_inotify_watch *w = inotify_watch(m);

	if (!w)
		return -1;
	((char *)(w + 1))[w->path_len - 1] = 'x';
	return 0;
}

static int m_inotify_nr(struct model *m)
{
	int i = find(m, CKPT_HDR_INOTIFY, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_inotify)->nr_watches++;
	return 0;
}

static struct ckpt_hdr_pty *pty_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_PTY, 0);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_pty);
}

static int m_pty_index(struct model *m)
{
	struct ckpt_hdr_pty *p = pty_rec(m);

	if (!p)
		return -1;
	p->index = CKPT_MAX_PTYS;
	return 0;
}

static int m_pty_flags(struct model *m)
{
	struct ckpt_hdr_pty *p = pty_rec(m);

	if (!p)
		return -1;
	p->flags = 0x100;
	return 0;
}

static int m_pty_fg(struct model *m)
{
	struct ckpt_hdr_pty *p = pty_rec(m);

	if (!p)
		return -1;
	p->fg_pgid = -1;
	return 0;
}

static int m_pty_ref(struct model *m)
{
	struct ckpt_hdr_pty *p = pty_rec(m);

	if (!p)
		return -1;
	p->ref++;
	return 0;
}

static int m_pty_path(struct model *m)
{
	struct ckpt_hdr_pty *p = pty_rec(m);

	if (!p)
		return -1;
	((char *)(p + 1))[p->ptmx_len - 1] = 'x';
	return 0;
}

/* The TTY record of the slave: the second one */
static struct ckpt_hdr_tty *tty_rec(struct model *m)
{
	int i = find(m, CKPT_HDR_TTY, 1);

	return i < 0 ? NULL : REC(m, i, ckpt_hdr_tty);
}

static int m_tty_line(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t)
		return -1;
	t->line = 1;
	return 0;
}

static int m_tty_tco(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t)
		return -1;
	t->flags = CKPT_TTY_TCO_STOPPED;
	return 0;
}

static int m_tty_canon(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t)
		return -1;
	t->canon = t->count + 1;
	return 0;
}

static int m_tty_count(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t)
		return -1;
	t->count = CKPT_TTY_BUF_SIZE + 1;
	return 0;
}

static int m_tty_eol(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t || t->count % 8 == 0)
		return -1;
	((unsigned char *)(t + 1))[t->count] |= 0x80;
	return 0;
}

static int m_tty_pending(struct model *m)
{
	struct ckpt_hdr_tty *t = tty_rec(m);

	if (!t)
		return -1;
	t->nr_pending++;
	return 0;
}

static int m_tty_missing(struct model *m)
{
	int i = find(m, CKPT_HDR_TTY, 1);

	if (i < 0)
		return -1;
	return delete(m, i);
}

static int m_file_pts_obj(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PTS, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->obj_ref = 99999;
	return 0;
}

/* A slave FILE opened as /dev/null (1:3): neither its node nor /dev/tty */
static int m_file_pts_rdev(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PTS, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->rdev = 0x103;
	return 0;
}

static int m_file_ptmx_rdonly(struct model *m)
{
	int i = find_file(m, CKPT_FILE_PTMX, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_file)->f_flags &= ~O_ACCMODE;
	return 0;
}

static int m_signal_ctty_ref(struct model *m)
{
	int i = find(m, CKPT_HDR_SIGNAL, 0), f = find(m, CKPT_HDR_FILE, 0);

	if (i < 0 || f < 0)
		return -1;
	REC(m, i, ckpt_hdr_signal)->ctty_ref = REC(m, f, ckpt_hdr_file)->ref;
	return 0;
}

static int m_signal_ctty_flags(struct model *m)
{
	int i = find(m, CKPT_HDR_SIGNAL, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_signal)->ctty_flags = 2;
	return 0;
}

static int m_fs_cwd_no_nul(struct model *m)
{
	int i = find(m, CKPT_HDR_FS, 0);
	struct ckpt_hdr_fs *f;

	if (i < 0)
		return -1;
	f = REC(m, i, ckpt_hdr_fs);
	if (!f->cwd_len)
		return -1;
	((char *)(f + 1))[f->cwd_len - 1] = 'x';
	return 0;
}

static int set_nr_fds(struct model *m, uint32_t nr, int delta)
{
	int i = find(m, CKPT_HDR_FDTABLE, 0);

	if (i < 0)
		return -1;
	if (delta)
		REC(m, i, ckpt_hdr_fdtable)->nr_fds += delta;
	else
		REC(m, i, ckpt_hdr_fdtable)->nr_fds = nr;
	return 0;
}

static int m_fdtable_huge(struct model *m)
{
	return set_nr_fds(m, CKPT_MAX_FDS + 1, 0);
}

static int m_fdtable_max(struct model *m)
{
	return set_nr_fds(m, 0xffffffff, 0);
}

static int m_fdtable_plus1(struct model *m)
{
	return set_nr_fds(m, 0, 1);
}

static int m_fd_ref_unknown(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_fd)->file_ref = 9999;
	return 0;
}

static int m_fd_unordered(struct model *m)
{
	return swap(m, find(m, CKPT_HDR_FD, 0), find(m, CKPT_HDR_FD, 1));
}

static int m_fd_twice(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0 || insert(m, i + 1, m->b[i].p, m->b[i].n))
		return -1;
	return set_nr_fds(m, 0, 1);
}

static int m_fd_flags(struct model *m)
{
	int i = find(m, CKPT_HDR_FD, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_fd)->flags |= 0x80;
	return 0;
}

static int m_tree_nr_zero(struct model *m)
{
	int i = find(m, CKPT_HDR_TREE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_tree)->nr_tasks = 0;
	REC(m, i, ckpt_hdr_tree)->h.len = sizeof(struct ckpt_hdr_tree);
	return resize(m, i, sizeof(struct ckpt_hdr_tree));
}

/* The TREE of @n tasks: the root, its child, that one's child... */
static int tree_chain(struct model *m, int n)
{
	const size_t len = sizeof(struct ckpt_hdr_tree) +
			   n * sizeof(struct ckpt_tree_entry);
	int i = find(m, CKPT_HDR_TREE, 0), k;
	struct ckpt_tree_entry *e;

	if (i < 0 || REC(m, i, ckpt_hdr_tree)->nr_tasks != 1 ||
	    resize(m, i, ALIGN8(len)))
		return -1;
	REC(m, i, ckpt_hdr_tree)->nr_tasks = n;
	REC(m, i, ckpt_hdr_tree)->h.len = len;
	e = (struct ckpt_tree_entry *)(REC(m, i, ckpt_hdr_tree) + 1);
	for (k = 1; k < n; k++) {
		e[k] = e[0];
		e[k].pid = e[k].tgid = e[0].pid + k;
		e[k].ppid = e[k - 1].pid;
	}
	return 0;
}

static int m_tree_nr_two(struct model *m)
{
	return tree_chain(m, 2);
}

static int m_tree_nr_mismatch(struct model *m)
{
	int i = find(m, CKPT_HDR_TREE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_tree)->nr_tasks++;
	return 0;
}

static int m_tree_pid(struct model *m)
{
	int i = find(m, CKPT_HDR_TREE, 0);
	struct ckpt_tree_entry *e;

	if (i < 0)
		return -1;
	e = (struct ckpt_tree_entry *)(REC(m, i, ckpt_hdr_tree) + 1);
	e->pid++;
	e->tgid++;
	return 0;
}

/*
 * Flag the TREE nested and put a PIDNS after it: @nr_ns namespaces with
 * @parent, @nr_tasks task entries from @t, @nr_vpids pids from @vpids.
 */
static int add_pidns(struct model *m, uint32_t nr_ns, const uint32_t *parent,
		     const struct ckpt_pidns_task *t, uint32_t nr_tasks,
		     const int32_t *vpids, uint32_t nr_vpids)
{
	size_t len = sizeof(struct ckpt_hdr_pidns) + nr_ns * 4 + nr_tasks * 8 +
		     nr_vpids * 4;
	int i = find(m, CKPT_HDR_TREE, 0), ret;
	struct ckpt_hdr_pidns *h;
	uint8_t *p;

	h = calloc(1, ALIGN8(len));
	if (i < 0 || !h)
		return -1;
	h->h.type = CKPT_HDR_PIDNS;
	h->h.len = len;
	h->nr_ns = nr_ns;
	h->nr_vpids = nr_vpids;
	p = (uint8_t *)(h + 1);
	memcpy(p, parent, nr_ns * 4);
	memcpy(p + nr_ns * 4, t, nr_tasks * 8);
	memcpy(p + nr_ns * 4 + nr_tasks * 8, vpids, nr_vpids * 4);
	REC(m, i, ckpt_hdr_tree)->flags |= CKPT_TREE_F_NESTED;
	ret = insert(m, i + 1, h, len);
	free(h);
	return ret;
}

static const uint32_t ns_parent0[2];
static const int32_t vpid1[2] = { 1, 1 };

static int m_pidns_missing(struct model *m)
{
	int i = find(m, CKPT_HDR_TREE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_tree)->flags |= CKPT_TREE_F_NESTED;
	return 0;
}

/* The root creates its children in an empty namespace: valid as such */
static const struct ckpt_pidns_task root_unshared[2] = { { 0, 1 }, { 0, 0 } };

static int m_pidns_nr_zero(struct model *m)
{
	return add_pidns(m, 0, ns_parent0, root_unshared, 1, NULL, 0);
}

static int m_pidns_nr_huge(struct model *m)
{
	static uint32_t parent[CKPT_MAX_PIDNS + 1];

	return add_pidns(m, CKPT_MAX_PIDNS + 1, parent, root_unshared, 1,
			 NULL, 0);
}

static int m_pidns_len(struct model *m)
{
	int ret = add_pidns(m, 1, ns_parent0, root_unshared, 1, NULL, 0);

	if (!ret)
		REC(m, find(m, CKPT_HDR_PIDNS, 0), ckpt_hdr_pidns)->nr_vpids++;
	return ret;
}

static int m_pidns_parent(struct model *m)
{
	static const uint32_t parent[1] = { 1 };

	return add_pidns(m, 1, parent, root_unshared, 1, NULL, 0);
}

/* 33 namespaces, each below the one before */
static int m_pidns_deep(struct model *m)
{
	const struct ckpt_pidns_task t = { 0, CKPT_MAX_PIDNS_DEPTH + 1 };
	uint32_t parent[CKPT_MAX_PIDNS_DEPTH + 1];
	int k;

	for (k = 0; k <= CKPT_MAX_PIDNS_DEPTH; k++)
		parent[k] = k;
	return add_pidns(m, CKPT_MAX_PIDNS_DEPTH + 1, parent, &t, 1, NULL, 0);
}

static int m_pidns_root_below(struct model *m)
{
	static const struct ckpt_pidns_task t = { 1, 1 };

	return add_pidns(m, 1, ns_parent0, &t, 1, vpid1, 1);
}

static int m_pidns_beyond(struct model *m)
{
	static const struct ckpt_pidns_task t = { 0, 2 };

	return add_pidns(m, 1, ns_parent0, &t, 1, NULL, 0);
}

static int m_pidns_unused(struct model *m)
{
	static const struct ckpt_pidns_task t = { 0, 0 };

	return add_pidns(m, 1, ns_parent0, &t, 1, NULL, 0);
}

static int m_pidns_vpids_extra(struct model *m)
{
	return add_pidns(m, 1, ns_parent0, root_unshared, 1, vpid1, 1);
}

static int m_pidns_init_pid(struct model *m)
{
	static const struct ckpt_pidns_task t[2] = { { 0, 1 }, { 1, 1 } };
	static const int32_t vpids[1] = { 2 };

	if (tree_chain(m, 2))
		return -1;
	return add_pidns(m, 1, ns_parent0, t, 2, vpids, 1);
}

static int m_pidns_shared_empty(struct model *m)
{
	static const struct ckpt_pidns_task t[2] = { { 0, 1 }, { 0, 1 } };

	if (tree_chain(m, 2))
		return -1;
	return add_pidns(m, 1, ns_parent0, t, 2, NULL, 0);
}

/* A child of the root and its own child in namespace 1, both pid 1 */
static int m_pidns_pid_twice(struct model *m)
{
	static const struct ckpt_pidns_task t3[3] = {
		{ 0, 1 }, { 1, 1 }, { 1, 1 },
	};

	if (tree_chain(m, 3))
		return -1;
	return add_pidns(m, 1, ns_parent0, t3, 3, vpid1, 2);
}

static int m_task_nr_files(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->nr_files++;
	return 0;
}

/* The child's POSIX timer (SIGEV_NONE), or NULL */
static struct ckpt_posix_timer *ptimer(struct model *m)
{
	int i = find(m, CKPT_HDR_POSIX_TIMERS, 0);

	if (i < 0 || !REC(m, i, ckpt_hdr_posix_timers)->nr)
		return NULL;
	return (struct ckpt_posix_timer *)(REC(m, i, ckpt_hdr_posix_timers) + 1);
}

static int m_ptimer_pending(struct model *m)
{
	struct ckpt_posix_timer *e = ptimer(m);

	if (!e)
		return -1;
	e->flags = CKPT_TIMER_SIGPENDING;
	return 0;
}

static int m_ptimer_flags(struct model *m)
{
	struct ckpt_posix_timer *e = ptimer(m);

	if (!e)
		return -1;
	e->flags = 0x2;
	return 0;
}

static int m_ptimer_overrun(struct model *m)
{
	struct ckpt_posix_timer *e = ptimer(m);

	if (!e)
		return -1;
	e->sig_overrun = 3;
	return 0;
}

/* Stopped by SIGKILL, which is not a stop signal */
static int m_task_stop_kill(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_STOPPED;
	REC(m, i, ckpt_hdr_task)->stop_signal = SIGKILL;
	return 0;
}

/* A stop not reported yet of a task that is not stopped */
static int m_task_stop_unreported(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_STOP_UNREPORTED;
	REC(m, i, ckpt_hdr_task)->stop_signal = SIGTSTP;
	return 0;
}

/* A futex wait on a misaligned word */
static int m_task_futex_addr(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_FUTEX_WAIT;
	REC(m, i, ckpt_hdr_task)->sleep_clockid = CLOCK_MONOTONIC;
	REC(m, i, ckpt_hdr_task)->futex_uaddr = 0x10002;
	return 0;
}

/* A futex wait on a clock a FUTEX_WAIT cannot use */
static int m_task_futex_clock(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_FUTEX_WAIT;
	REC(m, i, ckpt_hdr_task)->sleep_clockid = CLOCK_BOOTTIME;
	REC(m, i, ckpt_hdr_task)->futex_uaddr = 0x10000;
	return 0;
}

/* An rt_sigtimedwait() on another clock than CLOCK_MONOTONIC */
static int m_task_sigwait_clock(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_SIGTIMEDWAIT;
	REC(m, i, ckpt_hdr_task)->sleep_clockid = CLOCK_REALTIME;
	return 0;
}

/* An rt_sigtimedwait() that is a nanosleep too */
static int m_task_sigwait_sleep(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_task)->flags |= CKPT_TASK_SIGTIMEDWAIT |
					   CKPT_TASK_NANOSLEEP;
	REC(m, i, ckpt_hdr_task)->sleep_clockid = CLOCK_MONOTONIC;
	return 0;
}

static int m_task_twice(struct model *m)
{
	int i = find(m, CKPT_HDR_TASK, 0);

	if (i < 0)
		return -1;
	return insert(m, i + 1, m->b[i].p, m->b[i].n);
}

static int m_creds_ngroups_huge(struct model *m)
{
	int i = find(m, CKPT_HDR_CREDS, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_creds)->ngroups = CKPT_MAX_GROUPS + 1;
	return 0;
}

static int m_creds_ngroups_plus1(struct model *m)
{
	int i = find(m, CKPT_HDR_CREDS, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_creds)->ngroups++;
	return 0;
}

static int m_signal_nr_rlimits(struct model *m)
{
	int i = find(m, CKPT_HDR_SIGNAL, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_signal)->nr_rlimits = CKPT_RLIM_NLIMITS + 1;
	return 0;
}

static int m_xstate_size(struct model *m)
{
	int i = find(m, CKPT_HDR_XSTATE, 0);

	if (i < 0)
		return -1;
	REC(m, i, ckpt_hdr_xstate)->size += 64;
	return 0;
}

static int m_no_cpu(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_CPU, 0));
}

static int m_no_signal(struct model *m)
{
	return delete(m, find(m, CKPT_HDR_SIGNAL, 0));
}

static int m_sighand_signal_swapped(struct model *m)
{
	return swap(m, find(m, CKPT_HDR_SIGHAND, 0),
		    find(m, CKPT_HDR_SIGNAL, 0));
}

static int m_padding(struct model *m)
{
	int i;

	for (i = 0; i < m->nr; i++) {
		if (hdr(m, i)->len < m->b[i].n) {
			m->b[i].p[hdr(m, i)->len] = 0x01;
			return 0;
		}
	}
	return -1;
}

static int m_none(struct model *m)
{
	return 0;
}

static const int enoexec[] = { ENOEXEC, 0 };
static const int eproto[] = { EPROTONOSUPPORT, 0 };
static const int ebadmsg_notsupp[] = { EBADMSG, EOPNOTSUPP, 0 };

#define CRAFT(n, f, e)		{ .name = n, .fn = f, .errs = e }
#define CRAFT_TR(n, f, e, t)	{ .name = n, .fn = f, .errs = e, .tr = t }

static const struct craft {
	const char *name;
	int (*fn)(struct model *m);
	const int *errs;
	struct tropt tr;
} crafts[] = {
	CRAFT("header: bad magic", m_hdr_magic, enoexec),
	CRAFT("header: version 999", m_hdr_version_999, eproto),
	CRAFT("header: next version", m_hdr_version_2, eproto),
	CRAFT("header: CLOCK_MONOTONIC out of range", m_hdr_clock, ebadmsg),
	CRAFT("header: other arch", m_hdr_arch, enoexec),
	CRAFT("header: twice", m_hdr_twice, ebadmsg),
	CRAFT("unknown record type 99", m_type_unknown, ebadmsg),
	CRAFT("record type CKPT_HDR_MAX", m_type_max, ebadmsg),
	CRAFT("record type 0", m_type_zero, ebadmsg),
	CRAFT("record len 0", m_len_zero, ebadmsg),
	CRAFT("record len < header", m_len_below_hdr, ebadmsg),
	CRAFT("record len < its struct", m_len_below_struct, ebadmsg),
	CRAFT("record len not aligned", m_len_unaligned, ebadmsg),
	CRAFT("record len huge", m_len_huge, ebadmsg),
	CRAFT("record len past the end", m_len_past_end, ebadmsg),
	CRAFT("FILE len != struct + path", m_file_len_extra, ebadmsg),
	CRAFT("PAGES nr_pages > CKPT_PAGES_BATCH", m_pages_over_batch, ebadmsg),
	CRAFT("PAGES nr_pages != len", m_pages_nr_plus1, ebadmsg),
	CRAFT("PAGES addr not aligned", m_pages_unaligned, ebadmsg),
	CRAFT("PAGES addr outside any VMA", m_pages_no_vma, ebadmsg),
	CRAFT("PAGES addrs decreasing", m_pages_unordered, ebadmsg),
	CRAFT("PAGES end record missing", m_pages_no_end, ebadmsg),
	CRAFT("VMA start > end", m_vma_start_gt_end, ebadmsg),
	CRAFT("VMA empty", m_vma_empty, ebadmsg),
	CRAFT("VMA start not aligned", m_vma_unaligned, ebadmsg),
	CRAFT("VMA in kernel space", m_vma_kernel, ebadmsg),
	CRAFT("VMA above TASK_SIZE", m_vma_above_task_size, ebadmsg),
	CRAFT("VMAs overlap", m_vma_overlap, ebadmsg),
	CRAFT("VMA type 0", m_vma_type_zero, ebadmsg),
	CRAFT("VMA type CKPT_VMA_MAX", m_vma_type_max, ebadmsg),
	CRAFT("VMA unknown flags", m_vma_flags, ebadmsg),
	CRAFT("VMA unknown prot", m_vma_prot, ebadmsg),
	CRAFT("VMA unknown file ref", m_vma_file_ref, ebadmsg),
	CRAFT("MM nr_vmas + 1", m_mm_nr_vmas, ebadmsg),
	CRAFT("MM unknown exe ref", m_mm_exe_ref, ebadmsg),
	CRAFT("FILE path not NUL-terminated", m_file_path_no_nul, ebadmsg),
	CRAFT("FILE path_len 0", m_file_path_len_zero, ebadmsg),
	CRAFT("FILE path_len > CKPT_PATH_MAX", m_file_path_too_long, ebadmsg),
	CRAFT("FILE type 0", m_file_type_zero, ebadmsg),
	CRAFT("FILE type CKPT_FILE_MAX", m_file_type_max, ebadmsg),
	CRAFT("FILE ref 0", m_file_ref_zero, ebadmsg),
	CRAFT("FILE ref defined twice", m_file_ref_twice, ebadmsg),
	CRAFT("FILE unknown flags", m_file_flags, ebadmsg),
	CRAFT("FILE regular file with an obj_ref", m_file_reg_obj, ebadmsg),
	CRAFT("FILE pipe with a path", m_file_pipe_path, ebadmsg),
	CRAFT("FILE pipe with an offset", m_file_pipe_pos, ebadmsg),
	CRAFT("FILE pipe access mode 3", m_file_pipe_acc3, ebadmsg),
	CRAFT("FILE pipe not new, unknown obj_ref", m_file_pipe_not_new, ebadmsg),
	CRAFT("FILE pipe obj_ref 0", m_file_pipe_obj_zero, ebadmsg),
	CRAFT("FILE pipe obj_ref names a FILE", m_file_pipe_obj_file, ebadmsg),
	CRAFT("PIPE size not a power of two", m_pipe_size_odd, ebadmsg),
	CRAFT("PIPE size 0", m_pipe_size_zero, ebadmsg),
	CRAFT("PIPE nr_bufs > size / CKPT_PIPE_BUF_MAX", m_pipe_nr_bufs, ebadmsg),
	CRAFT("PIPE nr_bufs - 1", m_pipe_nr_bufs_less, ebadmsg),
	CRAFT("PIPE ref != FILE obj_ref", m_pipe_ref, ebadmsg),
	CRAFT("PIPE missing", m_pipe_missing, ebadmsg),
	CRAFT("PIPE_BUF len != payload", m_pipe_buf_len, ebadmsg),
	CRAFT("PIPE_BUF len 0", m_pipe_buf_len_zero, ebadmsg),
	CRAFT("PIPE_BUF len > CKPT_PIPE_BUF_MAX", m_pipe_buf_too_long, ebadmsg),
	CRAFT("PIPE_BUF unknown flags", m_pipe_buf_flags, ebadmsg),
	CRAFT("EVENTFD count 2^64 - 1", m_eventfd_count_max, ebadmsg),
	CRAFT("EVENTFD unknown flags", m_eventfd_flags, ebadmsg),
	CRAFT("EVENTFD ref != FILE obj_ref", m_eventfd_ref, ebadmsg),
	CRAFT("FILE eventfd without its EVENTFD", m_file_eventfd_not_new, ebadmsg),
	CRAFT("SIGNALFD mask with SIGKILL", m_signalfd_kill, ebadmsg),
	CRAFT("SIGNALFD reserved not zero", m_signalfd_reserved, ebadmsg),
	CRAFT("SIGNALFD missing", m_signalfd_missing, ebadmsg),
	CRAFT("INODE of a directory", m_inode_mode, ebadmsg),
	CRAFT("INODE more DATA than pages", m_inode_nr_data, ebadmsg),
	CRAFT("INODE memfd name not memfd:", m_inode_name, ebadmsg),
	CRAFT("INODE unknown seals", m_inode_seals, ebadmsg),
	CRAFT("DATA offset not page aligned", m_data_offset, ebadmsg),
	CRAFT("DATA past the size", m_data_past_size, ebadmsg),
	CRAFT("FOWNER pid not in the tree", m_fowner_pid, ebadmsg),
	CRAFT("FOWNER unknown type", m_fowner_type, ebadmsg),
	CRAFT("FOWNER signal 99", m_fowner_signal, ebadmsg),
	CRAFT("INOTIFY_WATCH wd 0", m_inotify_wd, ebadmsg),
	CRAFT("INOTIFY_WATCH mask IN_MASK_ADD", m_inotify_mask, ebadmsg),
	CRAFT("INOTIFY_WATCH path not NUL-terminated", m_inotify_path, ebadmsg),
	CRAFT("INOTIFY nr_watches + 1", m_inotify_nr, ebadmsg),
	CRAFT("PTY index CKPT_MAX_PTYS", m_pty_index, ebadmsg),
	CRAFT("PTY unknown flags", m_pty_flags, ebadmsg),
	CRAFT("PTY foreground group -1", m_pty_fg, ebadmsg),
	CRAFT("PTY ref of another object", m_pty_ref, ebadmsg),
	CRAFT("PTY ptmx path not NUL-terminated", m_pty_path, ebadmsg),
	CRAFT("TTY line discipline 1", m_tty_line, ebadmsg),
	CRAFT("TTY canon > count", m_tty_canon, ebadmsg),
	CRAFT("TTY stopped by tcflow() but not stopped", m_tty_tco, ebadmsg),
	CRAFT("TTY count > CKPT_TTY_BUF_SIZE", m_tty_count, ebadmsg),
	CRAFT("TTY line end beyond count", m_tty_eol, ebadmsg),
	CRAFT("TTY nr_pending + 1", m_tty_pending, ebadmsg),
	CRAFT("TTY of the slave missing", m_tty_missing, ebadmsg),
	CRAFT("FILE pts unknown obj_ref", m_file_pts_obj, ebadmsg),
	CRAFT("FILE pts opened as device 1:3", m_file_pts_rdev, ebadmsg),
	CRAFT("FILE ptmx read-only", m_file_ptmx_rdonly, ebadmsg),
	CRAFT("SIGNAL ctty_ref names a FILE", m_signal_ctty_ref, ebadmsg),
	CRAFT("SIGNAL unknown ctty_flags", m_signal_ctty_flags, ebadmsg),
	CRAFT("EPOLL ref of another FILE", m_epoll_ref, ebadmsg),
	CRAFT("EPOLL nr + 1", m_epoll_nr, ebadmsg),
	CRAFT("EPOLL watch of an unknown file", m_epoll_file, ebadmsg),
	CRAFT("EPOLL watch unknown events", m_epoll_events, ebadmsg),
	CRAFT("EPOLL missing", m_epoll_missing, ebadmsg),
	CRAFT("TIMERFD CPU-time clock", m_timerfd_clock, ebadmsg),
	CRAFT("TIMERFD negative time left", m_timerfd_value, ebadmsg),
	CRAFT("TIMERFD unknown flags", m_timerfd_flags, ebadmsg),
	CRAFT("LOCKS nr + 1", m_locks_nr, ebadmsg),
	CRAFT("LOCKS of an fd table missing", m_locks_missing, ebadmsg),
	CRAFT("LOCKS flock entry made POSIX", m_lock_kind, ebadmsg),
	CRAFT("LOCKS POSIX entry end < start", m_lock_range, ebadmsg),
	CRAFT("LOCKS POSIX entry unknown file", m_lock_file_ref, ebadmsg),
	CRAFT("LOCKS entry unknown flags", m_lock_flags, ebadmsg),
	CRAFT("FS cwd not NUL-terminated", m_fs_cwd_no_nul, ebadmsg),
	CRAFT("FDTABLE nr_fds > CKPT_MAX_FDS", m_fdtable_huge, ebadmsg),
	CRAFT("FDTABLE nr_fds 0xffffffff", m_fdtable_max, ebadmsg),
	CRAFT("FDTABLE nr_fds + 1", m_fdtable_plus1, ebadmsg),
	CRAFT("FD unknown file ref", m_fd_ref_unknown, ebadmsg),
	CRAFT("FDs out of order", m_fd_unordered, ebadmsg),
	CRAFT("FD twice", m_fd_twice, ebadmsg),
	CRAFT("FD unknown flags", m_fd_flags, ebadmsg),
	CRAFT("TREE nr_tasks 0", m_tree_nr_zero, ebadmsg),
	/* this version may say so before it finds the second TASK missing */
	CRAFT("TREE nr_tasks 2", m_tree_nr_two, ebadmsg_notsupp),
	CRAFT("TREE nr_tasks != len", m_tree_nr_mismatch, ebadmsg),
	CRAFT("TREE pid != TASK pid", m_tree_pid, ebadmsg),
	CRAFT("TREE nested, PIDNS missing", m_pidns_missing, ebadmsg),
	CRAFT("PIDNS nr_ns 0", m_pidns_nr_zero, ebadmsg),
	CRAFT("PIDNS nr_ns > CKPT_MAX_PIDNS", m_pidns_nr_huge, ebadmsg),
	CRAFT("PIDNS nr_vpids + 1", m_pidns_len, ebadmsg),
	CRAFT("PIDNS parent not listed before", m_pidns_parent, ebadmsg),
	CRAFT("PIDNS 33 levels deep", m_pidns_deep, ebadmsg),
	CRAFT("PIDNS root below the tree's namespace", m_pidns_root_below,
	      ebadmsg),
	CRAFT("PIDNS namespace beyond nr_ns", m_pidns_beyond, ebadmsg),
	CRAFT("PIDNS namespace not used", m_pidns_unused, ebadmsg),
	CRAFT("PIDNS pid of a task in the tree's namespace", m_pidns_vpids_extra,
	      ebadmsg),
	CRAFT("PIDNS init with pid 2", m_pidns_init_pid, ebadmsg),
	CRAFT("PIDNS empty namespace used by two", m_pidns_shared_empty,
	      ebadmsg),
	CRAFT("PIDNS pid 1 twice in a namespace", m_pidns_pid_twice, ebadmsg),
	CRAFT("TASK nr_files + 1", m_task_nr_files, ebadmsg),
	CRAFT("TASK twice", m_task_twice, ebadmsg),
	CRAFT("TASK stopped by SIGKILL", m_task_stop_kill, ebadmsg),
	CRAFT("POSIX timer of SIGEV_NONE with its signal pending",
	      m_ptimer_pending, ebadmsg),
	CRAFT("POSIX timer unknown flags", m_ptimer_flags, ebadmsg),
	CRAFT("POSIX timer signal overrun without a pending signal",
	      m_ptimer_overrun, ebadmsg),
	CRAFT("TASK stop unreported, not stopped", m_task_stop_unreported,
	      ebadmsg),
	CRAFT("TASK futex wait on a misaligned word", m_task_futex_addr,
	      ebadmsg),
	CRAFT("TASK futex wait on CLOCK_BOOTTIME", m_task_futex_clock,
	      ebadmsg),
	CRAFT("TASK rt_sigtimedwait() on CLOCK_REALTIME", m_task_sigwait_clock,
	      ebadmsg),
	CRAFT("TASK rt_sigtimedwait() and nanosleep", m_task_sigwait_sleep,
	      ebadmsg),
	CRAFT("CREDS ngroups > CKPT_MAX_GROUPS", m_creds_ngroups_huge, ebadmsg),
	CRAFT("CREDS ngroups != len", m_creds_ngroups_plus1, ebadmsg),
	CRAFT("SIGNAL nr_rlimits", m_signal_nr_rlimits, ebadmsg),
	CRAFT("XSTATE size != len", m_xstate_size, ebadmsg),
	CRAFT("CPU missing", m_no_cpu, ebadmsg),
	CRAFT("SIGNAL missing", m_no_signal, ebadmsg),
	CRAFT("SIGNAL before SIGHAND", m_sighand_signal_swapped, ebadmsg),
	CRAFT("padding not zero", m_padding, ebadmsg),
	CRAFT_TR("TRAILER bad magic", m_none, ebadmsg, { .bad_magic = 1 }),
	CRAFT_TR("TRAILER nr_records + 1", m_none, ebadmsg, { .nr_delta = 1 }),
	CRAFT_TR("TRAILER image_len + 8", m_none, ebadmsg, { .len_delta = 8 }),
	CRAFT_TR("TRAILER bad crc", m_none, ebadmsg, { .crc_xor = 1 }),
	CRAFT_TR("TRAILER missing", m_none, ebadmsg, { .omit = 1 }),
};

TEST_F_TIMEOUT(err, crafted, 280)
{
	struct ctx *cx = &self->c;
	const struct tropt none = { 0 };
	unsigned int i;
	uint8_t *img;
	size_t len;
	int nfail = 0;
	pid_t pid;

	ASSERT_EQ(0, take_image(_metadata, cx));
	pid = cx->pid;
	cx->pid = -1;

	/* Re-encoding the intact image gives it back, and it restarts */
	ASSERT_EQ(0, model_load(&model, cx->img, cx->len));
	img = model_encode(&model, &none, &len);
	model_free(&model);
	ASSERT_NE(NULL, img);
	EXPECT_EQ(cx->len, len);
	EXPECT_EQ(0, memcmp(img, cx->img, len < cx->len ? len :
								cx->len));
	free(img);
	ASSERT_EQ(0, load_memfd(cx->memfd, cx->img, cx->len));
	cx->pid = ckpt_restart(cx->memfd, 0, NULL, 0);
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart of the intact image: %s", strerror(errno));
	}
	ASSERT_EQ(0, finish_child(_metadata, cx));
	/* ckptinfo decodes every record of it (the child has every kind) */
	EXPECT_EQ(0, ckptinfo_status(cx->img, cx->len)) {
		ckpt_dump_log("/tmp/ckptinfo.err");
	}

	for (i = 0; i < ARRAY_SIZE(crafts); i++) {
		const struct craft *c = &crafts[i];

		ASSERT_EQ(0, model_load(&model, cx->img, cx->len));
		ASSERT_EQ(0, c->fn(&model)) {
			TH_LOG("%s: the image has no record to edit", c->name);
		}
		img = model_encode(&model, &c->tr, &len);
		model_free(&model);
		ASSERT_NE(NULL, img);
		nfail += !refused(_metadata, cx, img, len, pid, c->errs,
				  c->name);
		/* ckptinfo refuses it too (exit 1) */
		if (ckptinfo_status(img, len) != 1) {
			TH_LOG("ckptinfo accepts: %s", c->name);
			nfail++;
		}
		free(img);
	}
	TH_LOG("%zu crafted images, %d not refused properly",
	       ARRAY_SIZE(crafts), nfail);
	EXPECT_EQ(0, nfail);
}

/* --- restart while the pid is taken --- */

TEST_F_TIMEOUT(err, pid_in_use, 120)
{
	struct ctx *cx = &self->c;
	char klog[CKPT_LOG_MAX];
	int status = 0;
	pid_t pid;
	long ret;

	ASSERT_LT(0, spawn_ready(_metadata, cx, M_PLAIN));
	pid = cx->pid;
	ret = ckpt_checkpoint(pid, 0, &cx->imgfd, klog, sizeof(klog));
	ASSERT_GT(ret, 0) {
		TH_LOG("checkpoint: %s; kernel log:\n%s", strerror(errno),
		       klog);
	}
	EXPECT_EQ(1, ckpt_nr_children());

	ret = ckpt_restart(cx->imgfd, 0, klog, sizeof(klog));
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBUSY, errno) {
		TH_LOG("restart: %s", strerror(errno));
	}
	if (ret > 0 && ret != pid)
		ckpt_kill_reap(ret);
	TH_LOG("kernel log: %s", klog);
	EXPECT_TRUE(ckpt_has_num(klog, "", pid)) {
		TH_LOG("the log does not name pid %d", pid);
	}
	/* no new child; the original is untouched */
	EXPECT_EQ(1, ckpt_nr_children());
	EXPECT_EQ(0, ckpt_waitpid(pid, &status, 0));
	EXPECT_EQ('S', ckpt_wait_state(pid, 'S', 1000));
	ASSERT_EQ(0, finish_child(_metadata, cx));

	/* now the pid is free */
	cx->pid = ckpt_restart(cx->imgfd, 0, klog, sizeof(klog));
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart: %s; kernel log:\n%s", strerror(errno), klog);
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- bad arguments --- */


TEST_F_TIMEOUT(err, bad_args, 120)
{
	struct ctx *cx = &self->c;
	char klog[CKPT_LOG_MAX], path[PATH_MAX];
	int logfd, imgfd, rdonly, wronly, i, status;
	pid_t pid, gone;
	long ret;
	const struct {
		const char *what;
		int ckpt;	/* 1: checkpoint(), 0: restart() */
		pid_t pid;	/* -2: the child */
		int fd;		/* -2: a good one, -3 read-only, -4 write-only */
		unsigned long flags;
		int logfd;	/* -2: a good one, -3: read-only */
		int err;
	} cases[] = {
		{ "checkpoint flags 0x8", 1, -2, -2, 0x8, -2, EINVAL },
		{ "checkpoint flags ~0", 1, -2, -2, ~0UL, -2, EINVAL },
		{ "checkpoint flags 1 << 63", 1, -2, -2, 1UL << 63, -2,
		  EINVAL },
		{ "checkpoint KILL|STOP", 1, -2, -2, CKPT_KILL | CKPT_STOP,
		  -2, EINVAL },
		{ "checkpoint fd -1", 1, -2, -1, 0, -2, EBADF },
		{ "checkpoint fd closed", 1, -2, 999, CKPT_KILL, -2, EBADF },
		{ "checkpoint fd read-only", 1, -2, -3, CKPT_KILL, -2, EBADF },
		{ "checkpoint logfd closed", 1, -2, -2, CKPT_KILL, 999,
		  EBADF },
		{ "checkpoint logfd read-only", 1, -2, -2, CKPT_KILL, -3,
		  EBADF },
		{ "checkpoint pid 0x3fffffff", 1, 0x3fffffff, -2, 0, -2,
		  ESRCH },
		{ "restart pid 1", 0, 1, -2, 0, -2, EINVAL },
		{ "restart pid -1", 0, -1, -2, 0, -2, EINVAL },
		{ "restart pid = caller", 0, getpid(), -2, 0, -2, EINVAL },
		{ "restart flags 0x4", 0, 0, -2, 0x4, -2, EINVAL },
		{ "restart flags ~0", 0, 0, -2, ~0UL, -2, EINVAL },
		{ "restart fd -1", 0, 0, -1, 0, -2, EBADF },
		{ "restart fd closed", 0, 0, 999, 0, -2, EBADF },
		{ "restart fd write-only", 0, 0, -4, 0, -2, EBADF },
		{ "restart logfd closed", 0, 0, -2, 0, 999, EBADF },
		{ "restart logfd read-only", 0, 0, -2, 0, -3, EBADF },
	};

	/* a pid that surely is free: a reaped child's */
	gone = fork();
	ASSERT_GE(gone, 0);
	if (!gone)
		_exit(0);
	ASSERT_EQ(gone, ckpt_waitpid(gone, &status, TMO_EXIT));

	ASSERT_LT(0, spawn_ready(_metadata, cx, M_PLAIN));
	pid = cx->pid;
	/* an image of the running child, for restart() */
	ret = ckpt_checkpoint(pid, 0, &cx->imgfd, klog, sizeof(klog));
	ASSERT_GT(ret, 0) {
		TH_LOG("checkpoint: %s; kernel log:\n%s", strerror(errno),
		       klog);
	}
	snprintf(path, sizeof(path), "%s/%s", cx->dir, DATA_FILE);
	rdonly = open(path, O_RDONLY);
	wronly = open(path, O_WRONLY);
	ASSERT_GE(rdonly, 0);
	ASSERT_GE(wronly, 0);
	ASSERT_EQ(-1, fcntl(999, F_GETFD));

	for (i = 0; i < (int)ARRAY_SIZE(cases); i++) {
		int fd = cases[i].fd, lfd = cases[i].logfd;
		pid_t p = cases[i].pid;

		if (p == -2)
			p = pid;
		imgfd = -1;
		logfd = ckpt_memfd("log");
		if (fd == -2 && cases[i].ckpt)
			fd = imgfd = ckpt_memfd("img");
		else if (fd == -2)
			fd = cx->imgfd;
		else if (fd == -3)
			fd = rdonly;
		else if (fd == -4)
			fd = wronly;
		if (lfd == -2)
			lfd = logfd;
		else if (lfd == -3)
			lfd = rdonly;
		lseek(cx->imgfd, 0, SEEK_SET);
		errno = 0;
		if (cases[i].ckpt)
			ret = sys_checkpoint(p, fd, cases[i].flags, lfd);
		else
			ret = sys_restart(p, fd, cases[i].flags, lfd);
		EXPECT_EQ(-1, ret) {
			TH_LOG("%s: returned %ld", cases[i].what, ret);
			if (!cases[i].ckpt && ret > 0 && ret != pid)
				ckpt_kill_reap(ret);
		}
		EXPECT_EQ(cases[i].err, errno) {
			TH_LOG("%s: %s", cases[i].what, strerror(errno));
		}
		ckpt_read_all(logfd, klog, sizeof(klog));
		if (lfd == logfd)
			EXPECT_NE(0, klog[0]) {
				TH_LOG("%s: nothing in the log",
				       cases[i].what);
			}
		close(logfd);
		if (imgfd >= 0 && imgfd != cx->imgfd)
			close(imgfd);
		EXPECT_TRUE(untouched(pid)) {
			TH_LOG("%s: the child is not running as before",
			       cases[i].what);
		}
		EXPECT_EQ(1, ckpt_nr_children()) {
			TH_LOG("%s: a child was left", cases[i].what);
		}
	}

	/* a pid that does not exist (any more) */
	ret = ckpt_checkpoint(gone, CKPT_KILL, &imgfd, klog, sizeof(klog));
	close(imgfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ESRCH, errno);
	EXPECT_NE(0, klog[0]);

	/* no log fd at all is fine */
	imgfd = ckpt_memfd("img");
	ret = sys_checkpoint(pid, imgfd, 0, -1);
	close(imgfd);
	EXPECT_GT(ret, 0) {
		TH_LOG("checkpoint without a log: %s", strerror(errno));
	}
	close(rdonly);
	close(wronly);
	EXPECT_TRUE(untouched(pid));
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- traced targets --- */

static void expect_busy(struct __test_metadata *_metadata, pid_t pid,
			char state, const char *what)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	char klog[CKPT_LOG_MAX];
	unsigned int i;
	int imgfd, status, err;
	long ret;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(pid, flags[i], &imgfd, klog,
				      sizeof(klog));
		err = errno;
		close(imgfd);
		ASSERT_EQ(-1, ret) {
			TH_LOG("flags %#lx: the checkpoint succeeded",
			       flags[i]);
		}
		EXPECT_EQ(EBUSY, err) {
			TH_LOG("%s, flags %#lx: %s; kernel log: %s", what,
			       flags[i], strerror(err), klog);
		}
		EXPECT_TRUE(ckpt_has_num(klog, "", pid)) {
			TH_LOG("%s: the log does not name pid %d: %s", what,
			       pid, klog);
		}
		EXPECT_EQ(0, ckpt_waitpid(pid, &status, 0));
		EXPECT_EQ(state, ckpt_wait_state(pid, state, 1000));
	}
}

TEST_F_TIMEOUT(err, busy_target, 120)
{
	struct ctx *cx = &self->c;
	int status;
	pid_t pid;

	ASSERT_LT(0, spawn_ready(_metadata, cx, M_PLAIN));
	pid = cx->pid;

	/* traced (stopped ones are saved: see stopped_test) */
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	expect_busy(_metadata, pid, 'S', "traced");
	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, 0, 0));
	EXPECT_TRUE(untouched(pid));
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- files missing or changed at restart --- */

TEST_F_TIMEOUT(err, missing_file, 120)
{
	struct ctx *cx = &self->c;
	char klog[CKPT_LOG_MAX], path[PATH_MAX], moved[PATH_MAX];
	pid_t pid;
	long ret;

	ASSERT_EQ(0, take_image(_metadata, cx));
	pid = cx->pid;
	cx->pid = -1;
	snprintf(path, sizeof(path), "%s/%s", cx->dir, DATA_FILE);
	snprintf(moved, sizeof(moved), "%s/moved", cx->dir);
	ASSERT_EQ(0, rename(path, moved));

	ret = ckpt_restart(cx->imgfd, 0, klog, sizeof(klog));
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ENOENT, errno) {
		TH_LOG("restart: %s", strerror(errno));
	}
	if (ret > 0)
		ckpt_kill_reap(ret);
	TH_LOG("kernel log: %s", klog);
	EXPECT_NE(NULL, strstr(klog, DATA_FILE)) {
		TH_LOG("the log does not name the file");
	}
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno);
	EXPECT_EQ(-1, kill(pid, 0));
	EXPECT_EQ(ESRCH, errno);

	ASSERT_EQ(0, rename(moved, path));
	cx->pid = ckpt_restart(cx->imgfd, 0, klog, sizeof(klog));
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart: %s; kernel log:\n%s", strerror(errno), klog);
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

static void expect_stale(struct __test_metadata *_metadata,
			 struct ctx *self, pid_t pid, const char *what)
{
	char klog[CKPT_LOG_MAX];
	long ret;

	ret = ckpt_restart(self->imgfd, 0, klog, sizeof(klog));
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ESTALE, errno) {
		TH_LOG("%s: %s", what, strerror(errno));
	}
	if (ret > 0)
		ckpt_kill_reap(ret);
	TH_LOG("%s: kernel log: %s", what, klog);
	EXPECT_NE(0, klog[0]);
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno);
	EXPECT_EQ(-1, kill(pid, 0));
	EXPECT_EQ(ESRCH, errno);
}

TEST_F_TIMEOUT(err, stale_mapping, 120)
{
	struct ctx *cx = &self->c;
	char klog[CKPT_LOG_MAX], path[PATH_MAX];
	struct timespec times[2];
	struct stat st;
	unsigned char c;
	pid_t pid;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cx->dir, MAPPED_FILE);
	ASSERT_EQ(0, take_image(_metadata, cx));
	pid = cx->pid;
	cx->pid = -1;
	ASSERT_EQ(0, stat(path, &st));
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	fd = open(path, O_RDWR);
	ASSERT_GE(fd, 0);

	/* one more byte */
	ASSERT_EQ(1, pwrite(fd, "+", 1, 2 * PAGE));
	expect_stale(_metadata, cx, pid, "size changed");
	ASSERT_EQ(0, ftruncate(fd, 2 * PAGE));
	ASSERT_EQ(0, futimens(fd, times));

	/* same size, other contents, a later mtime */
	c = ~pat(2, 10);
	ASSERT_EQ(1, pwrite(fd, &c, 1, 10));
	times[1].tv_sec += 1;
	ASSERT_EQ(0, futimens(fd, times));
	expect_stale(_metadata, cx, pid, "contents and mtime changed");

	/* put back as it was: the image restarts */
	c = pat(2, 10);
	ASSERT_EQ(1, pwrite(fd, &c, 1, 10));
	times[1].tv_sec -= 1;
	ASSERT_EQ(0, futimens(fd, times));
	close(fd);
	cx->pid = ckpt_restart(cx->imgfd, 0, klog, sizeof(klog));
	ASSERT_EQ(pid, cx->pid) {
		TH_LOG("restart: %s; kernel log:\n%s", strerror(errno), klog);
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- what this version cannot checkpoint --- */

FIXTURE(unsup) {
	struct ctx c;
};

FIXTURE_SETUP(unsup)
{
	ctx_setup(_metadata, &self->c);
}

FIXTURE_TEARDOWN(unsup)
{
	ctx_teardown(&self->c);
}

FIXTURE_VARIANT(unsup) {
	int mode;
	const char *what;	/* in the kernel's message */
};

FIXTURE_VARIANT_ADD(unsup, siblings_share_fds) {
	.mode = M_SIBLINGS, .what = "fd table",
};

FIXTURE_VARIANT_ADD(unsup, shared_anon) {
	.mode = M_SHARED, .what = "shared",
};

FIXTURE_VARIANT_ADD(unsup, mlock) {
	.mode = M_MLOCK, .what = "lock",
};

FIXTURE_VARIANT_ADD(unsup, seccomp) {
	.mode = M_SECCOMP, .what = "seccomp",
};

/* The tids of @pid, or its children's pids (@children); their number */
static int tasks_of(pid_t pid, int children, pid_t *out, int max)
{
	char buf[1024], name[64], cname[40], *p, *end;
	struct dirent *d;
	int n = 0;
	DIR *dir;

	if (!children) {
		snprintf(name, sizeof(name), "/proc/%d/task", pid);
		dir = opendir(name);
		if (!dir)
			return -1;
		while ((d = readdir(dir)) && n < max)
			if (d->d_name[0] != '.')
				out[n++] = atoi(d->d_name);
		closedir(dir);
		return n;
	}
	snprintf(cname, sizeof(cname), "task/%d/children", pid);
	if (ckpt_proc_read(pid, cname, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; n < max; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		out[n++] = v;
	}
	return n;
}

TEST_F_TIMEOUT(unsup, checkpoint, 120)
{
	struct ctx *cx = &self->c;
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	char klog[CKPT_LOG_MAX], name[64];
	pid_t pid, others[8];
	unsigned int i;
	int n, k, imgfd, named, err;
	long ret;

	ASSERT_LT(0, spawn_ready(_metadata, cx, variant->mode));
	pid = cx->pid;
	n = tasks_of(pid, variant->mode == M_SIBLINGS, others, 8);
	if (variant->mode == M_SIBLINGS)
		ASSERT_EQ(2, n);

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(pid, flags[i], &imgfd, klog,
				      sizeof(klog));
		err = errno;
		close(imgfd);
		ASSERT_EQ(-1, ret) {
			TH_LOG("flags %#lx: the checkpoint succeeded",
			       flags[i]);
		}
		EXPECT_EQ(EOPNOTSUPP, err) {
			TH_LOG("flags %#lx: %s", flags[i], strerror(err));
		}
		TH_LOG("flags %#lx: kernel log: %s", flags[i], klog);
		named = ckpt_has_num(klog, "", pid);
		for (k = 0; k < n; k++)
			named |= ckpt_has_num(klog, "", others[k]);
		EXPECT_TRUE(named) {
			TH_LOG("the log names no pid of the child (%d)", pid);
		}
		EXPECT_NE(NULL, strcasestr(klog, variant->what)) {
			TH_LOG("the log does not say '%s'", variant->what);
		}
		EXPECT_TRUE(untouched(pid));
		/* tasks kicked by the attempt go back to sleep */
		for (k = 0; k < n; k++) {
			snprintf(name, sizeof(name), "%d", others[k]);
			EXPECT_EQ('S', ckpt_wait_state(others[k], 'S', 1000)) {
				TH_LOG("task %s is not asleep", name);
			}
		}
	}
	EXPECT_EQ(0, finish_child(_metadata, cx));
}

/* --- a process that has exited but is not reaped yet --- */

static int exit_child(void *arg)
{
	ckpt_unmap_shared_anon();
	return 7;
}

TEST_F_TIMEOUT(err, zombie_target, 60)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	struct ctx *cx = &self->c;
	char klog[CKPT_LOG_MAX];
	int i, imgfd, status, err;
	pid_t pid;
	long ret;

	pid = cx->pid = ckpt_spawn(exit_child, NULL, cx->log);
	ASSERT_GT(pid, 0);
	for (i = 0; i < 1000 && ckpt_proc_state(pid) != 'Z'; i++)
		usleep(10000);
	ASSERT_EQ('Z', ckpt_proc_state(pid));

	for (i = 0; i < (int)ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(pid, flags[i], &imgfd, klog,
				      sizeof(klog));
		err = errno;
		close(imgfd);
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(ESRCH, err) {
			TH_LOG("flags %#lx: %s; kernel log: %s", flags[i],
			       strerror(err), klog);
		}
		EXPECT_TRUE(ckpt_has_num(klog, "", pid)) {
			TH_LOG("the log does not name pid %d: %s", pid, klog);
		}
		EXPECT_EQ('Z', ckpt_proc_state(pid));
	}
	/* the parent still gets its exit status */
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	cx->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

TEST_HARNESS_MAIN
