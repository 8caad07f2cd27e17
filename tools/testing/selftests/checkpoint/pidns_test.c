// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of a whole pid namespace (a container).
 *
 * A child of the test unshares its pid namespace and forks the init of
 * the new namespace (pid 1), which starts a session and forks A (pid 2,
 * leading its own process group) and D (pid 4); A forks B (pid 3, in A's
 * group).  Each reports "pid ppid pgid sid" as its namespace sees them,
 * in a file named after its role.  The test checkpoints the init, which
 * kills the namespace, restarts the image into a new pid namespace and
 * makes every process report again: the reports must be the same, byte
 * for byte.  A restart without RSTR_PIDNS, and a checkpoint of a process
 * of the namespace other than its init, are refused.
 */
#include <sched.h>
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define NR_ROLES	4
#define TMO_MS		20000

static const char * const roles[NR_ROLES] = { "init", "A", "B", "D" };
static const char * const want[NR_ROLES] = {
	"1 0 1 1\n", "2 1 2 1\n", "3 2 2 1\n", "4 1 1 1\n",
};

static const char *report_dir;
static volatile sig_atomic_t got_usr1, got_term;
static pid_t kids[2];
static int nr_kids, generation;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void report(const char *role)
{
	char path[128], tmp[136], line[64];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s.%d", report_dir, role, generation);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	n = snprintf(line, sizeof(line), "%d %d %d %d\n", getpid(), getppid(),
		     getpgid(0), getsid(0));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, line, n) != n || close(fd) || rename(tmp, path))
		_exit(10);
	generation++;
}

/* Report, then on SIGUSR1 pass it on and report again; SIGTERM ends */
static void serve(const char *role)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, none;
	int i, status, ok = 1;

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	report(role);
	for (;;) {
		while (!got_usr1 && !got_term)
			sigsuspend(&none);
		if (got_term)
			break;
		got_usr1 = 0;
		for (i = 0; i < nr_kids; i++)
			kill(kids[i], SIGUSR1);
		report(role);
	}
	for (i = 0; i < nr_kids; i++) {
		kill(kids[i], SIGTERM);
		if (waitpid(kids[i], &status, 0) != kids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			ok = 0;
	}
	_exit(ok ? 0 : 11);
}

static pid_t start(const char *role, void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		nr_kids = 0;
		fn();
		serve(role);
	}
	if (pid > 0)
		kids[nr_kids++] = pid;
	return pid;
}

static void b_fn(void)
{
}

static void a_fn(void)
{
	if (setpgid(0, 0) || start("B", b_fn) < 0)
		_exit(12);
}

static void d_fn(void)
{
}

static int container_parent(void *arg)
{
	int status;
	pid_t init;

	report_dir = arg;
	if (ckpt_unmap_shared_anon() < 0 || unshare(CLONE_NEWPID))
		return 20;
	init = fork();
	if (init == 0) {
		char path[128];
		int t;

		/* pid 1 of the new namespace; D after B, for fixed pids */
		snprintf(path, sizeof(path), "%s/A.0", report_dir);
		if (setsid() < 0 || start("A", a_fn) < 0)
			_exit(21);
		for (t = 0; t < 2000 && access(path, F_OK); t++)
			usleep(10000);
		if (start("D", d_fn) < 0)
			_exit(21);
		serve("init");
	}
	if (init < 0 || waitpid(init, &status, 0) != init)
		return 22;
	return 0;
}

FIXTURE(pidns) {
	char dir[64];
	char logpath[96];
	pid_t parent, init;
};

FIXTURE_SETUP(pidns)
{
	strcpy(self->dir, "/tmp/ckpt-pidns.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->logpath, sizeof(self->logpath), "%s/parent.log",
		 self->dir);
	self->parent = -1;
	self->init = -1;
}

FIXTURE_TEARDOWN(pidns)
{
	char cmd[128];

	if (self->init > 0)
		kill(self->init, SIGKILL);
	if (self->parent > 0)
		kill(self->parent, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* Wait until every role wrote its report number @gen; 0 or -1 */
static int wait_reports(const char *dir, int gen)
{
	char path[128];
	int i, t;

	for (t = 0; t < TMO_MS / 10; t++) {
		for (i = 0; i < NR_ROLES; i++) {
			snprintf(path, sizeof(path), "%s/%s.%d", dir, roles[i],
				 gen);
			if (access(path, F_OK))
				break;
		}
		if (i == NR_ROLES)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void read_report(const char *dir, int role, int gen, char *buf,
			size_t size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s.%d", dir, roles[role], gen);
	buf[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		ckpt_read_all(fd, buf, size);
		close(fd);
	}
}

/* The first child of @pid */
static pid_t first_child(pid_t pid)
{
	char name[40], buf[256];

	snprintf(name, sizeof(name), "task/%d/children", pid);
	if (ckpt_proc_read(pid, name, buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

TEST_F_TIMEOUT(pidns, whole_namespace, 120)
{
	char log[CKPT_LOG_MAX], got[64];
	int imgfd, i, status;
	pid_t pid, a;
	long ret;

	self->parent = ckpt_spawn(container_parent, self->dir, self->logpath);
	ASSERT_LT(0, self->parent);
	ASSERT_EQ(0, wait_reports(self->dir, 0)) {
		ckpt_dump_log(self->logpath);
	}
	self->init = first_child(self->parent);
	ASSERT_LT(0, self->init);
	for (i = 0; i < NR_ROLES; i++) {
		read_report(self->dir, i, 0, got, sizeof(got));
		ASSERT_STREQ(want[i], got) {
			TH_LOG("%s reported %s", roles[i], got);
		}
	}

	/* A process of the namespace that is not its init: refused */
	a = first_child(self->init);
	ASSERT_LT(0, a);
	ret = ckpt_checkpoint(a, 0, &imgfd, log, sizeof(log));
	close(imgfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_NE(NULL, strstr(log, "namespace")) {
		TH_LOG("log: %s", log);
	}

	/* The whole namespace: its init dies with CKPT_KILL, and so do all */
	ret = ckpt_checkpoint(self->init, CKPT_KILL, &imgfd, log, sizeof(log));
	ASSERT_LT(0, ret) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	ASSERT_EQ(self->parent, ckpt_waitpid(self->parent, &status, TMO_MS));
	self->parent = -1;
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Not into the restarter's namespace */
	pid = ckpt_restart(imgfd, 0, log, sizeof(log));
	EXPECT_EQ(-1, pid);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(NULL, strstr(log, "RSTR_PIDNS")) {
		TH_LOG("log: %s", log);
	}

	pid = ckpt_restart(imgfd, RSTR_PIDNS, log, sizeof(log));
	close(imgfd);
	ASSERT_LT(0, pid) {
		TH_LOG("restart: %s; log: %s", strerror(errno), log);
	}
	self->init = pid;
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(0, wait_reports(self->dir, 1));
	for (i = 0; i < NR_ROLES; i++) {
		read_report(self->dir, i, 1, got, sizeof(got));
		EXPECT_STREQ(want[i], got) {
			TH_LOG("restored %s reported %s", roles[i], got);
		}
	}
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_MS));
	self->init = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("restored init: status %#x", status);
	}
}

TEST_HARNESS_MAIN
