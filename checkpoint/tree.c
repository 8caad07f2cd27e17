// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the process tree.
 *
 * A checkpoint saves the root and every descendant: each process with all
 * its threads.  The TREE record lists them in creation order, the order
 * in which a restart creates them: depth first, every task followed by
 * the tasks it creates, each with its own.  A thread is created by its
 * group leader, a process by the thread that is its parent.
 *
 * At restart every task is created by its creator with its original pid,
 * the creator's objects it shares (CKPT_TREE_SHARE_*) passed as clone
 * flags.  Sessions are re-created by their leaders with setsid(); other
 * tasks inherit theirs.  A process group is re-created by its leader and
 * joined by the members restored after it.  The root's session and
 * group, when they are not its own, are the restarter's.
 */
#include <linux/checkpoint.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/threads.h>
#include <linux/xarray.h>

/* The tasks as found by a walk: breadth first, each with its creator */
struct ckpt_walk {
	struct task_struct **task;
	int *creator;
	unsigned int nr;
	bool overflow;
	bool bad_leader;
};

static void ckpt_walk_add(struct ckpt_walk *w, struct task_struct *t,
			  int creator)
{
	if (w->nr == CKPT_MAX_TASKS) {
		w->overflow = true;
		return;
	}
	w->task[w->nr] = t;
	w->creator[w->nr] = creator;
	w->nr++;
}

/* Threads of a leader, then the children of a thread; tasklist_lock held */
static void ckpt_walk_one(struct ckpt_walk *w, unsigned int i)
{
	struct task_struct *t = w->task[i], *th, *child;

	if (thread_group_leader(t)) {
		if (t->exit_state && !thread_group_empty(t))
			w->bad_leader = true;
		for_each_thread(t, th)
			if (th != t && !th->exit_state)
				ckpt_walk_add(w, th, i);
	}
	list_for_each_entry(child, &t->children, sibling)
		if (child->exit_state != EXIT_DEAD)
			ckpt_walk_add(w, child, i);
}

static int ckpt_walk_tree(struct ckpt_walk *w, struct task_struct *root)
{
	unsigned int i;

	w->nr = 0;
	w->overflow = false;
	w->bad_leader = false;
	read_lock(&tasklist_lock);
	ckpt_walk_add(w, root, -1);
	for (i = 0; i < w->nr && !w->overflow; i++)
		ckpt_walk_one(w, i);
	read_unlock(&tasklist_lock);
	return w->overflow ? -E2BIG : 0;
}

static int ckpt_walk_alloc(struct ckpt_walk *w)
{
	w->task = kvmalloc_array(CKPT_MAX_TASKS, sizeof(*w->task), GFP_KERNEL);
	w->creator = kvmalloc_array(CKPT_MAX_TASKS, sizeof(*w->creator),
				    GFP_KERNEL);
	if (w->task && w->creator)
		return 0;
	kvfree(w->task);
	kvfree(w->creator);
	return -ENOMEM;
}

static void ckpt_walk_free(struct ckpt_walk *w)
{
	kvfree(w->task);
	kvfree(w->creator);
}

/*
 * Put the tasks of a walk into ctx->tasks in creation order (depth first,
 * children in walk order).  @stack has room for w->nr entries.
 */
static void ckpt_tree_order(struct ckpt_ctx *ctx, struct ckpt_walk *w,
			    int *first, int *next, int *pos, int *stack)
{
	unsigned int i, n = 0;
	int top = 0, slot;

	for (i = 0; i < w->nr; i++) {
		first[i] = -1;
		next[i] = -1;
	}
	for (i = w->nr - 1; i > 0; i--) {
		next[i] = first[w->creator[i]];
		first[w->creator[i]] = i;
	}
	stack[top++] = 0;
	while (top) {
		int k = stack[--top];
		struct ckpt_task *ct = &ctx->tasks[n];
		int c;

		pos[k] = n++;
		ct->task = get_task_struct(w->task[k]);
		ct->creator = w->creator[k] < 0 ? -1 : pos[w->creator[k]];
		/* Push the children so that the first one comes out next */
		for (c = first[k]; c >= 0; c = next[c])
			top++;
		slot = top;
		for (c = first[k]; c >= 0; c = next[c])
			stack[--slot] = c;
	}
}

static void ckpt_tree_links(struct ckpt_ctx *ctx)
{
	int i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		ctx->tasks[i].idx = i;
		ctx->tasks[i].first_child = -1;
		ctx->tasks[i].next_sibling = -1;
	}
	/* Walking backwards links each creator's list in order */
	for (i = ctx->nr_tasks - 1; i > 0; i--) {
		struct ckpt_task *c = &ctx->tasks[ctx->tasks[i].creator];

		ctx->tasks[i].next_sibling = c->first_child;
		c->first_child = i;
	}
}

static int ckpt_tree_build(struct ckpt_ctx *ctx, struct ckpt_walk *w)
{
	int *scratch;

	ctx->tasks = kvcalloc(w->nr, sizeof(*ctx->tasks), GFP_KERNEL);
	ctx->tree = kvcalloc(w->nr, sizeof(*ctx->tree), GFP_KERNEL);
	scratch = kvmalloc_array(4 * w->nr, sizeof(int), GFP_KERNEL);
	if (!ctx->tasks || !ctx->tree || !scratch) {
		kvfree(scratch);
		return -ENOMEM;
	}
	ckpt_tree_order(ctx, w, scratch, scratch + w->nr, scratch + 2 * w->nr,
			scratch + 3 * w->nr);
	kvfree(scratch);
	ctx->nr_tasks = w->nr;
	ckpt_tree_links(ctx);
	return ckpt_tree_fill(ctx);
}

/**
 * ckpt_tree_collect - find the tasks of the tree rooted at @root
 * @ctx: the checkpoint context
 * @root: the root, a thread group leader
 *
 * Fills ctx->tasks, with a reference on each task, and ctx->tree.
 *
 * Return: 0 or -errno.
 */
int ckpt_tree_collect(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w;
	int ret;

	ret = ckpt_walk_alloc(&w);
	if (ret)
		return ret;
	ret = ckpt_walk_tree(&w, root);
	if (ret)
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "the tree of pid %d has more than %d tasks",
			       task_pid_vnr(root), CKPT_MAX_TASKS);
	else if (w.bad_leader)
		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "a process in the tree of pid %d has an exited thread group leader: not supported",
			       task_pid_vnr(root));
	else
		ret = ckpt_tree_build(ctx, &w);
	ckpt_walk_free(&w);
	/* Parked tasks wait for the release that follows this collection */
	ctx->release = CKPT_HOLD;
	return ret;
}

/**
 * ckpt_tree_has - is @t a task of the tree?
 * @ctx: the checkpoint context, its tree collected
 * @t: the task
 *
 * Return: true if it is.
 */
bool ckpt_tree_has(struct ckpt_ctx *ctx, struct task_struct *t)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++)
		if (ctx->tasks[i].task == t)
			return true;
	return false;
}

/**
 * ckpt_tree_changed - did the tree change since ckpt_tree_collect()?
 * @ctx: the checkpoint context
 * @root: the root
 *
 * Called with every task parked: a parked task neither forks nor exits,
 * so the answer stays true until they are released.
 *
 * Return: true if a task was created or went away.
 */
bool ckpt_tree_changed(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w;
	bool changed = true;
	unsigned int i;

	if (ckpt_walk_alloc(&w))
		return true;
	if (!ckpt_walk_tree(&w, root) && !w.bad_leader &&
	    w.nr == ctx->nr_tasks) {
		changed = false;
		for (i = 0; i < w.nr && !changed; i++)
			changed = !ckpt_tree_has(ctx, w.task[i]);
	}
	ckpt_walk_free(&w);
	return changed;
}

/**
 * ckpt_tree_check_pidns - is every task of the saved pid namespace saved?
 * @ctx: the checkpoint context, its tree collected and parked
 *
 * Return: 0, or -EOPNOTSUPP naming a task of the namespace that is not a
 * descendant of its init (one that entered it with setns()).
 */
int ckpt_tree_check_pidns(struct ckpt_ctx *ctx)
{
	pid_t nr;

	if (!(ctx->tree_flags & CKPT_TREE_F_PIDNS))
		return 0;
	nr = ckpt_pidns_stray(ctx, ctx->pidns);
	if (!nr)
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d is in the saved pid namespace but not in the tree of its init: not supported",
			nr);
}

/**
 * ckpt_tree_release - drop the tasks of ckpt_tree_collect()
 * @ctx: the checkpoint context, its tasks thawed
 */
void ckpt_tree_release(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		ckpt_arch_free_cpu(&ctx->tasks[i].cpu);
		if (ctx->tasks[i].task)
			put_task_struct(ctx->tasks[i].task);
	}
	kvfree(ctx->tasks);
	kvfree(ctx->tree);
	ctx->tasks = NULL;
	ctx->tree = NULL;
	ctx->nr_tasks = 0;
}

static void ckpt_tree_entry_fill(struct ckpt_ctx *ctx, unsigned int i)
{
	struct ckpt_tree_entry *e = &ctx->tree[i];
	struct task_struct *t = ctx->tasks[i].task;
	struct pid_namespace *ns = ctx->pidns;

	e->pid = task_pid_nr_ns(t, ns);
	e->tgid = task_tgid_nr_ns(t, ns);
	e->ppid = i ? task_pid_nr_ns(rcu_dereference(t->real_parent), ns) : 0;
	e->pgid = task_pgrp_nr_ns(t, ns);
	e->sid = task_session_nr_ns(t, ns);
	e->flags &= ~(CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE);
	if (!thread_group_leader(t))
		e->flags |= CKPT_TREE_THREAD;
	if (t->exit_state)
		e->flags |= CKPT_TREE_ZOMBIE;
	/* The root's threads have their parent outside the tree too */
	if (e->flags & CKPT_TREE_THREAD && !ctx->tasks[i].creator)
		e->ppid = 0;
}

/**
 * ckpt_tree_fill - (re)compute the TREE entries of the collected tasks
 * @ctx: the checkpoint context
 *
 * The sharing flags are left alone: ckpt_task_refs() sets them.
 *
 * Return: 0.
 */
int ckpt_tree_fill(struct ckpt_ctx *ctx)
{
	unsigned int i;

	read_lock(&tasklist_lock);
	rcu_read_lock();
	for (i = 0; i < ctx->nr_tasks; i++)
		ckpt_tree_entry_fill(ctx, i);
	rcu_read_unlock();
	read_unlock(&tasklist_lock);
	return 0;
}

/**
 * ckpt_tree_find - find a task of the tree by one of its ids
 * @ctx: the context, its tree filled (or read)
 * @id: the id, as the tree sees it
 * @type: which id: PIDTYPE_PID (the task's own), PIDTYPE_TGID (its
 *	process's) or PIDTYPE_PGID (its process group's)
 *
 * Return: the index of the first task found, or -1.
 */
int ckpt_tree_find(const struct ckpt_ctx *ctx, pid_t id, enum pid_type type)
{
	const struct ckpt_tree_entry *e;
	unsigned int i;

	for (i = 0; id > 0 && i < ctx->nr_tasks; i++) {
		e = &ctx->tree[i];
		if ((type == PIDTYPE_PID ? e->pid :
		     type == PIDTYPE_TGID ? e->tgid : e->pgid) == id)
			return i;
	}
	return -1;
}

/**
 * ckpt_write_tree - write the TREE record
 * @ctx: the checkpoint context, its tree filled
 *
 * Return: 0 or -errno.
 */
int ckpt_write_tree(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_tree h = {};

	h.nr_tasks = ctx->nr_tasks;
	h.flags = ctx->tree_flags;
	return ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_TREE, sizeof(h),
				      ctx->tree,
				      ctx->nr_tasks * sizeof(*ctx->tree));
}

/* The task whose process group @i joins at restart, or -1: none needed */
static int ckpt_tree_pgrp_donor(struct ckpt_ctx *ctx, int i)
{
	const struct ckpt_tree_entry *e = &ctx->tree[i];
	int c = ctx->tasks[i].creator, j;

	if (e->pgid == e->pid || (c >= 0 && e->pgid == ctx->tree[c].pgid))
		return -1;
	for (j = 0; j < i; j++)
		if (!(ctx->tree[j].flags & CKPT_TREE_THREAD) &&
		    ctx->tree[j].pgid == e->pgid && ctx->tree[j].sid == e->sid)
			return j;
	return -2;
}

/**
 * ckpt_tree_check_groups - can the sessions and process groups be rebuilt?
 * @ctx: the context, its tree and creators known
 *
 * A process either leads its session or inherits it from its creator; it
 * leads its process group, inherits it or joins the group of a process
 * restored before it.  The root may be in a session and group of the
 * restarter's.  A thread has its leader's.
 *
 * Return: 0, or -EOPNOTSUPP (checkpoint) / -EBADMSG (restart).
 */
int ckpt_tree_check_groups(struct ckpt_ctx *ctx)
{
	int err = ctx->restart ? -EBADMSG : -EOPNOTSUPP;
	unsigned int i;

	for (i = 1; i < ctx->nr_tasks; i++) {
		const struct ckpt_tree_entry *e = &ctx->tree[i];
		const struct ckpt_tree_entry *c =
			&ctx->tree[ctx->tasks[i].creator];

		if (e->flags & CKPT_TREE_THREAD) {
			if (e->pgid != c->pgid || e->sid != c->sid)
				return ckpt_err(ctx, err,
						"thread %d is not in its leader's process group",
						e->pid);
			continue;
		}
		if (e->sid != e->pid && e->sid != c->sid)
			return ckpt_err(ctx, err,
					"pid %d is in session %d, whose leader is not its creator's: not supported",
					e->pid, e->sid);
		if (ckpt_tree_pgrp_donor(ctx, i) == -2)
			return ckpt_err(ctx, err,
					"pid %d is in process group %d, which no task restored before it is in: not supported",
					e->pid, e->pgid);
	}
	return 0;
}

/* Join the process group of a task restored before; tasklist_lock held */
static int rstr_join_pgrp(struct task_struct *donor)
{
	struct pid *pgrp = task_pgrp(donor);

	if (task_session(donor) != task_session(current))
		return -EPERM;
	if (task_pgrp(current) != pgrp)
		change_pid(current, PIDTYPE_PGID, pgrp);
	return 0;
}

/**
 * rstr_set_groups - put the current task in its session and process group
 * @ctx: the restart context
 * @ct: the current task, a process, its tree entry checked
 *
 * Return: 0 or -errno.
 */
int rstr_set_groups(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	const struct ckpt_tree_entry *e = &ctx->tree[ct->idx];
	int donor, ret = 0;

	if (e->flags & CKPT_TREE_THREAD)
		return 0;
	if (e->sid == e->pid) {
		ret = ksys_setsid();
		if (ret < 0)
			return ckpt_err(ctx, ret, "pid %d: setsid failed: error %d",
					e->pid, ret);
		return 0;
	}
	if (e->pgid == e->pid) {
		write_lock_irq(&tasklist_lock);
		if (task_pgrp(current) != task_pid(current))
			change_pid(current, PIDTYPE_PGID, task_pid(current));
		write_unlock_irq(&tasklist_lock);
		return 0;
	}
	donor = ckpt_tree_pgrp_donor(ctx, ct->idx);
	if (donor >= 0) {
		write_lock_irq(&tasklist_lock);
		ret = rstr_join_pgrp(ctx->tasks[donor].task);
		write_unlock_irq(&tasklist_lock);
	}
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: joining process group %d failed",
				e->pid, e->pgid);
	return 0;
}

/* Creator of entry @i by the rules of the format, or -1 if invalid */
static int rstr_tree_creator(struct ckpt_ctx *ctx, struct xarray *pids,
			     unsigned int i)
{
	const struct ckpt_tree_entry *e = &ctx->tree[i];
	unsigned long c;

	if (e->flags & CKPT_TREE_THREAD)
		c = xa_to_value(xa_load(pids, e->tgid) ?: xa_mk_value(0));
	else
		c = xa_to_value(xa_load(pids, e->ppid) ?: xa_mk_value(0));
	return c ? c - 1 : -1;
}

/* One entry's own fields, and those it must share with its creator */
static bool rstr_tree_entry_ok(struct ckpt_ctx *ctx, unsigned int i, int c)
{
	const struct ckpt_tree_entry *e = &ctx->tree[i];
	const struct ckpt_tree_entry *p = c >= 0 ? &ctx->tree[c] : NULL;
	u32 f = e->flags;

	/* A group or session of pid 0: the kernel's, outside the tree */
	if (e->pid <= 0 || e->pid >= PID_MAX_LIMIT || e->pgid < 0 ||
	    e->pgid >= PID_MAX_LIMIT || e->sid < 0 ||
	    e->sid >= PID_MAX_LIMIT || e->ppid < 0 || f & ~CKPT_TREE_FLAGS)
		return false;
	if ((e->sid == e->pid && e->pgid != e->pid) ||
	    (f & CKPT_TREE_SHARE_SIGHAND && !(f & CKPT_TREE_SHARE_VM)) ||
	    (f & CKPT_TREE_ZOMBIE && f & ~CKPT_TREE_ZOMBIE))
		return false;
	if (!p)		/* the root: a process, its parent outside */
		return !(f & CKPT_TREE_THREAD) && e->tgid == e->pid &&
		       !e->ppid && !(f & CKPT_TREE_ZOMBIE);
	if (p->flags & CKPT_TREE_ZOMBIE)
		return false;
	if (f & CKPT_TREE_THREAD)
		return e->tgid != e->pid && e->tgid == p->pid &&
		       e->ppid == p->ppid && !(p->flags & CKPT_TREE_THREAD) &&
		       f & CKPT_TREE_SHARE_SIGHAND;
	return e->tgid == e->pid && e->ppid == p->pid;
}

/* Entries are unique and in creation order; sets the creators */
static int rstr_tree_links(struct ckpt_ctx *ctx, struct xarray *pids,
			   int *stack)
{
	unsigned int i;
	int top = 0, c;

	for (i = 0; i < ctx->nr_tasks; i++) {
		if (ctx->tree[i].pid <= 0 ||
		    xa_insert(pids, ctx->tree[i].pid, xa_mk_value(i + 1),
			      GFP_KERNEL))
			return ckpt_err(ctx, -EBADMSG,
					"TREE: invalid or repeated pid %d",
					ctx->tree[i].pid);
	}
	for (i = 0; i < ctx->nr_tasks; i++) {
		c = i ? rstr_tree_creator(ctx, pids, i) : -1;
		/* The creator must be on the path to the previous entry */
		while (top && stack[top - 1] != c)
			top--;
		if ((i && !top) || !rstr_tree_entry_ok(ctx, i, c))
			return ckpt_err(ctx, -EBADMSG,
					"TREE: invalid task %d (tgid %d ppid %d pgid %d sid %d flags %#x)",
					ctx->tree[i].pid, ctx->tree[i].tgid,
					ctx->tree[i].ppid, ctx->tree[i].pgid,
					ctx->tree[i].sid, ctx->tree[i].flags);
		stack[top++] = i;
		ctx->tasks[i].creator = c;
	}
	ckpt_tree_links(ctx);
	return 0;
}

/* A whole pid namespace is restored into a new one, as its init */
static int rstr_check_pidns(struct ckpt_ctx *ctx)
{
	bool whole = ctx->tree_flags & CKPT_TREE_F_PIDNS;

	if (whole && ctx->tree[0].pid != 1)
		return ckpt_err(ctx, -EBADMSG,
				"TREE: the init of a pid namespace has pid %d",
				ctx->tree[0].pid);
	if (whole && !(ctx->flags & RSTR_PIDNS))
		return ckpt_err(ctx, -EINVAL,
				"the image holds a whole pid namespace: restart it into a new one (RSTR_PIDNS)");
	return 0;
}

static int rstr_tree_alloc(struct ckpt_ctx *ctx, unsigned int nr)
{
	ctx->tasks = kvcalloc(nr, sizeof(*ctx->tasks), GFP_KERNEL);
	if (!ctx->tasks)
		return -ENOMEM;
	ctx->nr_tasks = nr;
	return 0;
}

/**
 * rstr_read_tree - read and check the TREE record
 * @ctx: the restart context
 *
 * Allocates ctx->tasks, one per entry, with their creators and links.
 *
 * Return: 0 or -errno.
 */
int rstr_read_tree(struct ckpt_ctx *ctx)
{
	const size_t max = CKPT_MAX_TASKS * sizeof(struct ckpt_tree_entry);
	struct ckpt_hdr_tree h;
	struct xarray pids;
	size_t plen;
	int *stack;
	int ret;

	ctx->tree = kvmalloc(max, GFP_KERNEL);
	if (!ctx->tree)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_TREE, &h.h, sizeof(h),
				    ctx->tree, max, &plen);
	if (ret)
		return ret;
	if (!h.nr_tasks || h.flags & ~(CKPT_TREE_F_PIDNS | CKPT_TREE_F_NESTED) ||
	    plen != h.nr_tasks * sizeof(*ctx->tree))
		return ckpt_err(ctx, -EBADMSG, "malformed TREE record");
	ctx->tree_flags = h.flags;
	ret = rstr_check_pidns(ctx);
	if (ret)
		return ret;
	ret = rstr_tree_alloc(ctx, h.nr_tasks);
	if (ret)
		return ret;
	stack = kvmalloc_array(h.nr_tasks, sizeof(*stack), GFP_KERNEL);
	if (!stack)
		return -ENOMEM;
	xa_init(&pids);
	ret = rstr_tree_links(ctx, &pids, stack);
	xa_destroy(&pids);
	kvfree(stack);
	if (!ret)
		ret = rstr_read_pidns(ctx);
	return ret ?: ckpt_tree_check_groups(ctx);
}
