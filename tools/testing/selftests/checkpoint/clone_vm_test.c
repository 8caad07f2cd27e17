// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of two processes sharing their memory without being
 * threads (clone(CLONE_VM) without CLONE_THREAD).
 *
 * The root clones a child that shares its memory; the child marks a word
 * of the root's memory and waits for a flag in it.  After checkpoint and
 * restart the root raises the flag: the child must see it, mark the word
 * again and exit, and the root must see the new mark, which only works
 * if the restored processes still share one address space.  The child
 * sticks to raw system calls: it shares the root's TLS.
 */
#include <sched.h>
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_MS	20000

static volatile int shared_word;
static volatile int child_go;
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static int vm_child(void *arg)
{
	struct timespec ts = { 0, 5000000 };
	int i;

	shared_word = 1;
	for (i = 0; !child_go && i < 10 * 200; i++)
		syscall(SYS_nanosleep, &ts, NULL);
	if (!child_go)
		return 1;
	shared_word = 2;
	return 0;
}

static int vm_root(void *arg)
{
	struct timespec ts = { 0, 5000000 };
	int status, i;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	c = clone(vm_child, child_stack + sizeof(child_stack),
		  CLONE_VM | SIGCHLD, NULL);
	if (c < 0)
		return 98;
	for (i = 0; shared_word != 1 && i < 2000; i++)
		nanosleep(&ts, NULL);
	if (shared_word != 1)
		return 97;
	ckpt_go_wait(1);

	child_go = 1;
	CKPT_CHILD_CHECK(1, waitpid(c, &status, 0) == c);
	CKPT_CHILD_CHECK(2, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CKPT_CHILD_CHECK(3, shared_word == 2);
	ckpt_child_log("all checks passed");
	return 0;
}

FIXTURE(clone_vm) {
	char logpath[64];
};

FIXTURE_SETUP(clone_vm)
{
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-clone-vm.%d.log", getpid());
}

FIXTURE_TEARDOWN(clone_vm)
{
	if (_metadata->passed)
		unlink(self->logpath);
	else
		ckpt_dump_log(self->logpath);
}

TEST_F_TIMEOUT(clone_vm, shared_memory_processes, 120)
{
	char *logpath = self->logpath, log[CKPT_LOG_MAX];
	int imgfd, status, n = 0;
	pid_t pid, r;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	pid = ckpt_spawn(vm_root, NULL, logpath);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ckpt_wait_ready(pid, TMO_MS)) {
		ckpt_dump_log(logpath);
	}
	ASSERT_LT(0, ckpt_checkpoint(pid, CKPT_KILL, &imgfd, log,
				     sizeof(log))) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	/* The root and its child, both killed, are ours to reap */
	while (n < 2 && ckpt_waitpid(-1, &status, TMO_MS) > 0) {
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		n++;
	}
	ASSERT_EQ(2, n);
	r = ckpt_restart(imgfd, 0, log, sizeof(log));
	close(imgfd);
	ASSERT_EQ(pid, r) {
		TH_LOG("restart: %s; log: %s", strerror(errno), log);
	}
	ckpt_expect_exit0(_metadata, pid, logpath, TMO_MS);
}

TEST_HARNESS_MAIN
