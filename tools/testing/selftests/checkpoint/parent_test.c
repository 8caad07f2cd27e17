// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of parent-related process state: the child
 * subreaper flag and the parent-death signal.
 *
 * The root R is a child subreaper; its child C has a child G whose
 * parent-death signal is SIGUSR2.  After checkpoint and restart, R kills
 * C: G must receive SIGUSR2 and be re-parented to R, which reaps it.
 * Each check of the restored tree ends in an exit status: G's tells
 * whether it got the signal and saw R as its new parent, R's whether C
 * died of SIGTERM, G exited 0 and R is still a subreaper.
 */
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_MS	20000

static volatile sig_atomic_t got_usr2;

static void on_usr2(int sig)
{
	got_usr2 = 1;
}

static int grandchild(pid_t root)
{
	struct timespec ts = { 0, 10000000 };
	int pdeath = 0, i;

	signal(SIGUSR2, on_usr2);
	if (prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0))
		return 2;
	/* Until its parent dies, 10 s at most */
	for (i = 0; !got_usr2; i++) {
		nanosleep(&ts, NULL);
		if (i > 10 * 100)
			return 3;
	}
	prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
	if (pdeath != SIGUSR2)
		return 4;
	return getppid() == root ? 0 : 5;
}

static int child(pid_t root)
{
	pid_t g = fork();

	if (g == 0)
		_exit(grandchild(root));
	if (g < 0)
		return 6;
	for (;;)
		pause();
}

static int root_fn(void *arg)
{
	char name[40], buf[64];
	int subreaper = 0, status;
	pid_t c, g;

	if (ckpt_unmap_shared_anon() < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		return 1;
	c = fork();
	if (c == 0)
		_exit(child(getppid()));
	if (c < 0)
		return 7;
	ckpt_go_wait(1);

	prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0);
	CKPT_CHILD_CHECK(8, subreaper == 1);
	/* C's only child is G: find it before C dies */
	snprintf(name, sizeof(name), "task/%d/children", c);
	CKPT_CHILD_CHECK(9, ckpt_proc_read(c, name, buf, sizeof(buf)) > 0);
	g = atoi(buf);
	CKPT_CHILD_CHECK(10, g > 0 && !kill(c, SIGTERM));
	CKPT_CHILD_CHECK(11, waitpid(c, &status, 0) == c &&
			     WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CKPT_CHILD_CHECK(12, waitpid(g, &status, 0) == g);
	ckpt_child_log("grandchild %d: status %#x", g, status);
	CKPT_CHILD_CHECK(13, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ckpt_child_log("all checks passed");
	return 0;
}

TEST(subreaper_and_pdeath_signal)
{
	char logpath[64], log[CKPT_LOG_MAX];
	int imgfd, status;
	pid_t pid, r;

	snprintf(logpath, sizeof(logpath), "/tmp/ckpt-parent.%d.log",
		 getpid());
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	pid = ckpt_spawn(root_fn, NULL, logpath);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ckpt_wait_ready(pid, TMO_MS));
	/* Let the grandchild set its parent-death signal */
	usleep(300 * 1000);

	ASSERT_LT(0, ckpt_checkpoint(pid, CKPT_KILL, &imgfd, log,
				     sizeof(log))) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	/* The three killed processes are ours to reap (subreaper) */
	for (r = 0; r < 3; r++)
		ASSERT_LT(0, ckpt_waitpid(-1, &status, TMO_MS));
	r = ckpt_restart(imgfd, 0, log, sizeof(log));
	close(imgfd);
	ASSERT_EQ(pid, r) {
		TH_LOG("restart: %s; log: %s", strerror(errno), log);
	}
	ckpt_expect_exit0(_metadata, pid, logpath, TMO_MS);
	unlink(logpath);
}

TEST_HARNESS_MAIN
