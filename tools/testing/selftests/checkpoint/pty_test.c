// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of pseudo-terminal pairs and controlling terminals.
 *
 * The test process is a child subreaper: CKPT_KILL kills a whole tree,
 * the test reaps every old pid, then restarts the image.  The root R of
 * a tree waits for SIGUSR1 before it checks its state, its child C for
 * SIGUSR1 from R.
 *
 * pair: R opens two pairs.  The first one's slave is raw (cfmakeraw(),
 * 38400 baud, VMIN 1) with a 37x123 window (1000x700 pixels); its master
 * wrote 100 bytes that the slave did not read, its slave 50 that the
 * master did not read.  C holds both ends, R only the master.  The second
 * pair's master (O_NONBLOCK) is in packet mode and locked again
 * (TIOCSPTLCK) after its slave (O_NONBLOCK) wrote "pk" and stopped its
 * output (tcflow(TCOOFF)).  Before and after the restart the fd links
 * name the same nodes (the same /dev/pts/N) and fdinfo the same flags.
 * After: TIOCGPTN, TIOCGPTLCK and TIOCGPKT are as saved; the master
 * reads the 50 bytes, the packet master the TIOCPKT_STOP status then
 * "\0pk", then TIOCPKT_START once the output is restarted; opening the
 * locked slave fails with EIO; C finds the termios and window size as
 * set, reads the 100 bytes, and C and R exchange bytes through the pair.
 *
 * canon: the slave is in canonical mode with echo (the default termios);
 * its master wrote "line1\nline2\npartq" and an erase.  After the restart
 * FIONREAD gives the 12 bytes of the complete lines; the slave reads
 * "line1\n", "line2\n", then nothing (O_NONBLOCK) until the master ends
 * the line being edited: "partX\n"; the master reads the echo written
 * before the checkpoint, "\b \b" for the erase included, then the new
 * echo.
 *
 * full: the master of a raw pair wrote until no more fit: the line
 * discipline holds 4095 bytes, the flip buffer the rest, more than 4000.
 * The slave of a second pair wrote "bye" and was closed.  After the
 * restart the slave reads every byte in order, then nothing; the second
 * master reads "bye", then fails with EIO.
 *
 * ctty: R leads a session whose controlling terminal is the slave; C is
 * in a process group of its own, the foreground one.  /proc/PID/stat's
 * pgrp, session, tty_nr and tpgid of R and C are the same before and
 * after.  After: C sees itself in the foreground (tcgetpgrp()), R as the
 * session (tcgetsid()), can open /dev/tty; the master writes ^C and C,
 * not R, gets SIGINT.
 *
 * Every image passes ckptinfo.
 *
 * shell_job: a "shell" S leads a session whose terminal is the slave of a
 * pair the test holds; its job J (a process group of its own, in the
 * foreground) has its standard descriptors on the terminal and answers
 * each line it reads, on its standard output and through /dev/tty.  J is
 * checkpointed with CKPT_SHELL_JOB and killed;
 * S restarts it with RSTR_SHELL_JOB.  J's descriptors, session, terminal
 * and foreground group (/proc/PID/stat) are as before, and it answers
 * the next line typed, then exits when told to.  Without RSTR_SHELL_JOB
 * the restart fails with EINVAL.
 *
 * shell_job_stop: the same job, restarted by "rstr --shell-job" that S
 * runs as its foreground job, answers a line; ^Z typed on the master
 * stops it, and rstr by SIGTSTP too, which S sees, taking the terminal;
 * S puts rstr back in the foreground and continues it (fg): the job is
 * in the foreground again and answers the next line; its exit status is
 * rstr's.
 *
 * dev_tty: R leads a session whose terminal is a pair, and holds its slave
 * opened twice through /dev/tty (O_RDWR, and O_RDONLY | O_NONBLOCK); its
 * child C inherited the first and left for a session of its own.  The
 * links and flags of the fds and /proc/PID/stat's terminal fields of R
 * and C are the same after the restart.  After: both files are still
 * 5:0 and files of the pair (tcgetsid(), tcgetpgrp(), what the master
 * writes and reads); C, with no terminal, cannot open /dev/tty but
 * writes to the pair through its inherited file.
 *
 * outside, master_rdonly: refused with EOPNOTSUPP and a message naming
 * the pid and the fd: a slave that the test opened too (through
 * /proc/PID/fd), and a master opened read-only; R keeps running.
 */
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	20000
#define TMO_EXIT	30000
#define TMO_REAP	20000

static unsigned char pat(int seed, int i)
{
	return (unsigned char)(seed * 31 + i * 7);
}

static void fill(unsigned char *p, int seed, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = pat(seed, i);
}

/* Read exactly @n bytes of pattern @seed from @fd */
static int read_pat(int fd, int seed, int n)
{
	unsigned char buf[256];
	int got = 0, i;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf, n - got > 256 ? 256 : n - got);
		if (r <= 0)
			return 0;
		for (i = 0; i < r; i++)
			if (buf[i] != pat(seed, got + i))
				return 0;
		got += r;
	}
	return 1;
}

/* Read exactly the bytes of @s from @fd */
static int read_str(int fd, const char *s)
{
	size_t n = strlen(s), got = 0;
	char buf[128];
	ssize_t r;

	while (got < n && n < sizeof(buf)) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return 0;
		got += r;
	}
	return got == n && !memcmp(buf, s, n);
}

/* Wait up to 5 s until @fd has @n bytes to read */
static int wait_nread(int fd, int n)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (ckpt_nread(fd) == n)
			return 1;
		usleep(1000);
	}
	return 0;
}

/* Wait up to 5 s until @fd is readable */
static int wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 5000) == 1 && p.revents & POLLIN;
}

/* Open a pair: its master at @mfd, its slave at @sfd with @sflags */
static int open_pair(int mfd, int sfd, int mflags, int sflags)
{
	char name[64];
	int m, s, n;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY | mflags);
	if (m < 0 || ckpt_put_fd(m, mfd) || unlockpt(mfd) ||
	    ioctl(mfd, TIOCGPTN, &n))
		return -1;
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	s = open(name, O_RDWR | sflags);
	if (s < 0 || ckpt_put_fd(s, sfd))
		return -1;
	return n;
}

static int ioctl_int(int fd, unsigned long req)
{
	int v = -1;

	return ioctl(fd, req, &v) ? -1 : v;
}

static struct termios raw_termios;
static const struct winsize raw_ws = { 37, 123, 1000, 700 };
static int pair_index;

static int c_pair(int unused)
{
	struct winsize ws;
	struct termios t;

	CKPT_CHILD_CHECK(30, !tcgetattr(6, &t));
	CKPT_CHILD_CHECK(31, !memcmp(&t, &raw_termios, sizeof(t)));
	CKPT_CHILD_CHECK(32, !ioctl(6, TIOCGWINSZ, &ws) &&
			     !memcmp(&ws, &raw_ws, sizeof(ws)));
	CKPT_CHILD_CHECK(33, ckpt_nread(6) == 100);
	CKPT_CHILD_CHECK(34, read_pat(6, 1, 100) && ckpt_nread(6) == 0);
	CKPT_CHILD_CHECK(35, write(6, "ok", 2) == 2);
	CKPT_CHILD_CHECK(36, read_str(6, "in"));
	return 0;
}

static int r_pair(void *arg)
{
	unsigned char buf[128];
	char name[64];
	int status, n;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	pair_index = open_pair(5, 6, 0, O_NOCTTY);
	if (pair_index < 0 || tcgetattr(6, &raw_termios))
		return 80;
	cfmakeraw(&raw_termios);
	cfsetspeed(&raw_termios, B38400);
	raw_termios.c_cc[VMIN] = 1;
	raw_termios.c_cc[VTIME] = 0;
	if (tcsetattr(6, TCSANOW, &raw_termios) ||
	    tcgetattr(6, &raw_termios) ||
	    ioctl(6, TIOCSWINSZ, &raw_ws))
		return 81;
	fill(buf, 1, 100);
	if (write(5, buf, 100) != 100 || !wait_nread(6, 100))
		return 82;
	fill(buf, 2, 50);
	if (write(6, buf, 50) != 50 || !wait_nread(5, 50))
		return 83;
	n = open_pair(7, 8, O_NONBLOCK, O_NOCTTY | O_NONBLOCK);
	if (n < 0 || ioctl(7, TIOCPKT, &(int){ 1 }) ||
	    write(8, "pk", 2) != 2 || !wait_nread(7, 2) ||
	    tcflow(8, TCOOFF) || ioctl(7, TIOCSPTLCK, &(int){ 1 }))
		return 84;
	c = ckpt_fork_child(c_pair, 0, 6);
	if (c < 0 || close(6))
		return 85;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, ioctl_int(5, TIOCGPTN) == pair_index);
	CKPT_CHILD_CHECK(2, ioctl_int(7, TIOCGPTN) == n);
	CKPT_CHILD_CHECK(3, ioctl_int(5, TIOCGPTLCK) == 0 &&
			    ioctl_int(7, TIOCGPTLCK) == 1);
	CKPT_CHILD_CHECK(4, ioctl_int(5, TIOCGPKT) == 0 &&
			    ioctl_int(7, TIOCGPKT) == 1);
	CKPT_CHILD_CHECK(5, ckpt_nread(5) == 50 && read_pat(5, 2, 50));
	CKPT_CHILD_CHECK(6, read(7, buf, sizeof(buf)) == 1 &&
			    buf[0] == TIOCPKT_STOP);
	CKPT_CHILD_CHECK(7, read(7, buf, sizeof(buf)) == 3 &&
			    !memcmp(buf, "\0pk", 3));
	CKPT_CHILD_CHECK(8, read(7, buf, sizeof(buf)) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(9, !tcflow(8, TCOON) && wait_in(7));
	CKPT_CHILD_CHECK(10, read(7, buf, sizeof(buf)) == 1 &&
			     buf[0] == TIOCPKT_START);
	/* Last: a failed open leaves the slave with TTY_IO_ERROR */
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	CKPT_CHILD_CHECK(11, open(name, O_RDWR | O_NOCTTY) < 0 && errno == EIO);

	CKPT_CHILD_CHECK(12, !kill(c, SIGUSR1));
	CKPT_CHILD_CHECK(13, read_str(5, "ok"));
	CKPT_CHILD_CHECK(14, write(5, "in", 2) == 2);
	CKPT_CHILD_CHECK(15, waitpid(c, &status, 0) == c);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ckpt_child_log("child %d: status %#x", c, status);
		return 16;
	}
	ckpt_child_log("all checks passed");
	return 0;
}

#define CANON_ECHO	"line1\r\nline2\r\npartq\b \b"

static int r_canon(void *arg)
{
	char buf[128];

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (open_pair(5, 6, 0, O_NOCTTY | O_NONBLOCK) < 0)
		return 80;
	if (write(5, "line1\nline2\npartq\x7f", 18) != 18 ||
	    !wait_nread(6, 12) || !wait_nread(5, strlen(CANON_ECHO)))
		return 81;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, ckpt_nread(6) == 12);
	CKPT_CHILD_CHECK(2, read(6, buf, sizeof(buf)) == 6 &&
			    !memcmp(buf, "line1\n", 6));
	CKPT_CHILD_CHECK(3, read(6, buf, sizeof(buf)) == 6 &&
			    !memcmp(buf, "line2\n", 6));
	CKPT_CHILD_CHECK(4, read(6, buf, sizeof(buf)) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(5, read_str(5, CANON_ECHO) && ckpt_nread(5) == 0);
	CKPT_CHILD_CHECK(6, write(5, "X\n", 2) == 2 && wait_nread(6, 6));
	CKPT_CHILD_CHECK(7, read(6, buf, sizeof(buf)) == 6 &&
			    !memcmp(buf, "partX\n", 6));
	CKPT_CHILD_CHECK(8, read_str(5, "X\r\n"));
	ckpt_child_log("all checks passed");
	return 0;
}

static int full_bytes, full_held;

static int r_full(void *arg)
{
	unsigned char buf[512];
	struct termios t;
	int i, n;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (open_pair(5, 6, O_NONBLOCK, O_NOCTTY) < 0 || tcgetattr(6, &t))
		return 80;
	cfmakeraw(&t);
	if (tcsetattr(6, TCSANOW, &t))
		return 81;
	for (;;) {
		for (i = 0; i < (int)sizeof(buf); i++)
			buf[i] = pat(3, full_bytes + i);
		n = write(5, buf, sizeof(buf));
		if (n <= 0 && errno == EAGAIN && !wait_nread(6, 4095))
			return 82;
		if (n <= 0 && errno == EAGAIN)
			break;
		if (n <= 0)
			return 83;
		full_bytes += n;
	}
	full_held = ckpt_nread(6);
	if (full_held != 4095 || full_bytes < 4095 + 4000)
		return 84;
	if (open_pair(7, 8, 0, O_NOCTTY) < 0 || write(8, "bye", 3) != 3 ||
	    !wait_nread(7, 3) || close(8))
		return 85;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, ckpt_nread(6) == full_held);
	CKPT_CHILD_CHECK(2, read_pat(6, 3, full_bytes));
	CKPT_CHILD_CHECK(3, !fcntl(6, F_SETFL, O_NONBLOCK) &&
			    read(6, buf, 1) < 0 && errno == EAGAIN);
	CKPT_CHILD_CHECK(4, read_str(7, "bye"));
	CKPT_CHILD_CHECK(5, read(7, buf, 1) < 0 && errno == EIO);
	ckpt_child_log("all checks passed: %d bytes", full_bytes);
	return 0;
}

static volatile sig_atomic_t got_int;

static void on_int(int sig)
{
	got_int++;
}

static int c_ctty(int unused)
{
	struct stat st;
	sigset_t set;
	int fd;

	CKPT_CHILD_CHECK(30, tcgetpgrp(6) == getpid());
	CKPT_CHILD_CHECK(31, tcgetsid(6) == getppid());
	fd = open("/dev/tty", O_RDWR);
	CKPT_CHILD_CHECK(32, fd >= 0 && !fstat(fd, &st) &&
			     st.st_rdev == makedev(5, 0) && !close(fd));
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGINT, on_int);
	CKPT_CHILD_CHECK(33, write(6, "c", 1) == 1);
	sigemptyset(&set);
	alarm(20);
	while (!got_int)
		sigsuspend(&set);
	return 0;
}

static int r_ctty(void *arg)
{
	int status;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	signal(SIGINT, on_int);
	if (setsid() < 0 || open_pair(5, 6, 0, 0) < 0 ||
	    tcgetsid(6) != getpid())
		return 80;
	c = ckpt_fork_child(c_ctty, 0, 6);
	if (c < 0 || setpgid(c, c) || tcsetpgrp(6, c))
		return 81;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, tcgetpgrp(5) == c && tcgetsid(6) == getpid());
	CKPT_CHILD_CHECK(2, !kill(c, SIGUSR1));
	CKPT_CHILD_CHECK(3, read_str(5, "c"));
	CKPT_CHILD_CHECK(4, write(5, "\x03", 1) == 1);
	CKPT_CHILD_CHECK(5, waitpid(c, &status, 0) == c);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ckpt_child_log("child %d: status %#x", c, status);
		return 6;
	}
	CKPT_CHILD_CHECK(7, !got_int);
	ckpt_child_log("all checks passed");
	return 0;
}

/* J: answer each line read from the terminal, until "quit" */
static int job_main(void)
{
	char line[64];
	ssize_t n;
	int i;

	/* Reading in the background would stop it: wait for the shell */
	for (i = 0; i < 5000 && tcgetpgrp(0) != getpid(); i++)
		usleep(1000);
	for (;;) {
		n = read(0, line, sizeof(line) - 1);
		if (n <= 0)
			return 10;
		line[n] = '\0';
		if (!strcmp(line, "quit\n"))
			return 0;
		if (dprintf(1, "got %s", line) < 0 || dprintf(3, "tty\n") != 4)
			return 11;
	}
}

/*
 * S: lead a session on the terminal @slave, start J in the foreground,
 * report its pid on @res; once J is killed, restart the image whose fd in
 * the test (@test) comes on @cmd with the flags that come next, report
 * the result and the exit status of the restored J
 */
/*
 * S's part of both shell tests: lead a session on the terminal @slave,
 * start J in the foreground, report its pid on @res and wait until it is
 * killed.  Returns the terminal's fd, or -1.
 */
static int shell_start_job(const char *slave, int res)
{
	int fd, st;
	pid_t j;

	if (setsid() < 0)
		return -1;
	fd = open(slave, O_RDWR);
	if (fd < 0 || tcgetsid(fd) != getpid())
		return -1;
	j = fork();
	if (j == 0) {
		setpgid(0, 0);
		if (ckpt_unmap_shared_anon() < 0)
			_exit(13);
		if (dup2(fd, 0) || dup2(fd, 1) != 1 || dup2(fd, 2) != 2)
			_exit(12);
		syscall(SYS_close_range, 3, ~0U, 0);
		if (open("/dev/tty", O_RDWR) != 3)
			_exit(14);
		_exit(job_main());
	}
	if (j < 0 || setpgid(j, j) || tcsetpgrp(fd, j) ||
	    write(res, &j, sizeof(j)) != sizeof(j) ||
	    waitpid(j, &st, 0) != j || !WIFSIGNALED(st))
		return -1;
	return fd;
}

static int shell_main(const char *slave, int cmd, int res, pid_t test)
{
	char path[64], log[CKPT_LOG_MAX];
	unsigned long flags;
	int fd, imgfd, st;
	long ret;

	fd = shell_start_job(slave, res);
	if (fd < 0)
		return 22;
	while (read(cmd, &imgfd, sizeof(imgfd)) == sizeof(imgfd) &&
	       read(cmd, &flags, sizeof(flags)) == sizeof(flags)) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", test, imgfd);
		imgfd = open(path, O_RDONLY);
		ret = imgfd < 0 ? -1 : ckpt_restart(imgfd, flags, log,
						    sizeof(log));
		if (ret < 0)
			ret = -errno;
		if (write(res, &ret, sizeof(ret)) != sizeof(ret))
			return 23;
		close(imgfd);
		if (ret > 0)
			return waitpid(ret, &st, 0) == ret && WIFEXITED(st) ?
			       WEXITSTATUS(st) : 24;
	}
	return 25;
}

/*
 * S of shell_job_stop: start J, then, once it is killed, run
 * "rstr --shell-job" on the image whose fd in the test comes on @cmd, as
 * a job in the foreground.  Each time rstr stops, report 1 and the
 * signal on @res, take the terminal, and on a byte on @cmd put rstr back
 * in the foreground and continue it (fg).  Report 2 and rstr's exit
 * status when it ends.
 */
static int shell_rstr_main(const char *slave, int cmd, int res, pid_t test)
{
	char path[64];
	int fd, imgfd, st, rep[2];
	pid_t r;
	char c;

	signal(SIGTTOU, SIG_IGN);
	fd = shell_start_job(slave, res);
	if (fd < 0 || read(cmd, &imgfd, sizeof(imgfd)) != sizeof(imgfd))
		return 22;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", test, imgfd);
	r = fork();
	if (r == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);
		/* As a shell's job: on the terminal, but for the pid */
		if (dup2(fd, 0) || dup2(fd, 2) != 2 ||
		    dup2(open("/dev/null", O_RDWR), 1) != 1)
			_exit(30);
		syscall(SYS_close_range, 3, ~0U, 0);
		execlp("rstr", "rstr", "--shell-job", "-i", path, NULL);
		_exit(31);
	}
	if (r < 0 || setpgid(r, r) || tcsetpgrp(fd, r))
		return 23;
	for (;;) {
		if (waitpid(r, &st, WUNTRACED) != r)
			return 24;
		if (!WIFSTOPPED(st))
			break;
		rep[0] = 1;
		rep[1] = WSTOPSIG(st);
		if (tcsetpgrp(fd, getpid()) ||
		    write(res, rep, sizeof(rep)) != sizeof(rep) ||
		    read(cmd, &c, 1) != 1 || tcsetpgrp(fd, r) ||
		    kill(-r, SIGCONT))
			return 25;
	}
	rep[0] = 2;
	rep[1] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return write(res, rep, sizeof(rep)) == sizeof(rep) ? 0 : 26;
}

/* Read @s from @fd, waiting up to 5 s for each part */
static int expect_str(int fd, const char *s)
{
	size_t n = strlen(s), got = 0;
	char buf[128];
	ssize_t r;

	while (got < n && n < sizeof(buf) && wait_in(fd)) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return 0;
		got += r;
	}
	return got == n && !memcmp(buf, s, n);
}

static int r_outside(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (open_pair(5, 6, 0, O_NOCTTY) < 0)
		return 80;
	ckpt_go_wait(1);
	return 0;
}

/* C of dev_tty: in a session of its own, with R's /dev/tty file at fd 7 */
static int c_dev_tty(void)
{
	struct stat st;

	CKPT_CHILD_CHECK(40, getsid(0) == getpid());
	CKPT_CHILD_CHECK(41, open("/dev/tty", O_RDWR) < 0 && errno == ENXIO);
	CKPT_CHILD_CHECK(42, !fstat(7, &st) && st.st_rdev == makedev(5, 0));
	CKPT_CHILD_CHECK(43, write(7, "c", 1) == 1);
	return 0;
}

/* Fork C, which leaves the session and keeps fds 0 to 7; its pid or -1 */
static pid_t fork_c_dev_tty(void)
{
	sigset_t set, old;
	int s[2];
	pid_t c;
	char x;

	/* blocked until C waits for it, as ckpt_fork_child() does */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (pipe(s))
		return -1;
	c = fork();
	if (c == 0) {
		close(s[0]);
		if (setsid() < 0 || write(s[1], "x", 1) != 1)
			_exit(90);
		syscall(SYS_close_range, 8, ~0U, 0);
		ckpt_go_wait(0);
		_exit(c_dev_tty());
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(s[1]);
	if (c < 0 || read(s[0], &x, 1) != 1)
		c = -1;
	close(s[0]);
	return c;
}

static int r_dev_tty(void *arg)
{
	char buf[8];
	struct stat st7, st8;
	int fd, status;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (setsid() < 0 || open_pair(5, 6, 0, 0) < 0)
		return 80;
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0 || ckpt_put_fd(fd, 7))
		return 81;
	fd = open("/dev/tty", O_RDONLY | O_NONBLOCK);
	if (fd < 0 || ckpt_put_fd(fd, 8))
		return 82;
	c = fork_c_dev_tty();
	if (c < 0)
		return 83;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, !fstat(7, &st7) && !fstat(8, &st8) &&
			    st7.st_rdev == makedev(5, 0) &&
			    st8.st_rdev == makedev(5, 0));
	CKPT_CHILD_CHECK(2, fcntl(8, F_GETFL) & O_NONBLOCK &&
			    read(8, buf, sizeof(buf)) < 0 && errno == EAGAIN);
	/* the files are of the pair, R's terminal again */
	CKPT_CHILD_CHECK(3, tcgetsid(7) == getpid() &&
			    tcgetpgrp(8) == getpgrp());
	CKPT_CHILD_CHECK(4, !kill(c, SIGUSR1) && waitpid(c, &status, 0) == c);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ckpt_child_log("child %d: status %#x", c, status);
		return 5;
	}
	CKPT_CHILD_CHECK(6, read_str(5, "c"));
	CKPT_CHILD_CHECK(7, write(7, "r", 1) == 1 && read_str(5, "r"));
	CKPT_CHILD_CHECK(8, write(5, "in\n", 3) == 3 && wait_in(8) &&
			    read(8, buf, sizeof(buf)) == 3 &&
			    !memcmp(buf, "in\n", 3));
	ckpt_child_log("all checks passed");
	return 0;
}

static int r_master_rdonly(void *arg)
{
	int fd;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	fd = open("/dev/ptmx", O_RDONLY | O_NOCTTY);
	if (fd < 0 || ckpt_put_fd(fd, 5))
		return 80;
	ckpt_go_wait(1);
	return 0;
}

FIXTURE(pty) {
	char dir[64];
	char log[128];
	char klog[CKPT_LOG_MAX];
	pid_t pids[2];
	int nr_pids;
	int imgfd;
};

FIXTURE_SETUP(pty)
{
	self->nr_pids = 0;
	self->imgfd = -1;
	strcpy(self->dir, "/tmp/ckpt-pty.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s/log", self->dir);
	ASSERT_EQ(0, ckpt_become_subreaper());
}

FIXTURE_TEARDOWN(pty)
{
	ckpt_kill_tree(self->pids, self->nr_pids, TMO_REAP);
	if (self->imgfd >= 0)
		close(self->imgfd);
	unlink(self->log);
	rmdir(self->dir);
}

/* Spawn the root, wait until it is ready, and find its @nr children */
static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(pty) *self, int (*fn)(void *), int nr)
{
	self->pids[0] = ckpt_spawn(fn, NULL, self->log);
	ASSERT_GT(self->pids[0], 0);
	self->nr_pids = 1;
	ASSERT_EQ(0, ckpt_wait_ready(self->pids[0], TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(nr, ckpt_children_of(self->pids[0], self->pids + 1, 1));
	self->nr_pids = 1 + nr;
}

/* ckptinfo decodes and accepts the image in @imgfd */
static void ckptinfo_ok(struct __test_metadata *_metadata, int imgfd)
{
	EXPECT_EQ(0, ckpt_ckptinfo(imgfd)) {
		ckpt_dump_log("/tmp/ckptinfo.err");
	}
}

/* Checkpoint with CKPT_KILL, reap the tree, restart the image */
static void cycle(struct __test_metadata *_metadata, FIXTURE_DATA(pty) *self)
{
	int status[2], i;
	long ret;

	ASSERT_LT(0, ckpt_checkpoint(self->pids[0], CKPT_KILL, &self->imgfd,
				     self->klog, sizeof(self->klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), self->klog);
	}
	ASSERT_EQ(0, ckpt_reap_pids(self->pids, self->nr_pids, status,
				    TMO_REAP));
	/*
	 * A session leader that dies hangs up its terminal: the foreground
	 * group may die of that SIGHUP before its SIGKILL
	 */
	for (i = 0; i < self->nr_pids; i++)
		ASSERT_TRUE(WIFSIGNALED(status[i]) &&
			    (WTERMSIG(status[i]) == SIGKILL ||
			     (i && WTERMSIG(status[i]) == SIGHUP)));
	ckptinfo_ok(_metadata, self->imgfd);
	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	ASSERT_EQ(self->pids[0], ret) {
		TH_LOG("restart: %s: %s", strerror(errno), self->klog);
	}
	ASSERT_EQ(self->nr_pids - 1,
		  ckpt_children_of(self->pids[0], self->pids + 1, 1));
}

/* Append the link and fdinfo flags of fds @lo to @hi of @pid to @out */
static void fds_of(struct __test_metadata *_metadata, pid_t pid, int lo,
		   int hi, char *out, size_t size)
{
	char name[32], buf[512], link[PATH_MAX], flags[32];
	size_t len = strlen(out);
	int fd;

	for (fd = lo; fd <= hi; fd++) {
		ASSERT_EQ(0, ckpt_fd_link(pid, fd, link, sizeof(link)));
		snprintf(name, sizeof(name), "fdinfo/%d", fd);
		ASSERT_LT(0, ckpt_proc_read(pid, name, buf, sizeof(buf)));
		ASSERT_EQ(0, ckpt_proc_field(buf, "flags", flags,
					     sizeof(flags)));
		len += snprintf(out + len, size - len, "%d %s %s; ", fd, link,
				flags);
	}
}

/* pgrp, session, tty_nr and tpgid from /proc/@pid/stat */
static void stat_tty(struct __test_metadata *_metadata, pid_t pid, char *out,
		     size_t size)
{
	char buf[1024], *p;
	int pgrp, session, tty_nr, tpgid;

	ASSERT_LT(0, ckpt_proc_read(pid, "stat", buf, sizeof(buf)));
	p = strrchr(buf, ')');
	ASSERT_NE(NULL, p);
	ASSERT_EQ(4, sscanf(p + 2, "%*c %*d %d %d %d %d", &pgrp, &session,
			    &tty_nr, &tpgid));
	snprintf(out, size, "pgrp %d session %d tty_nr %#x tpgid %d", pgrp,
		 session, tty_nr, tpgid);
}

/*
 * R's and C's views before (@r0, @c0) and after (@r1, @c1) the cycle are
 * the same; then R checks its state and must exit 0
 */
static void same_after(struct __test_metadata *_metadata,
		       FIXTURE_DATA(pty) *self, const char *r0, const char *r1,
		       const char *c0, const char *c1)
{
	TH_LOG("R: %s", r1);
	TH_LOG("C: %s", c1);
	EXPECT_STREQ(r0, r1);
	EXPECT_STREQ(c0, c1);
	ckpt_expect_exit0(_metadata, self->pids[0], self->log, TMO_EXIT);
	self->nr_pids = 0;
}

/* fds 5 to @hi of @pid, then its terminal fields, into @out */
static void fds_and_tty(struct __test_metadata *_metadata, pid_t pid, int hi,
			char *out, size_t size)
{
	size_t len;

	fds_of(_metadata, pid, 5, hi, out, size);
	len = strlen(out);
	stat_tty(_metadata, pid, out + len, size - len);
}

TEST_F_TIMEOUT(pty, pair, 120)
{
	char r0[512] = "", c0[512] = "", r1[512] = "", c1[512] = "";

	start(_metadata, self, r_pair, 1);
	fds_of(_metadata, self->pids[0], 5, 5, r0, sizeof(r0));
	fds_of(_metadata, self->pids[0], 7, 8, r0, sizeof(r0));
	fds_of(_metadata, self->pids[1], 5, 6, c0, sizeof(c0));
	cycle(_metadata, self);
	fds_of(_metadata, self->pids[0], 5, 5, r1, sizeof(r1));
	fds_of(_metadata, self->pids[0], 7, 8, r1, sizeof(r1));
	fds_of(_metadata, self->pids[1], 5, 6, c1, sizeof(c1));
	same_after(_metadata, self, r0, r1, c0, c1);
}

/* A root alone through a cycle: its fds 5 to @hi are the same after */
static void root_cycle(struct __test_metadata *_metadata,
		       FIXTURE_DATA(pty) *self, int (*fn)(void *), int hi)
{
	char r0[512] = "", r1[512] = "";

	start(_metadata, self, fn, 0);
	fds_of(_metadata, self->pids[0], 5, hi, r0, sizeof(r0));
	cycle(_metadata, self);
	fds_of(_metadata, self->pids[0], 5, hi, r1, sizeof(r1));
	EXPECT_STREQ(r0, r1);
	ckpt_expect_exit0(_metadata, self->pids[0], self->log, TMO_EXIT);
	self->nr_pids = 0;
}

TEST_F_TIMEOUT(pty, canon, 120)
{
	root_cycle(_metadata, self, r_canon, 6);
}

TEST_F_TIMEOUT(pty, full, 120)
{
	root_cycle(_metadata, self, r_full, 7);
}

TEST_F_TIMEOUT(pty, ctty, 120)
{
	char r0[128], c0[128], r1[128], c1[128];

	start(_metadata, self, r_ctty, 1);
	stat_tty(_metadata, self->pids[0], r0, sizeof(r0));
	stat_tty(_metadata, self->pids[1], c0, sizeof(c0));
	cycle(_metadata, self);
	stat_tty(_metadata, self->pids[0], r1, sizeof(r1));
	stat_tty(_metadata, self->pids[1], c1, sizeof(c1));
	same_after(_metadata, self, r0, r1, c0, c1);
}

/* checkpoint() of the tree fails with EOPNOTSUPP naming @what */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(pty) *self, const char *what)
{
	char who[64];
	int fd = -1;

	EXPECT_EQ(-1, ckpt_checkpoint(self->pids[0], CKPT_KILL, &fd,
				      self->klog, sizeof(self->klog)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	TH_LOG("%s", self->klog);
	snprintf(who, sizeof(who), "pid %d: fd ", self->pids[0]);
	EXPECT_NE(NULL, strstr(self->klog, who));
	EXPECT_NE(NULL, strstr(self->klog, what));
	if (fd >= 0)
		close(fd);
	/* Released, it goes back to its wait */
	EXPECT_EQ('S', ckpt_wait_state(self->pids[0], 'S', 5000));
}

TEST_F_TIMEOUT(pty, outside, 120)
{
	char path[64];
	int fd;

	start(_metadata, self, r_outside, 0);
	snprintf(path, sizeof(path), "/proc/%d/fd/6", self->pids[0]);
	fd = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd);
	refused(_metadata, self, "also open in a task outside the tree");
	close(fd);
	ckpt_expect_exit0(_metadata, self->pids[0], self->log, TMO_EXIT);
	self->nr_pids = 0;
}

/* A new pair for a shell test: the master's fd, the slave's name */
static int open_shell_pair(char *slave, size_t size)
{
	int m, n;

	m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m < 0 || unlockpt(m) || ioctl(m, TIOCGPTN, &n)) {
		close(m);
		return -1;
	}
	snprintf(slave, size, "/dev/pts/%d", n);
	return m;
}

typedef int (*shell_fn)(const char *slave, int cmd, int res, pid_t test);

/*
 * Start the "shell" @fn on a new pair, with pipes to tell it things
 * (@cmd) and hear from it (@res), and have its job J answer a line.
 * Returns J's pid; the master is in *@m.
 */
static pid_t start_shell(struct __test_metadata *_metadata,
			 FIXTURE_DATA(pty) *self, shell_fn fn, int *m,
			 int cmd[2], int res[2])
{
	char slave[64];
	pid_t shell, job = -1;

	*m = open_shell_pair(slave, sizeof(slave));
	ASSERT_LE(0, *m) {
		return -1;
	}
	ASSERT_EQ(0, pipe(cmd)) {
		return -1;
	}
	ASSERT_EQ(0, pipe(res)) {
		return -1;
	}
	shell = fork();
	ASSERT_LE(0, shell) {
		return -1;
	}
	if (shell == 0) {
		close(*m);
		close(cmd[1]);
		close(res[0]);
		_exit(fn(slave, cmd[0], res[1], getppid()));
	}
	self->pids[0] = shell;
	self->nr_pids = 1;
	close(cmd[0]);
	close(res[1]);
	ASSERT_EQ((ssize_t)sizeof(job), read(res[0], &job, sizeof(job))) {
		return -1;
	}
	ASSERT_EQ(4, write(*m, "one\n", 4)) {
		return -1;
	}
	ASSERT_TRUE(expect_str(*m, "one\r\ngot one\r\ntty\r\n")) {
		return -1;
	}
	return job;
}

TEST_F_TIMEOUT(pty, shell_job, 120)
{
	char r0[128], r1[128];
	char l0[PATH_MAX], l1[PATH_MAX], d0[PATH_MAX], d1[PATH_MAX];
	int m = -1, cmd[2], res[2], status, st;
	unsigned long flags;
	pid_t shell, job;
	long ret;

	job = start_shell(_metadata, self, shell_main, &m, cmd, res);
	ASSERT_LT(0, job);
	shell = self->pids[0];
	stat_tty(_metadata, job, r0, sizeof(r0));
	ASSERT_EQ(0, ckpt_fd_link(job, 0, l0, sizeof(l0)));
	ASSERT_EQ(0, ckpt_fd_link(job, 3, d0, sizeof(d0)));

	ASSERT_LT(0, ckpt_checkpoint(job, CKPT_KILL | CKPT_SHELL_JOB,
				     &self->imgfd, self->klog,
				     sizeof(self->klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), self->klog);
	}
	ckptinfo_ok(_metadata, self->imgfd);
	for (flags = 0; flags <= RSTR_SHELL_JOB; flags += RSTR_SHELL_JOB) {
		ASSERT_EQ((ssize_t)sizeof(int), write(cmd[1], &self->imgfd, sizeof(int)));
		ASSERT_EQ((ssize_t)sizeof(flags), write(cmd[1], &flags, sizeof(flags)));
		ASSERT_EQ((ssize_t)sizeof(ret), read(res[0], &ret, sizeof(ret)));
		EXPECT_EQ(flags ? job : -EINVAL, ret);
	}
	stat_tty(_metadata, job, r1, sizeof(r1));
	ASSERT_EQ(0, ckpt_fd_link(job, 0, l1, sizeof(l1)));
	ASSERT_EQ(0, ckpt_fd_link(job, 3, d1, sizeof(d1)));
	EXPECT_STREQ("/dev/tty", d0);
	EXPECT_STREQ(d0, d1);
	TH_LOG("J: %s, fd 0 %s", r1, l1);
	EXPECT_STREQ(r0, r1);
	EXPECT_STREQ(l0, l1);
	EXPECT_EQ(4, write(m, "two\n", 4));
	EXPECT_TRUE(expect_str(m, "two\r\ngot two\r\ntty\r\n"));
	EXPECT_EQ(5, write(m, "quit\n", 5));
	ASSERT_EQ(shell, ckpt_waitpid(shell, &status, TMO_EXIT));
	self->nr_pids = 0;
	st = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	EXPECT_EQ(0, st);
	close(m);
	close(cmd[1]);
	close(res[0]);
}

TEST_F_TIMEOUT(pty, shell_job_stop, 120)
{
	int m = -1, cmd[2], res[2], rep[2], status;
	pid_t shell, job;

	job = start_shell(_metadata, self, shell_rstr_main, &m, cmd, res);
	ASSERT_LT(0, job);
	shell = self->pids[0];
	ASSERT_LT(0, ckpt_checkpoint(job, CKPT_KILL | CKPT_SHELL_JOB,
				     &self->imgfd, self->klog,
				     sizeof(self->klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), self->klog);
	}
	ASSERT_EQ((ssize_t)sizeof(int),
		  write(cmd[1], &self->imgfd, sizeof(int)));

	/* rstr restored J in the foreground */
	ASSERT_EQ(4, write(m, "two\n", 4));
	ASSERT_TRUE(expect_str(m, "two\r\ngot two\r\ntty\r\n"));
	EXPECT_EQ(job, tcgetpgrp(m));

	/* ^Z stops J, then rstr by the same signal: S has the terminal */
	ASSERT_EQ(1, write(m, "\x1a", 1));
	ASSERT_EQ(1, poll(&(struct pollfd){ .fd = res[0], .events = POLLIN },
			  1, TMO_READY)) {
		TH_LOG("rstr did not stop with its job");
	}
	ASSERT_EQ((ssize_t)sizeof(rep), read(res[0], rep, sizeof(rep)));
	EXPECT_EQ(1, rep[0]);
	EXPECT_EQ(SIGTSTP, rep[1]);
	EXPECT_EQ('T', ckpt_wait_state(job, 'T', TMO_READY));
	EXPECT_EQ(shell, tcgetpgrp(m));
	EXPECT_TRUE(expect_str(m, "^Z"));

	/* fg: rstr continues J in the foreground */
	ASSERT_EQ(1, write(cmd[1], "f", 1));
	EXPECT_EQ('S', ckpt_wait_state(job, 'S', TMO_READY));
	EXPECT_EQ(job, tcgetpgrp(m));
	ASSERT_EQ(6, write(m, "three\n", 6));
	EXPECT_TRUE(expect_str(m, "three\r\ngot three\r\ntty\r\n"));

	/* J's status is rstr's */
	ASSERT_EQ(5, write(m, "quit\n", 5));
	ASSERT_EQ((ssize_t)sizeof(rep), read(res[0], rep, sizeof(rep)));
	EXPECT_EQ(2, rep[0]);
	EXPECT_EQ(0, rep[1]);
	ASSERT_EQ(shell, ckpt_waitpid(shell, &status, TMO_EXIT));
	self->nr_pids = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("S: status %#x", status);
	}
	close(m);
	close(cmd[1]);
	close(res[0]);
}

TEST_F_TIMEOUT(pty, dev_tty, 120)
{
	char r0[512] = "", c0[512] = "", r1[512] = "", c1[512] = "";

	start(_metadata, self, r_dev_tty, 1);
	fds_and_tty(_metadata, self->pids[0], 8, r0, sizeof(r0));
	fds_and_tty(_metadata, self->pids[1], 7, c0, sizeof(c0));
	cycle(_metadata, self);
	fds_and_tty(_metadata, self->pids[0], 8, r1, sizeof(r1));
	fds_and_tty(_metadata, self->pids[1], 7, c1, sizeof(c1));
	same_after(_metadata, self, r0, r1, c0, c1);
}

TEST_F_TIMEOUT(pty, master_rdonly, 120)
{
	start(_metadata, self, r_master_rdonly, 0);
	refused(_metadata, self, "a master not open for reading and writing");
	ckpt_expect_exit0(_metadata, self->pids[0], self->log, TMO_EXIT);
	self->nr_pids = 0;
}

TEST_HARNESS_MAIN
