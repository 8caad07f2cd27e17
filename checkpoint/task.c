// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: one task, and the order of its records.
 */
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/hrtimer.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/posix-timers.h>
#include <linux/cred.h>
#include <linux/sched/coredump.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <linux/ipc_namespace.h>
#include <linux/time_namespace.h>
#include <linux/cgroup.h>
#include <net/net_namespace.h>
#include <linux/mnt_namespace.h>
#include <linux/personality.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/futex.h>
#include <linux/restart_block.h>
#include <linux/rseq.h>

static const enum ckpt_obj_type ckpt_tobj_types[CKPT_TOBJ_MAX] = {
	CKPT_OBJ_MM, CKPT_OBJ_FILES, CKPT_OBJ_FS, CKPT_OBJ_SIGHAND,
};

static const char * const ckpt_tobj_names[CKPT_TOBJ_MAX] = {
	"memory", "fd table", "cwd and root", "signal handlers",
};

/* The first task of the tree that uses @obj */
static pid_t ckpt_obj_first_user(struct ckpt_ctx *ctx, int k, void *obj)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++)
		if (ctx->tasks[i].objs[k] == obj)
			return ctx->tree[i].pid;
	return 0;
}

/**
 * ckpt_task_refs - put a parked task's shared objects in the object hash
 * @ctx: the checkpoint context
 * @ct: the task; the tasks before it in the tree are done
 *
 * An object already in the hash must be the one of the task's creator:
 * it is then shared at restart through a clone flag, which is recorded
 * in the task's tree entry.
 *
 * Return: 0, -EOPNOTSUPP for sharing that cannot be restored, or -errno.
 */
int ckpt_task_refs(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_task *c = ct->creator >= 0 ? &ctx->tasks[ct->creator] : NULL;
	struct task_struct *t = ct->task;
	int k, ret;

	/* The task is parked: these do not change under us */
	task_lock(t);
	ct->objs[CKPT_TOBJ_MM] = t->mm;
	ct->objs[CKPT_TOBJ_FILES] = t->files;
	ct->objs[CKPT_TOBJ_FS] = t->fs;
	ct->objs[CKPT_TOBJ_SIGHAND] = rcu_dereference_protected(t->sighand, 1);
	task_unlock(t);
	for (k = 0; k < CKPT_TOBJ_MAX; k++) {
		if (!ct->objs[k])
			return ckpt_err(ctx, -ESRCH, "pid %d is exiting",
					task_pid_vnr(t));
		ret = ckpt_obj_lookup_add(ctx, ct->objs[k], ckpt_tobj_types[k],
					  &ct->refs[k]);
		if (ret < 0)
			return ret;
		if (ret) {
			ct->new_objs |= BIT(k);
			continue;
		}
		if (!c || c->objs[k] != ct->objs[k])
			return ckpt_err(ctx, -EOPNOTSUPP,
					"pid %d shares its %s with pid %d, which is not its parent or thread group leader: not supported",
					task_pid_vnr(t), ckpt_tobj_names[k],
					ckpt_obj_first_user(ctx, k, ct->objs[k]));
		ctx->tree[ct->idx].flags |= CKPT_TREE_SHARE_VM << k;
	}
	return 0;
}

/* References held on a parked task's object by its users */
static int ckpt_obj_users(int k, void *obj)
{
	struct fs_struct *fs = obj;
	int n;

	switch (k) {
	case CKPT_TOBJ_MM:
		return atomic_read(&((struct mm_struct *)obj)->mm_users);
	case CKPT_TOBJ_FILES:
		return atomic_read(&((struct files_struct *)obj)->count);
	case CKPT_TOBJ_FS:
		spin_lock(&fs->lock);
		n = fs->users;
		spin_unlock(&fs->lock);
		return n;
	default:
		return refcount_read(&((struct sighand_struct *)obj)->count);
	}
}

/**
 * ckpt_check_sharing - refuse objects shared with tasks outside the tree
 * @ctx: the checkpoint context, every task's objects in the hash
 *
 * Return: 0 or -EOPNOTSUPP naming the task and the object.
 */
int ckpt_check_sharing(struct ckpt_ctx *ctx)
{
	unsigned int i, j;
	int k, n;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *ct = &ctx->tasks[i];

		for (k = 0; k < CKPT_TOBJ_MAX; k++) {
			if (!(ct->new_objs & BIT(k)))
				continue;
			for (j = i, n = 0; j < ctx->nr_tasks; j++)
				n += ctx->tasks[j].objs[k] == ct->objs[k];
			if (ckpt_obj_users(k, ct->objs[k]) > n)
				return ckpt_err(ctx, -EOPNOTSUPP,
						"pid %d shares its %s with a task outside the tree: not supported",
						ctx->tree[i].pid,
						ckpt_tobj_names[k]);
		}
	}
	return 0;
}

static int ckpt_write_task_rec(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	struct ckpt_hdr_task h = {};

	h.pid = ctx->tree[ct->idx].pid;
	h.tgid = ctx->tree[ct->idx].tgid;
	h.flags = ct->state == CKPT_T_SELF ? CKPT_TASK_SELF : 0;
	if (ct->state == CKPT_T_STOPPED) {
		h.flags |= CKPT_TASK_STOPPED;
		h.stop_signal = ct->stop_signal;
		if (ct->stop_unreported)
			h.flags |= CKPT_TASK_STOP_UNREPORTED;
	}
	if (t->signal->is_child_subreaper)
		h.flags |= CKPT_TASK_SUBREAPER;
	h.personality = t->personality;
	h.nice = task_nice(t);
	h.exit_signal = t->exit_signal;
	get_task_comm(h.comm, t);
	if (ckpt_task_zombie(ctx, ct)) {
		h.exit_code = READ_ONCE(t->exit_code);
		return ckpt_write_obj(ctx, &h.h, CKPT_HDR_TASK, sizeof(h));
	}
	h.pdeath_signal = t->pdeath_signal;
	h.timer_slack_ns = t->timer_slack_ns;
	h.default_timer_slack_ns = t->default_timer_slack_ns;
	if (ct->cpu.sleep.saved) {
		h.flags |= CKPT_TASK_NANOSLEEP;
		h.sleep_clockid = ct->cpu.sleep.clockid;
		h.sleep_rmtp_set = ct->cpu.sleep.rmtp_set;
		h.sleep_ns = ct->cpu.sleep.ns;
		h.sleep_rmtp = ct->cpu.sleep.rmtp;
	} else if (ct->cpu.sleep.sigwait) {
		h.flags |= CKPT_TASK_SIGTIMEDWAIT;
		h.sleep_clockid = ct->cpu.sleep.clockid;
		h.sleep_ns = ct->cpu.sleep.ns;
	} else if (ct->cpu.sleep.futex.saved) {
		h.flags |= CKPT_TASK_FUTEX_WAIT;
		h.sleep_clockid = ct->cpu.sleep.clockid;
		h.sleep_ns = ct->cpu.sleep.ns;
		h.futex_uaddr = ct->cpu.sleep.futex.uaddr;
		h.futex_val = ct->cpu.sleep.futex.val;
		if (ct->cpu.sleep.futex.private)
			h.futex_flags = CKPT_FUTEX_PRIVATE;
	}
	if (t->robust_list) {
		h.robust_list = (unsigned long)t->robust_list;
		h.robust_list_len = sizeof(struct robust_list_head);
	}
	h.clear_child_tid = (unsigned long)t->clear_child_tid;
#ifdef CONFIG_RSEQ
	if (t->rseq) {
		h.rseq = (unsigned long)t->rseq;
		h.rseq_len = sizeof(struct rseq);
		h.rseq_sig = t->rseq_sig;
	}
#endif
	h.mm_ref = ct->refs[CKPT_TOBJ_MM];
	h.files_ref = ct->refs[CKPT_TOBJ_FILES];
	h.fs_ref = ct->refs[CKPT_TOBJ_FS];
	h.sighand_ref = ct->refs[CKPT_TOBJ_SIGHAND];
	/* The root's records carry every open file of the tree */
	h.nr_files = ct->idx ? 0 : ctx->nr_cfiles;
	return ckpt_write_obj(ctx, &h.h, CKPT_HDR_TASK, sizeof(h));
}

/**
 * ckpt_write_task - write the records of one task
 * @ctx: the checkpoint context
 * @ct: the task, parked (or a zombie), its objects collected
 *
 * Return: 0 or -errno.
 */
int ckpt_write_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct task_struct *t = ct->task;
	unsigned int i;
	int ret;

	ret = ckpt_write_task_rec(ctx, ct);
	if (ret || ckpt_task_zombie(ctx, ct))
		return ret;
	ret = ckpt_write_creds(ctx, t);
	for (i = 0; !ret && !ct->idx && i < ctx->nr_cfiles; i++)
		ret = ckpt_write_file(ctx, ctx->cfiles[i].file,
				      ckpt_obj_lookup(ctx, ctx->cfiles[i].file,
						      CKPT_OBJ_FILE));
	if (!ret && !ct->idx)
		ret = ckpt_write_file_locks(ctx);
	if (IS_ENABLED(CONFIG_EPOLL) && !ret && !ct->idx)
		ret = ckpt_write_epolls(ctx);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_MM))
		ret = ckpt_write_mm(ctx, t);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_FS))
		ret = ckpt_write_fs(ctx, t);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_FILES))
		ret = ckpt_write_fdtable(ctx, t);
	if (!ret && ct->new_objs & BIT(CKPT_TOBJ_SIGHAND))
		ret = ckpt_write_sighand(ctx, t);
	if (!ret)
		ret = ckpt_write_signal(ctx, ct);
	if (!ret)
		ret = ckpt_arch_write_cpu(ctx, &ct->cpu);
	return ret;
}

/* An rseq area is 32 bytes, aligned, in user space; none has no fields */
static bool rstr_rseq_ok(const struct ckpt_hdr_task *h)
{
	if (!h->rseq)
		return !h->rseq_len && !h->rseq_sig;
	return h->rseq < TASK_SIZE_MAX && IS_ALIGNED(h->rseq, 32) &&
	       h->rseq_len == 32;
}

/* A wait status: an exit code, or a signal with or without a core */
static bool rstr_exit_code_ok(u32 code)
{
	if (code & ~0xffffU)
		return false;
	if (code & 0x7f)
		return !(code & 0xff00) && (code & 0x7f) <= _NSIG;
	return !(code & 0x80);
}

/* A stop signal with CKPT_TASK_STOPPED, none without */
static bool rstr_stop_ok(const struct ckpt_hdr_task *h)
{
	if (!(h->flags & CKPT_TASK_STOPPED))
		return !h->stop_signal &&
		       !(h->flags & CKPT_TASK_STOP_UNREPORTED);
	return h->stop_signal == SIGSTOP || h->stop_signal == SIGTSTP ||
	       h->stop_signal == SIGTTIN || h->stop_signal == SIGTTOU;
}

/* The records of a zombie: its TASK record only, without objects */
static int rstr_check_zombie_rec(struct ckpt_ctx *ctx,
				 const struct ckpt_hdr_task *h)
{
	if (h->mm_ref || h->files_ref || h->fs_ref || h->sighand_ref ||
	    h->nr_files || !rstr_exit_code_ok(h->exit_code) ||
	    h->flags & (CKPT_TASK_NANOSLEEP | CKPT_TASK_STOPPED |
			CKPT_TASK_FUTEX_WAIT | CKPT_TASK_SIGTIMEDWAIT) ||
	    !rstr_stop_ok(h) ||
	    !rstr_nanosleep_ok(h))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: malformed zombie",
				h->pid);
	return 0;
}

/* Objects shared with the creator have its refs, the others are new */
static int rstr_check_task_refs(struct ckpt_ctx *ctx, struct ckpt_task *ct,
				const struct ckpt_hdr_task *h)
{
	const u32 refs[CKPT_TOBJ_MAX] = {
		h->mm_ref, h->files_ref, h->fs_ref, h->sighand_ref,
	};
	const struct ckpt_hdr_task *c =
		ct->creator >= 0 ? &ctx->tasks[ct->creator].rec : NULL;
	u32 flags = ctx->tree[ct->idx].flags;
	int k;

	for (k = 0; k < CKPT_TOBJ_MAX; k++) {
		const u32 crefs[CKPT_TOBJ_MAX] = {
			c ? c->mm_ref : 0, c ? c->files_ref : 0,
			c ? c->fs_ref : 0, c ? c->sighand_ref : 0,
		};

		if (!(flags & (CKPT_TREE_SHARE_VM << k))) {
			if (rstr_obj_add(ctx, refs[k], ckpt_tobj_types[k], NULL))
				return -EBADMSG;
		} else if (!c || refs[k] != crefs[k]) {
			return ckpt_err(ctx, -EBADMSG,
					"TASK %d: does not share its %s with its creator",
					h->pid, ckpt_tobj_names[k]);
		}
	}
	return 0;
}

static int rstr_check_task_rec(struct ckpt_ctx *ctx, struct ckpt_task *ct,
			       const struct ckpt_hdr_task *h)
{
	const struct ckpt_tree_entry *e = &ctx->tree[ct->idx];
	bool thread = e->flags & CKPT_TREE_THREAD;

	if (h->pid != e->pid || h->tgid != e->tgid)
		return ckpt_err(ctx, -EBADMSG, "TASK %d does not match the tree",
				h->pid);
	if (h->flags & ~(CKPT_TASK_SELF | CKPT_TASK_SUBREAPER |
			 CKPT_TASK_NANOSLEEP | CKPT_TASK_STOPPED |
			 CKPT_TASK_STOP_UNREPORTED | CKPT_TASK_FUTEX_WAIT |
			 CKPT_TASK_SIGTIMEDWAIT) ||
	    h->reserved)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid flags", h->pid);
	if (!rstr_stop_ok(h))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid stop signal %u",
				h->pid, h->stop_signal);
	if (!memchr(h->comm, 0, sizeof(h->comm)))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: malformed comm", h->pid);
	if (h->nice < MIN_NICE || h->nice > MAX_NICE)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid nice %d",
				h->pid, h->nice);
	if (thread ? h->exit_signal != (u32)-1 : h->exit_signal > _NSIG)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid exit signal %u",
				h->pid, h->exit_signal);
	if (h->personality == 0xffffffff)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid personality",
				h->pid);
	if (e->flags & CKPT_TREE_ZOMBIE)
		return rstr_check_zombie_rec(ctx, h);
	if (h->robust_list >= TASK_SIZE_MAX || h->clear_child_tid >= TASK_SIZE_MAX ||
	    h->robust_list_len != (h->robust_list ? sizeof(struct robust_list_head) : 0))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid futex pointers",
				h->pid);
	if (!rstr_rseq_ok(h))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid rseq area",
				h->pid);
	if (h->exit_code || !valid_signal(h->pdeath_signal))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid exit fields",
				h->pid);
	if (!rstr_nanosleep_ok(h))
		return ckpt_err(ctx, -EBADMSG, "TASK %d: invalid sleep", h->pid);
	if (h->nr_files > CKPT_MAX_FDS + CKPT_MAX_VMAS + 1)
		return ckpt_err(ctx, -EBADMSG, "TASK %d: %u files", h->pid,
				h->nr_files);
	return rstr_check_task_refs(ctx, ct, h);
}

/* rseq: the new task inherited the restarter's registration */
static int rstr_set_rseq(struct ckpt_ctx *ctx, struct ckpt_hdr_task *h)
{
#ifdef CONFIG_RSEQ
	current->rseq = NULL;
	current->rseq_sig = 0;
	current->rseq_event_mask = 0;
	if (h->rseq) {
		BUILD_BUG_ON(sizeof(struct rseq) != 32);
		current->rseq = (struct rseq __user *)(unsigned long)h->rseq;
		current->rseq_sig = h->rseq_sig;
		rseq_set_notify_resume(current);
	}
#else
	if (h->rseq)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d uses rseq: this kernel has no CONFIG_RSEQ",
				h->pid);
#endif
	return 0;
}

static int rstr_apply_task(struct ckpt_ctx *ctx, struct ckpt_hdr_task *h)
{
	int ret = rstr_set_rseq(ctx, h);

	if (ret)
		return ret;
	current->robust_list = (void __user *)(unsigned long)h->robust_list;
	current->clear_child_tid = (int __user *)(unsigned long)h->clear_child_tid;
	/* Never the restarter's restart block */
	rstr_set_restart_block(h);
	if (h->nice < task_nice(current) && !can_nice(current, h->nice))
		return ckpt_err(ctx, -EPERM,
				"pid %d: no permission to set nice %d",
				h->pid, h->nice);
	set_user_nice(current, h->nice);
	set_personality(h->personality);
	set_task_comm(current, h->comm);
	current->pdeath_signal = h->pdeath_signal;
	/* Any value prctl(PR_SET_TIMERSLACK) or a real-time policy gives */
	current->timer_slack_ns = h->timer_slack_ns;
	current->default_timer_slack_ns = h->default_timer_slack_ns;
	return 0;
}

static int rstr_read_task_objs(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	u32 flags = ctx->tree[ct->idx].flags;
	unsigned int i;
	int ret;

	ret = rstr_read_creds(ctx, ct);
	for (i = 0; !ret && i < ct->rec.nr_files; i++)
		ret = rstr_read_file(ctx);
	if (!ret && !ct->idx)
		ret = rstr_read_locks(ctx, false);
	if (IS_ENABLED(CONFIG_EPOLL) && !ret && !ct->idx)
		ret = rstr_read_epolls(ctx);
	rstr_files_done(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_VM))
		ret = rstr_read_mm(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_FS))
		ret = rstr_read_fs(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_FILES))
		ret = rstr_read_fdtable(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_SIGHAND))
		ret = rstr_read_sighand(ctx);
	if (!ret)
		ret = rstr_read_signal(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_FILES))
		ret = rstr_install_fds(ctx);
	if (!ret && !(flags & CKPT_TREE_SHARE_FILES))
		ret = rstr_take_posix_locks(ctx);
	if (!ret)
		ret = rstr_arch_read_cpu(ctx, &ct->cpu);
	return ret;
}

/**
 * rstr_read_task - restore the current task from its records
 * @ctx: the restart context
 * @ct: the current task
 *
 * Runs in the new task, before it ever returns to user space: reads its
 * records and rebuilds its state, except what rstr_finish_task() does
 * once the tasks it creates exist.  The CPU state is left in @ct for the
 * restarter to apply.
 *
 * Return: 0 or -errno.
 */
int rstr_read_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_hdr_task *h = &ctx->task_rec;
	int ret;

	ctx->cur = ct;
	ret = ckpt_read_obj(ctx, CKPT_HDR_TASK, &h->h, sizeof(*h));
	if (!ret)
		ret = rstr_check_task_rec(ctx, ct, h);
	if (ret)
		return ret;
	ct->rec = *h;
	/* The root, before any memory or task: the tree's time namespace */
	if (!ct->idx)
		ret = rstr_enter_time_ns(ctx);
	if (!ret && !ckpt_task_zombie(ctx, ct))
		ret = rstr_read_task_objs(ctx, ct);
	ckpt_ctx_reset_task(ctx);
	if (!ret)
		ret = rstr_set_groups(ctx, ct);
	if (!ret && h->flags & CKPT_TASK_SUBREAPER)
		current->signal->is_child_subreaper = 1;
	return ret;
}

/**
 * rstr_finish_task - the last steps of a task's restore
 * @ctx: the restart context
 * @ct: the current task, the tasks it creates created
 *
 * Return: 0 or -errno.
 */
int rstr_finish_task(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	int ret;

	ctx->cur = ct;
	ctx->task_rec = ct->rec;
	ret = rstr_apply_task(ctx, &ct->rec);
	/* Last but the credentials: the mask decides what is ignored */
	if (!ret && thread_group_leader(current))
		rstr_set_itimers(ct);
	if (!ret && thread_group_leader(current))
		ret = rstr_set_posix_timers(ctx, ct);
	if (!ret)
		ret = rstr_queue_signals(ctx, ct);
	if (!ret && ct->new_cred) {
		ret = commit_creds(ct->new_cred);
		ct->new_cred = NULL;
	}
	return ret;
}

static bool ckpt_same_namespaces(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct nsproxy *a, *b = current->nsproxy;
	bool same;

	task_lock(t);
	a = t->nsproxy;
	same = a && a->uts_ns == b->uts_ns && a->ipc_ns == b->ipc_ns &&
	       a->mnt_ns == b->mnt_ns && a->net_ns == b->net_ns &&
	       a->cgroup_ns == b->cgroup_ns;
	task_unlock(t);
	return same && ckpt_pidns_ok(ctx, t) &&
	       task_cred_xxx(t, user_ns) == current_user_ns();
}

static bool ckpt_ids_mapped(struct task_struct *t)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *c = get_task_cred(t);
	bool ok;
	int i;

	ok = from_kuid(ns, c->uid) != (uid_t)-1 &&
	     from_kuid(ns, c->euid) != (uid_t)-1 &&
	     from_kuid(ns, c->suid) != (uid_t)-1 &&
	     from_kuid(ns, c->fsuid) != (uid_t)-1 &&
	     from_kgid(ns, c->gid) != (gid_t)-1 &&
	     from_kgid(ns, c->egid) != (gid_t)-1 &&
	     from_kgid(ns, c->sgid) != (gid_t)-1 &&
	     from_kgid(ns, c->fsgid) != (gid_t)-1;
	for (i = 0; ok && i < c->group_info->ngroups; i++)
		ok = from_kgid(ns, c->group_info->gid[i]) != (gid_t)-1;
	put_cred(c);
	return ok;
}

/**
 * ckpt_check_task_state - refuse state of a parked task that is not saved
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0, -EOPNOTSUPP or -EBUSY naming the task and the reason.
 */
int ckpt_check_task_state(struct ckpt_ctx *ctx, struct task_struct *t)
{
	pid_t pid = task_pid_vnr(t);
	bool tracing;
	int ret;

	if (!ckpt_same_namespaces(ctx, t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is in other namespaces than the checkpointer (or, for a pid namespace, than the root's and those below it): not supported yet",
				pid);
	if (!ckpt_same_time_ns(ctx, t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is in another time namespace than the root, or has one of its own for its children (unshare(CLONE_NEWTIME)): not supported",
				pid);
	read_lock(&tasklist_lock);
	tracing = !list_empty(&t->ptraced);
	read_unlock(&tasklist_lock);
	if (tracing)
		return ckpt_err(ctx, -EBUSY, "pid %d is tracing other tasks", pid);
	ret = thread_group_leader(t) ? ckpt_check_posix_timers(ctx, t) : 0;
	if (ret)
		return ret;
	if (!ckpt_ids_mapped(t))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d has ids not mapped in the checkpointer's user namespace",
				pid);
	return 0;
}
