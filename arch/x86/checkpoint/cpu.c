// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: x86_64 CPU state.
 *
 * Registers are saved and restored through the regsets that ptrace and
 * core dumps use: NT_PRSTATUS for the general registers (with fs/gs
 * base) and NT_X86_XSTATE for the FPU/SSE/AVX state in the standard XSAVE
 * layout.  A task saves its own state while parked; a restored task's
 * state is written by the restarter while the task is parked and off the
 * CPU, through the same validation a ptrace(PTRACE_SETREGSET) gets.
 */
#include <linux/checkpoint.h>
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/fs.h>		/* before eventpoll.h, which needs it */
#include <linux/uaccess.h>	/* ditto */
#include <linux/eventpoll.h>
#include <linux/ktime.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <asm/fpu/types.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/unistd.h>
#include <asm/user.h>

/* Smallest XSAVE buffer: legacy area and header */
#define CKPT_XSAVE_MIN	576
/* Offset of XSTATE_BV in an XSAVE buffer */
#define CKPT_XSTATE_BV	512

static const struct user_regset *ckpt_regset(struct task_struct *t,
					     unsigned int note)
{
	const struct user_regset_view *view = task_user_regset_view(t);
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note)
			return &view->regsets[i];
	return NULL;
}

static unsigned int ckpt_xstate_max(void)
{
	return fpu_user_cfg.max_size;
}

/**
 * ckpt_arch_check_task - refuse tasks whose CPU state is not supported
 * @ctx: the checkpoint context
 * @t: the task
 *
 * Return: 0 or -EOPNOTSUPP.
 */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);
	unsigned long cs;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return ckpt_err(ctx, -EOPNOTSUPP, "this CPU has no XSAVE");
	if (!try_get_task_stack(t))
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting", pid);
	cs = task_pt_regs(t)->cs;
	put_task_stack(t);
	if (cs != __USER_CS)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is a 32-bit task: not supported", pid);
	if (t->thread.io_bitmap || t->thread.iopl_emul)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d uses an I/O permission bitmap: not supported",
				pid);
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	if (t->mm && READ_ONCE(t->mm->context.ldt))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has an LDT: not supported", pid);
#endif
	return 0;
}

/**
 * ckpt_arch_header - fill in the arch fields of the image header
 * @h: the header
 *
 * Return: 0.
 */
int ckpt_arch_header(struct ckpt_hdr_header *h)
{
	h->arch = CKPT_ARCH_X86_64;
	h->xfeatures = fpu_user_cfg.max_features;
	h->xstate_size = ckpt_xstate_max();
	return 0;
}

/**
 * rstr_arch_check_header - check that this CPU can take the image
 * @ctx: the restart context
 * @h: the image header
 *
 * Return: 0, -ENOEXEC for another arch, -EOPNOTSUPP if the image uses
 * CPU features this one lacks, -EBADMSG if the header is inconsistent.
 */
int rstr_arch_check_header(struct ckpt_ctx *ctx,
			   const struct ckpt_hdr_header *h)
{
	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return ckpt_err(ctx, -EOPNOTSUPP, "this CPU has no XSAVE");
	if (h->xfeatures & ~fpu_user_cfg.max_features)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"image uses xsave features %#llx that this CPU lacks",
				h->xfeatures & ~fpu_user_cfg.max_features);
	if (h->xstate_size < CKPT_XSAVE_MIN ||
	    h->xstate_size > ckpt_xstate_max())
		return ckpt_err(ctx, -EBADMSG, "invalid xstate size %u",
				h->xstate_size);
	return 0;
}

static bool ckpt_restarting(const struct ckpt_x86_regs *r)
{
	if ((long)r->orig_ax < 0)
		return false;
	switch ((long)r->ax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return true;
	}
	return false;
}

/* Calls that fail with -EINTR when interrupted, also by the park */
static bool ckpt_eintr_call(unsigned long nr)
{
	switch (nr) {
	case __NR_epoll_wait:
	case __NR_epoll_pwait:
	case __NR_epoll_pwait2:
	case __NR_rt_sigtimedwait:
	case __NR_semop:
	case __NR_semtimedop:
	case __NR_io_getevents:
	case __NR_io_pgetevents:
		return true;
	}
	return false;
}

/*
 * epoll_wait(epfd, events, maxevents, timeout) and epoll_pwait(): the
 * timeout (ms) becomes the time the interrupted call had left, which
 * ep_poll() left in the restart block.
 */
static void ckpt_epoll_time_left(struct pt_regs *regs)
{
#ifdef CONFIG_EPOLL
	struct restart_block *rb = &current->restart_block;
	s64 left;

	if ((regs->orig_ax != __NR_epoll_wait &&
	     regs->orig_ax != __NR_epoll_pwait) ||
	    rb->fn != epoll_wait_interrupted || rb->epoll.expires == KTIME_MAX ||
	    (int)regs->r10 <= 0)
		return;
	left = max_t(s64, rb->epoll.expires - ktime_get_ns(), 0);
	left = DIV_ROUND_UP_ULL(left, NSEC_PER_MSEC);
	if (left < (int)regs->r10)
		regs->r10 = left;
#endif
}

/*
 * An rt_sigtimedwait() with a timeout (rdx), or its continuation through
 * restart_syscall(), left its deadline in the restart block
 */
static bool ckpt_sigtimedwait_left(struct pt_regs *regs)
{
	if (current->restart_block.fn != sigtimedwait_restart)
		return false;
	return regs->orig_ax == __NR_restart_syscall ||
	       (regs->orig_ax == __NR_rt_sigtimedwait && regs->dx);
}

/**
 * ckpt_arch_park_syscall - make a call the park interrupted restart
 *
 * Called by the current task as it parks.  A call that fails with
 * -EINTR whenever it is interrupted (epoll_wait(), sigtimedwait(),
 * semop(), ...) did so because of the park if no signal is pending: it
 * is made to restart instead, as after a signal without a handler, so
 * that neither the resumed task nor a restored one sees an EINTR that no
 * signal caused.  An epoll_wait() or epoll_pwait() restarts with the
 * time it had left as its timeout; an rt_sigtimedwait() with a timeout
 * continues through restart_syscall() for the time it has left.
 */
void ckpt_arch_park_syscall(void)
{
	struct pt_regs *regs = task_pt_regs(current);

	if ((long)regs->orig_ax < 0 || (long)regs->ax != -EINTR ||
	    task_sigpending(current))
		return;
	if (ckpt_sigtimedwait_left(regs)) {
		regs->ax = -ERESTART_RESTARTBLOCK;
	} else if (ckpt_eintr_call(regs->orig_ax)) {
		regs->ax = -ERESTARTNOHAND;
		ckpt_epoll_time_left(regs);
	}
}

/*
 * A syscall interrupted by the park (or the stop) is saved with its
 * restart code, so that the restored task restarts it or returns -EINTR
 * exactly as the original would, depending on whether a signal with a
 * handler comes first.  A relative nanosleep, FUTEX_WAIT or
 * rt_sigtimedwait() that would continue through restart_syscall() keeps
 * doing so, its time left saved.  Any other call continuing through a restart block is saved as
 * the original call (recorded in the restart block if the task already is
 * inside restart_syscall()), re-issued with its arguments, still in the
 * registers, a poll() with the time it has left as its timeout; or
 * interrupted as -ERESTARTNOHAND would be.
 */
static void ckpt_fixup_syscall(struct task_struct *t, struct ckpt_cpu *cpu)
{
	struct ckpt_x86_regs *r = &cpu->regs;
	long ms;

	if (!ckpt_restarting(r))
		return;
	if (r->orig_ax == __NR_restart_syscall)
		r->orig_ax = t->restart_block.syscall;
	if ((long)r->ax != -ERESTART_RESTARTBLOCK ||
	    ckpt_save_nanosleep(&t->restart_block, &cpu->sleep, r->orig_ax) ||
	    ckpt_save_futex_wait(&t->restart_block, &cpu->sleep, r->orig_ax,
				 r->si) ||
	    ckpt_save_sigtimedwait(&t->restart_block, &cpu->sleep, r->orig_ax))
		return;
	/* poll(fds, nfds, timeout): re-issued with the time it has left */
	if (ckpt_poll_time_left(&t->restart_block, r->orig_ax, &ms))
		r->dx = ms;
	r->ax = -ERESTARTNOHAND;
}

/**
 * ckpt_arch_save_cpu - save a task's CPU state
 * @t: the task: the current one, or one stopped and off the CPU
 * @cpu: where to; @cpu->xstate is allocated here
 * @self: the task is in checkpoint() on itself
 *
 * Called by a parked task on its way to user space, by the caller of
 * checkpoint() on itself, or by the checkpointer for a stopped task.  A
 * syscall that the park (or the stop) interrupted is saved as about to
 * be re-issued.
 *
 * Return: 0 or -errno.
 */
int ckpt_arch_save_cpu(struct task_struct *t, struct ckpt_cpu *cpu, bool self)
{
	const struct user_regset *gen = ckpt_regset(t, NT_PRSTATUS);
	const struct user_regset *xs = ckpt_regset(t, NT_X86_XSTATE);
	unsigned int size = ckpt_xstate_max();
	struct user_regs_struct regs;
	int ret;

	BUILD_BUG_ON(sizeof(regs) != sizeof(cpu->regs));
	if (!gen || !xs)
		return -EOPNOTSUPP;
	ret = regset_get(t, gen, sizeof(regs), &regs);
	if (ret != sizeof(regs))
		return ret < 0 ? ret : -EIO;
	memcpy(&cpu->regs, &regs, sizeof(regs));
	ckpt_fixup_syscall(t, cpu);
	/* Inside checkpoint() on itself: the restored copy returns 0 */
	if (self)
		cpu->regs.ax = 0;

	cpu->xstate = kzalloc(size, GFP_KERNEL);
	if (!cpu->xstate)
		return -ENOMEM;
	ret = regset_get(t, xs, size, cpu->xstate);
	if (ret != size)
		return ret < 0 ? ret : -EIO;
	cpu->xstate_size = size;
	cpu->xfeatures = *(u64 *)(cpu->xstate + CKPT_XSTATE_BV);
	return 0;
}

/**
 * ckpt_arch_free_cpu - free what ckpt_arch_save_cpu() allocated
 * @cpu: the CPU state
 */
void ckpt_arch_free_cpu(struct ckpt_cpu *cpu)
{
	kfree(cpu->xstate);
	cpu->xstate = NULL;
}

/**
 * ckpt_arch_write_cpu - write the CPU and XSTATE records
 * @ctx: the checkpoint context
 * @cpu: the saved state
 *
 * Return: 0 or -errno.
 */
int ckpt_arch_write_cpu(struct ckpt_ctx *ctx, struct ckpt_cpu *cpu)
{
	struct ckpt_hdr_xstate x = {};
	struct ckpt_hdr_cpu c = {};
	int ret;

	c.regs = cpu->regs;
	ret = ckpt_write_obj(ctx, &c.h, CKPT_HDR_CPU, sizeof(c));
	if (ret)
		return ret;
	x.xfeatures = cpu->xfeatures;
	x.size = cpu->xstate_size;
	return ckpt_write_obj_payload(ctx, &x.h, CKPT_HDR_XSTATE, sizeof(x),
				      cpu->xstate, cpu->xstate_size);
}

/**
 * rstr_arch_read_cpu - read the CPU and XSTATE records
 * @ctx: the restart context
 * @cpu: where to; @cpu->xstate is allocated here, at this CPU's size
 *
 * Return: 0 or -errno.
 */
int rstr_arch_read_cpu(struct ckpt_ctx *ctx, struct ckpt_cpu *cpu)
{
	unsigned int max = ckpt_xstate_max();
	struct ckpt_hdr_xstate x;
	struct ckpt_hdr_cpu c;
	size_t plen;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_CPU, &c.h, sizeof(c));
	if (ret)
		return ret;
	cpu->regs = c.regs;
	cpu->xstate = kzalloc(max, GFP_KERNEL);
	if (!cpu->xstate)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_XSTATE, &x.h, sizeof(x),
				    cpu->xstate, max, &plen);
	if (ret)
		return ret;
	if (x.size != plen || x.size != ctx->hdr.xstate_size || x.reserved ||
	    x.xfeatures & ~ctx->hdr.xfeatures ||
	    x.xfeatures != *(u64 *)(cpu->xstate + CKPT_XSTATE_BV))
		return ckpt_err(ctx, -EBADMSG, "malformed XSTATE record");
	cpu->xstate_size = max;
	cpu->xfeatures = x.xfeatures;
	return 0;
}

static bool rstr_selector_ok(u64 sel)
{
	return sel == 0 || sel == __USER_DS;
}

/**
 * rstr_arch_apply_cpu - give a parked restored task its CPU state
 * @ctx: the restart context
 * @t: the task, parked and off the CPU
 * @cpu: the state read from the image
 *
 * Return: 0 or -EINVAL for state the regset code refuses.
 */
int rstr_arch_apply_cpu(struct ckpt_ctx *ctx, struct task_struct *t,
			struct ckpt_cpu *cpu)
{
	const struct user_regset *gen = ckpt_regset(t, NT_PRSTATUS);
	const struct user_regset *xs = ckpt_regset(t, NT_X86_XSTATE);
	const struct ckpt_x86_regs *r = &cpu->regs;
	struct user_regs_struct regs;
	int ret;

	if (!gen || !xs)
		return -EOPNOTSUPP;
	if (r->cs != __USER_CS || r->ss != __USER_DS ||
	    !rstr_selector_ok(r->ds) || !rstr_selector_ok(r->es) ||
	    !rstr_selector_ok(r->fs) || !rstr_selector_ok(r->gs) ||
	    r->fs_base >= TASK_SIZE_MAX || r->gs_base >= TASK_SIZE_MAX)
		return ckpt_err(ctx, -EINVAL, "CPU: invalid segment registers");

	memcpy(&regs, r, sizeof(regs));
	ret = gen->set(t, gen, 0, sizeof(regs), &regs, NULL);
	if (ret)
		return ckpt_err(ctx, -EINVAL, "CPU: registers refused (error %d)",
				ret);
	ret = xs->set(t, xs, 0, cpu->xstate_size, cpu->xstate, NULL);
	if (ret)
		return ckpt_err(ctx, -EINVAL, "XSTATE: FPU state refused (error %d)",
				ret);
	/* Let the signal code restart the syscall, or not, on the way out */
	if (ckpt_restarting(r))
		set_notify_signal(t);
	return 0;
}
