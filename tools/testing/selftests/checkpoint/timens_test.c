// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of the clocks that count from a boot, and of a tree
 * in a time namespace.
 *
 * Each test starts a child R that reads CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME (through the vdso and the system call) before it reports
 * ready; restored, it reads them again: they must not be earlier, nor
 * more than a minute later, and the vdso and the system call must agree.
 *
 * timens: the test enters a time namespace for its children whose
 * offsets put CLOCK_MONOTONIC 100000 s and CLOCK_BOOTTIME 200000 s ahead,
 * starts R in it, and returns its own children to its time namespace
 * (setns()).  Restarted by the test, whose children would see the clocks
 * a day behind what R saw, R is in a new time namespace (not the test's)
 * with offsets within a second of the original ones
 * (/proc/PID/timens_offsets), and its clocks go on.
 *
 * same_boot: R in the test's time namespace is restored into it: the
 * clocks did not go back, no time namespace is needed.
 *
 * no_sys_admin: as timens, but the restart is made by a child of the
 * test that kept CAP_CHECKPOINT_RESTORE (enough to choose pids) and
 * dropped CAP_SYS_ADMIN, which a new time namespace needs: restart()
 * fails with EPERM and a message about the time namespace, and no
 * process with R's pid is left.
 *
 * pending: R called unshare(CLONE_NEWTIME) and did not fork since: its
 * children would be in another time namespace than itself, which an
 * image does not hold.  checkpoint() fails with EOPNOTSUPP naming R's
 * pid, and R runs on.
 */
#include <sched.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif

#define TMO_MS		20000
#define MONO_OFF	100000LL	/* seconds */
#define BOOT_OFF	200000LL
#define LATER_MAX_NS	(60LL * 1000000000LL)

/* @clk through the vdso, bracketing the system call's; or -1 */
static long long clock_ns(clockid_t clk)
{
	struct timespec v1, s, v2;

	if (clock_gettime(clk, &v1) || syscall(SYS_clock_gettime, clk, &s) ||
	    clock_gettime(clk, &v2))
		return -1;
	if (ckpt_ts_ns(&v1) > ckpt_ts_ns(&s) || ckpt_ts_ns(&s) > ckpt_ts_ns(&v2))
		return -1;
	return ckpt_ts_ns(&s);
}

/* Not earlier than @before, and not much later */
static int clock_goes_on(clockid_t clk, long long before)
{
	long long now = clock_ns(clk);

	ckpt_child_log("clock %d: %lld ns before, %lld ns after", clk, before,
		       now);
	return now >= before && now - before < LATER_MAX_NS;
}

static int r_clocks(void *arg)
{
	long long mono, boot;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	mono = clock_ns(CLOCK_MONOTONIC);
	boot = clock_ns(CLOCK_BOOTTIME);
	if (mono < 0 || boot < 0)
		return 80;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, clock_goes_on(CLOCK_MONOTONIC, mono));
	CKPT_CHILD_CHECK(2, clock_goes_on(CLOCK_BOOTTIME, boot));
	ckpt_child_log("all checks passed");
	return 0;
}

static int r_pending(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (unshare(CLONE_NEWTIME))
		return 80;
	ckpt_go_wait(1);
	return 0;
}

/* The offsets of @pid's time namespace, in seconds; 0 or -1 */
static int timens_offsets(pid_t pid, long long *mono, long long *boot)
{
	char buf[256], *p;
	long long s;
	int n = 0;

	if (ckpt_proc_read(pid, "timens_offsets", buf, sizeof(buf)) <= 0)
		return -1;
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		if (sscanf(p, "monotonic %lld", &s) == 1)
			*mono = s, n++;
		else if (sscanf(p, "boottime %lld", &s) == 1)
			*boot = s, n++;
	}
	return n == 2 ? 0 : -1;
}

static int same_link(pid_t a, pid_t b, const char *name)
{
	char la[64], lb[64];

	return !ckpt_proc_link(a, name, la, sizeof(la)) &&
	       !ckpt_proc_link(b, name, lb, sizeof(lb)) && !strcmp(la, lb);
}

/* Children of the caller in a time namespace with MONO_OFF and BOOT_OFF */
static int enter_timens_for_children(void)
{
	char offs[128];
	int fd, n;

	if (unshare(CLONE_NEWTIME))
		return -1;
	n = snprintf(offs, sizeof(offs), "monotonic %lld 0\nboottime %lld 0\n",
		     MONO_OFF, BOOT_OFF);
	fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd < 0)
		return -1;
	if (write(fd, offs, n) != n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Back to creating children in the caller's own time namespace */
static int leave_timens_for_children(void)
{
	int fd = open("/proc/self/ns/time", O_RDONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = setns(fd, CLONE_NEWTIME);
	close(fd);
	return ret;
}

/* Drop CAP_SYS_ADMIN from the effective and permitted sets; 0 or -1 */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d);
}

/*
 * Restart the image at @imgfd without CAP_SYS_ADMIN, in a child; it
 * exits 0 if restart() failed with EPERM naming the time namespace.
 */
static int restart_no_sys_admin(int imgfd)
{
	char log[CKPT_LOG_MAX];
	long ret;

	if (drop_sys_admin())
		return 2;
	ret = ckpt_restart(imgfd, 0, log, sizeof(log));
	fprintf(stderr, "# restart without CAP_SYS_ADMIN: %ld (%s): %s\n",
		ret, ret < 0 ? strerror(errno) : "", log);
	if (ret != -1 || errno != EPERM)
		return 3;
	return strstr(log, "time namespace") ? 0 : 4;
}

FIXTURE(timens) {
	char log[64];
	pid_t pid;
	int imgfd;
};

FIXTURE_SETUP(timens)
{
	snprintf(self->log, sizeof(self->log), "/tmp/ckpt-timens.%d.log",
		 getpid());
	self->pid = -1;
	self->imgfd = -1;
}

FIXTURE_TEARDOWN(timens)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	unlink(self->log);
}

static void start(struct __test_metadata *_metadata,
		  FIXTURE_DATA(timens) *self, int (*fn)(void *))
{
	self->pid = ckpt_spawn(fn, NULL, self->log);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_MS)) {
		ckpt_dump_log(self->log);
	}
}

static void cycle(struct __test_metadata *_metadata,
		  FIXTURE_DATA(timens) *self)
{
	char klog[CKPT_LOG_MAX];
	pid_t pid;

	pid = ckpt_cycle(self->pid, &self->imgfd, klog, sizeof(klog));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart: %s; log: %s", strerror(errno),
		       klog);
		self->pid = -1;
	}
	EXPECT_EQ(0, ckpt_ckptinfo(self->imgfd)) {
		ckpt_dump_log("/tmp/ckptinfo.err");
	}
}

TEST_F_TIMEOUT(timens, timens, 120)
{
	long long m0 = 0, b0 = 0, m1 = 0, b1 = 0;

	if (access("/proc/self/timens_offsets", F_OK))
		SKIP(return, "no time namespaces in this kernel");
	ASSERT_EQ(0, enter_timens_for_children());
	start(_metadata, self, r_clocks);
	ASSERT_EQ(0, leave_timens_for_children());
	ASSERT_EQ(0, timens_offsets(self->pid, &m0, &b0));
	ASSERT_EQ(MONO_OFF, m0);
	ASSERT_EQ(BOOT_OFF, b0);
	ASSERT_FALSE(same_link(self->pid, getpid(), "ns/time"));

	cycle(_metadata, self);
	ASSERT_EQ(0, timens_offsets(self->pid, &m1, &b1));
	TH_LOG("offsets after the restart: monotonic %lld s, boottime %lld s",
	       m1, b1);
	EXPECT_LE(MONO_OFF - 1, m1);
	EXPECT_GE(MONO_OFF + 1, m1);
	EXPECT_LE(BOOT_OFF - 1, b1);
	EXPECT_GE(BOOT_OFF + 1, b1);
	EXPECT_FALSE(same_link(self->pid, getpid(), "ns/time"));
	ckpt_expect_exit0(_metadata, self->pid, self->log, TMO_MS);
	self->pid = -1;
}

TEST_F_TIMEOUT(timens, no_sys_admin, 120)
{
	char klog[CKPT_LOG_MAX];
	int status;
	pid_t r;

	if (access("/proc/self/timens_offsets", F_OK))
		SKIP(return, "no time namespaces in this kernel");
	ASSERT_EQ(0, enter_timens_for_children());
	start(_metadata, self, r_clocks);
	ASSERT_EQ(0, leave_timens_for_children());
	ASSERT_LT(0, ckpt_checkpoint(self->pid, CKPT_KILL, &self->imgfd, klog,
				     sizeof(klog))) {
		TH_LOG("checkpoint: %s: %s", strerror(errno), klog);
	}
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, TMO_MS));
	r = fork();
	ASSERT_LE(0, r);
	if (r == 0)
		_exit(restart_no_sys_admin(self->imgfd));
	ASSERT_EQ(r, ckpt_waitpid(r, &status, TMO_MS));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("restarter: status %#x", status);
	}
	/* Nothing half restored */
	EXPECT_EQ(-1, kill(self->pid, 0));
	EXPECT_EQ(ESRCH, errno);
	self->pid = -1;
}

TEST_F_TIMEOUT(timens, same_boot, 120)
{
	start(_metadata, self, r_clocks);
	ASSERT_TRUE(same_link(self->pid, getpid(), "ns/time"));
	cycle(_metadata, self);
	EXPECT_TRUE(same_link(self->pid, getpid(), "ns/time"));
	ckpt_expect_exit0(_metadata, self->pid, self->log, TMO_MS);
	self->pid = -1;
}

TEST_F_TIMEOUT(timens, pending, 120)
{
	char klog[CKPT_LOG_MAX];
	int imgfd, err;
	long ret;

	if (access("/proc/self/timens_offsets", F_OK))
		SKIP(return, "no time namespaces in this kernel");
	start(_metadata, self, r_pending);
	ret = ckpt_checkpoint(self->pid, CKPT_KILL, &imgfd, klog,
			      sizeof(klog));
	err = errno;
	close(imgfd);
	ASSERT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err);
	TH_LOG("kernel log: %s", klog);
	EXPECT_TRUE(ckpt_has_num(klog, "pid ", self->pid));
	EXPECT_NE(NULL, strstr(klog, "time namespace"));
	EXPECT_EQ('S', ckpt_wait_state(self->pid, 'S', 1000));
	ckpt_expect_exit0(_metadata, self->pid, self->log, TMO_MS);
	self->pid = -1;
}

TEST_HARNESS_MAIN
