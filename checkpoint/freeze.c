// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: bringing tasks to a quiescent point.
 *
 * The checkpointer queues a task_work (TWA_SIGNAL) on each task.  The
 * task runs it on its way back to user space: from an interrupted user
 * context or from a syscall that the notification interrupted (the
 * syscall's restart is then still pending in its registers).  There it
 * saves its own CPU state, reports "parked" and sleeps until the
 * checkpointer releases it, with the whole tree consistent in between.
 * Released, it resumes, stops or dies as the caller asked.
 *
 * A stopped task (SIGSTOP, job control) does not run its work until it
 * is continued: the checkpointer saves its state from outside, while it
 * is stopped and off the CPU, and marks it so.  Should it be continued
 * meanwhile, its work finds the mark and parks without saving anything:
 * its state is the one of the instant it was saved, as it did not reach
 * user space in between.  Released, a task that did not run its work is
 * left stopped (or killed).
 */
#include <linux/checkpoint.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>

/*
 * The blocked mask to save.  A sigsuspend(), ppoll() and the like that
 * the park interrupted have a temporary mask installed and the real one
 * in saved_sigmask; the syscall is re-issued after a restart and installs
 * its temporary mask again.
 */
static void ckpt_save_blocked(struct task_struct *t, sigset_t *blocked)
{
	unsigned long flags;

	if (!lock_task_sighand(t, &flags))
		return;
	*blocked = test_tsk_restore_sigmask(t) ? t->saved_sigmask : t->blocked;
	unlock_task_sighand(t, &flags);
}

static void ckpt_park(struct callback_head *work)
{
	struct ckpt_task *ct = container_of(work, struct ckpt_task, work);
	struct ckpt_ctx *ctx = ct->ctx;
	enum ckpt_release how;

	/* Unless saved while stopped (CKPT_T_STOPPED): then park only */
	if (cmpxchg(&ct->state, CKPT_T_QUEUED, CKPT_T_PARKED) == CKPT_T_QUEUED) {
		if (current->flags & PF_EXITING) {
			/* Run from exit_task_work(): nothing left to save */
			ct->state = CKPT_T_GONE;
			complete(&ct->parked);
			return;
		}
		ckpt_arch_park_syscall();
		ct->err = ckpt_arch_save_cpu(current, &ct->cpu, false);
		ckpt_save_blocked(current, &ct->blocked);
		complete(&ct->parked);
	}

	wait_event_killable(ctx->release_wq,
			    READ_ONCE(ctx->release) != CKPT_HOLD);
	how = READ_ONCE(ctx->release);
	/* The checkpointer may free @ct and @ctx from here on */
	complete(&ct->left);

	if (how == CKPT_RELEASE_KILL)
		send_sig(SIGKILL, current, 1);
	else if (how == CKPT_RELEASE_STOP)
		send_sig(SIGSTOP, current, 1);
}

static bool ckpt_park_match(struct callback_head *cb, void *data)
{
	return cb == data;
}

/**
 * ckpt_freeze_start - ask one task to park
 * @ctx: the checkpoint context
 * @ct: the task; ct->task holds a reference
 *
 * The caller itself (self-checkpoint) saves its CPU state directly, and a
 * zombie has nothing to park.
 *
 * Return: 0, or -ESRCH if the task is exiting (nothing is logged: the
 * caller may retry).  Whatever the result, ckpt_freeze_wait() and then
 * ckpt_thaw_tasks() must be called.
 */
int ckpt_freeze_start(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;

	ct->ctx = ctx;
	init_completion(&ct->parked);
	init_completion(&ct->left);
	if (t == current) {
		ct->state = CKPT_T_SELF;
		ckpt_save_blocked(t, &ct->blocked);
		return ckpt_arch_save_cpu(t, &ct->cpu, true);
	}
	if (ckpt_task_zombie(ctx, ct))
		return 0;

	init_task_work(&ct->work, ckpt_park);
	/* Before queueing: the task may park (and say so) at once */
	ct->state = CKPT_T_QUEUED;
	if (task_work_add(t, &ct->work, TWA_SIGNAL)) {
		ct->state = CKPT_T_GONE;
		return -ESRCH;
	}
	return 0;
}

/* The signal that stopped @t, and whether its parent still has to wait */
static void ckpt_save_stop(struct task_struct *t, struct ckpt_task *ct)
{
	unsigned long flags;

	ct->stop_signal = SIGSTOP;
	ct->stop_unreported = false;
	if (!lock_task_sighand(t, &flags))
		return;
	if (t->jobctl & JOBCTL_STOP_SIGMASK)
		ct->stop_signal = t->jobctl & JOBCTL_STOP_SIGMASK;
	/* What wait(WUNTRACED) reports, and clears once it did */
	ct->stop_unreported = t->signal->flags & SIGNAL_STOP_STOPPED &&
			      t->signal->group_exit_code;
	unlock_task_sighand(t, &flags);
}

/*
 * Save a stopped task from outside.  It must stay stopped and off the CPU
 * from before to after: its switch count tells.  Then the mark, unless
 * its work started meanwhile (it was continued): it then parks as usual.
 */
static int ckpt_capture_stopped(struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	struct ckpt_cpu cpu = {};
	unsigned long ncsw;
	sigset_t blocked;

	ncsw = wait_task_inactive(t, TASK_STOPPED);
	if (!ncsw || ckpt_arch_save_cpu(t, &cpu, false))
		goto fail;
	sigemptyset(&blocked);
	ckpt_save_blocked(t, &blocked);
	ckpt_save_stop(t, ct);
	if (wait_task_inactive(t, TASK_STOPPED) != ncsw ||
	    cmpxchg(&ct->state, CKPT_T_QUEUED, CKPT_T_STOPPED) != CKPT_T_QUEUED)
		goto fail;
	ct->cpu = cpu;
	ct->blocked = blocked;
	return 0;
fail:
	ckpt_arch_free_cpu(&cpu);
	return -EAGAIN;
}

/**
 * ckpt_freeze_wait - wait until one task is parked
 * @ctx: the checkpoint context
 * @ct: the task, after ckpt_freeze_start()
 *
 * Return: 0 once the task is parked with its CPU state saved, or saved
 * while stopped, -ESRCH if it exited (not logged: the caller may retry),
 * or -errno.
 */
int ckpt_freeze_wait(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	long left;

	if (ct->state == CKPT_T_GONE)
		return -ESRCH;
	if (ct->state != CKPT_T_QUEUED)
		return 0;
	if (task_is_stopped(t) && !ckpt_capture_stopped(ct))
		return 0;
	left = wait_for_completion_killable_timeout(&ct->parked,
						    CKPT_FREEZE_TIMEOUT * HZ);
	if (left <= 0) {
		if (task_work_cancel_match(t, ckpt_park_match, &ct->work)) {
			ct->state = CKPT_T_GONE;
		} else {
			/* The work is running: it parks right away */
			wait_for_completion(&ct->parked);
		}
		if (left < 0)
			return -EINTR;
		return ckpt_err(ctx, -ETIMEDOUT,
				"pid %d did not reach a quiescent point within %d s (uninterruptible sleep?)",
				task_pid_vnr(t), CKPT_FREEZE_TIMEOUT);
	}
	if (ct->state == CKPT_T_GONE)
		return -ESRCH;
	if (ct->err)
		return ckpt_err(ctx, ct->err, "pid %d: saving its CPU state failed",
				task_pid_vnr(t));
	return 0;
}

/* A task saved while stopped stays stopped, unless it is to die */
static void ckpt_release_stopped(struct ckpt_task *ct, enum ckpt_release how)
{
	if (!task_work_cancel_match(ct->task, ckpt_park_match, &ct->work)) {
		/* Continued meanwhile: it parks, and goes as it is told */
		wait_for_completion(&ct->left);
		return;
	}
	if (how == CKPT_RELEASE_KILL)
		send_sig(SIGKILL, ct->task, 1);
}

/**
 * ckpt_thaw_tasks - release every parked task
 * @ctx: the checkpoint context
 * @how: resume, stop or kill them
 *
 * Returns once no task uses @ctx any more.  For the caller itself
 * (self-checkpoint), @how is applied by sending the signal to itself.
 */
void ckpt_thaw_tasks(struct ckpt_ctx *ctx, enum ckpt_release how)
{
	unsigned int i;

	WRITE_ONCE(ctx->release, how);
	wake_up_all(&ctx->release_wq);
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *ct = &ctx->tasks[i];

		if (ct->state == CKPT_T_PARKED)
			wait_for_completion(&ct->left);
		else if (ct->state == CKPT_T_STOPPED)
			ckpt_release_stopped(ct, how);
		else if (ct->state == CKPT_T_SELF && how == CKPT_RELEASE_KILL)
			send_sig(SIGKILL, current, 1);
		else if (ct->state == CKPT_T_SELF && how == CKPT_RELEASE_STOP)
			send_sig(SIGSTOP, current, 1);
		ct->state = CKPT_T_GONE;
	}
}
