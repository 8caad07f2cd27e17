// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: pid namespaces below the tree's own.
 *
 * The TREE names every task by its pid in the tree's namespace.  A task
 * in a namespace below it (nested: a container in the container) also
 * has a pid at each level down to its own namespace, and every task
 * creates its children in some namespace (its own, or one below after
 * setns() or unshare(CLONE_NEWPID)).  The PIDNS record lists those
 * namespaces and, per task, both namespaces and the pids below.
 *
 * At restart, tasks are created in tree order, each with its pids at
 * every level (set_tid).  The first task of a namespace is its init, and
 * is created with CLONE_NEWPID; the others are created with their
 * creator's namespace for children switched to theirs.  Once a task has
 * created its children, it is left creating them in the namespace it
 * was saved with; a namespace without tasks is created anew then.
 */
#include <linux/checkpoint.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

static bool ckpt_ns_below(struct pid_namespace *ns, struct pid_namespace *base)
{
	while (ns && ns->level > base->level)
		ns = ns->parent;
	return ns == base;
}

/**
 * ckpt_pidns_ok - is a task's pid namespace the tree's or one below it?
 * @ctx: the checkpoint context
 * @t: the task
 *
 * Return: true if it is.
 */
bool ckpt_pidns_ok(struct ckpt_ctx *ctx, struct task_struct *t)
{
	return ckpt_ns_below(task_active_pid_ns(t), ctx->pidns);
}

/* Is namespace @a (an index) @b or below it? */
static bool ckpt_nested_below(const struct ckpt_nested *n, u32 a, u32 b)
{
	while (n->level[a] > n->level[b])
		a = n->parent[a];
	return a == b;
}

/* Is task @i an ancestor of task @j in the creation tree? */
static bool ckpt_tree_ancestor(struct ckpt_ctx *ctx, int i, int j)
{
	while (j > i)
		j = ctx->tasks[j].creator;
	return j == i;
}

static struct ckpt_nested *ckpt_nested_alloc(unsigned int nr_tasks)
{
	struct ckpt_nested *n = kvzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->tasks = kvcalloc(nr_tasks, sizeof(*n->tasks), GFP_KERNEL);
	n->vpid_off = kvcalloc(nr_tasks, sizeof(*n->vpid_off), GFP_KERNEL);
	if (!n->tasks || !n->vpid_off) {
		ckpt_nested_free(n);
		return NULL;
	}
	return n;
}

/**
 * ckpt_nested_free - drop the pid namespaces and tables of a context
 * @n: the tables, or NULL
 */
void ckpt_nested_free(struct ckpt_nested *n)
{
	unsigned int k;

	if (!n)
		return;
	for (k = 0; k <= n->nr_ns; k++)
		if (n->ns[k])
			put_pid_ns(n->ns[k]);
	kvfree(n->tasks);
	kvfree(n->vpid_off);
	kvfree(n->vpids);
	kvfree(n);
}

/* One task's namespaces: where it is, where it was created from */
static int ckpt_nested_check_task(struct ckpt_ctx *ctx, unsigned int i,
				  unsigned int *off)
{
	int err = ctx->restart ? -EBADMSG : -EOPNOTSUPP;
	const struct ckpt_tree_entry *e = &ctx->tree[i];
	struct ckpt_nested *n = ctx->nested;
	const struct ckpt_pidns_task *t = &n->tasks[i];
	u32 cns;

	if (t->ns > n->nr_ns || t->ns_children > n->nr_ns ||
	    !ckpt_nested_below(n, t->ns_children, t->ns) ||
	    (e->flags & CKPT_TREE_ZOMBIE && t->ns_children != t->ns) ||
	    n->nr_vpids - *off < n->level[t->ns])
		return ckpt_err(ctx, -EBADMSG,
				"PIDNS: invalid namespaces %u and %u of pid %d",
				t->ns, t->ns_children, e->pid);
	n->vpid_off[i] = *off;
	*off += n->level[t->ns];
	if (!i && t->ns)
		return ckpt_err(ctx, err,
				"the root, pid %d, is in a pid namespace below the tree's without being its init: not supported",
				e->pid);
	if (!i)
		return 0;
	cns = n->tasks[ctx->tasks[i].creator].ns;
	if (e->flags & CKPT_TREE_THREAD && t->ns != cns)
		return ckpt_err(ctx, -EBADMSG,
				"PIDNS: thread %d is in another pid namespace than its leader",
				e->pid);
	if (n->first[t->ns] < 0) {
		if (n->parent[t->ns] != cns || n->vpids[n->vpid_off[i]] != 1)
			return ckpt_err(ctx, err,
					"pid %d comes before the init of its pid namespace in the tree: not supported",
					e->pid);
		n->first[t->ns] = i;
	} else if (!ckpt_nested_below(n, t->ns, cns)) {
		return ckpt_err(ctx, -EBADMSG,
				"PIDNS: pid %d is in a pid namespace its creator cannot create tasks in",
				e->pid);
	}
	return 0;
}

/*
 * The namespace a task creates children in must exist when it is done
 * creating its own: the init of that namespace comes before it or below
 * it in the tree.  An empty one is created by the one task using it,
 * which is in its parent.
 */
static int ckpt_nested_check_children(struct ckpt_ctx *ctx)
{
	int err = ctx->restart ? -EBADMSG : -EOPNOTSUPP;
	struct ckpt_nested *n = ctx->nested;
	unsigned int i;
	int j;
	u32 k;

	for (i = 0; i < ctx->nr_tasks; i++) {
		k = n->tasks[i].ns_children;
		j = n->first[k];
		if (k == n->tasks[i].ns)
			continue;
		if (j >= 0 && (unsigned int)j > i &&
		    !ckpt_tree_ancestor(ctx, i, j))
			return ckpt_err(ctx, err,
					"pid %d creates its children in a pid namespace whose init comes after it in the tree: not supported",
					ctx->tree[i].pid);
		if (j < 0 && (n->maker[k] || n->parent[k] != n->tasks[i].ns))
			return ckpt_err(ctx, err,
					"pid %d creates its children in an empty pid namespace that another task, or one outside its own, uses too: not supported",
					ctx->tree[i].pid);
		if (j < 0)
			n->maker[k] = i + 1;
	}
	for (k = 1; k <= n->nr_ns; k++)
		if (n->first[k] < 0 && !n->maker[k])
			return ckpt_err(ctx, -EBADMSG,
					"PIDNS: pid namespace %u is not used", k);
	return 0;
}

/* The pids of a task at each level below the tree's are unique there */
static int ckpt_nested_check_vpids(struct ckpt_ctx *ctx, struct xarray *seen)
{
	struct ckpt_nested *n = ctx->nested;
	unsigned int i, l;
	unsigned long key;
	s32 nr;
	u32 a;

	for (i = 0; i < ctx->nr_tasks; i++) {
		a = n->tasks[i].ns;
		for (l = 0; a; l++, a = n->parent[a]) {
			nr = n->vpids[n->vpid_off[i] + l];
			key = (unsigned long)a * PID_MAX_LIMIT + nr;
			if (nr <= 0 || nr >= PID_MAX_LIMIT ||
			    xa_insert(seen, key, xa_mk_value(i), GFP_KERNEL))
				return ckpt_err(ctx, -EBADMSG,
						"PIDNS: invalid or repeated pid %d of pid %d",
						nr, ctx->tree[i].pid);
		}
	}
	return 0;
}

/*
 * Can the nested pid namespaces be rebuilt?  Checks the namespaces of
 * every task against the rules of the format and fills in the init of
 * each namespace; -EOPNOTSUPP (checkpoint) or -EBADMSG (restart) if not.
 */
static int ckpt_nested_check(struct ckpt_ctx *ctx)
{
	struct ckpt_nested *n = ctx->nested;
	unsigned int i, off = 0;
	struct xarray seen;
	int ret = 0;

	for (i = 0; i <= n->nr_ns; i++) {
		n->first[i] = -1;
		n->maker[i] = 0;
	}
	n->first[0] = 0;
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_nested_check_task(ctx, i, &off);
	if (!ret && off != n->nr_vpids)
		ret = ckpt_err(ctx, -EBADMSG, "PIDNS: %u pids, %u expected",
			       n->nr_vpids, off);
	if (!ret)
		ret = ckpt_nested_check_children(ctx);
	if (ret)
		return ret;
	xa_init(&seen);
	ret = ckpt_nested_check_vpids(ctx, &seen);
	xa_destroy(&seen);
	return ret;
}

/* The index of @ns in the table, added with its parents if new */
static int ckpt_nested_index(struct ckpt_ctx *ctx, struct pid_namespace *ns)
{
	struct ckpt_nested *n = ctx->nested;
	unsigned int k;
	int p;

	if (ns == ctx->pidns)
		return 0;
	if (!ns || ns->level <= ctx->pidns->level)
		return -EINVAL;
	for (k = 1; k <= n->nr_ns; k++)
		if (n->ns[k] == ns)
			return k;
	p = ckpt_nested_index(ctx, ns->parent);
	if (p < 0)
		return p;
	if (n->nr_ns == CKPT_MAX_PIDNS)
		return -E2BIG;
	k = ++n->nr_ns;
	n->ns[k] = get_pid_ns(ns);
	n->parent[k] = p;
	n->level[k] = n->level[p] + 1;
	return k;
}

static struct pid_namespace *ckpt_ns_for_children(struct task_struct *t)
{
	struct pid_namespace *ns = task_active_pid_ns(t);

	task_lock(t);
	if (t->nsproxy)
		ns = t->nsproxy->pid_ns_for_children;
	task_unlock(t);
	return ns;
}

static int ckpt_nested_add_task(struct ckpt_ctx *ctx, unsigned int i)
{
	struct task_struct *t = ctx->tasks[i].task;
	struct ckpt_pidns_task *nt = &ctx->nested->tasks[i];
	int a, c;

	a = ckpt_nested_index(ctx, task_active_pid_ns(t));
	c = ckpt_nested_index(ctx, ckpt_ns_for_children(t));
	if (a == -E2BIG || c == -E2BIG)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"the tree has more than %d pid namespaces",
				CKPT_MAX_PIDNS);
	if (a < 0 || c < 0)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d is in a pid namespace that is not the tree's nor below it",
				ctx->tree[i].pid);
	nt->ns = a;
	nt->ns_children = c;
	ctx->nested->nr_vpids += ctx->nested->level[a];
	return 0;
}

/* The pids of the tasks in nested namespaces, at each level below */
static int ckpt_nested_fill_vpids(struct ckpt_ctx *ctx)
{
	struct ckpt_nested *n = ctx->nested;
	unsigned int i, l, base = ctx->pidns->level, off = 0;
	struct pid *pid;

	n->vpids = kvmalloc_array(n->nr_vpids ?: 1, sizeof(*n->vpids),
				  GFP_KERNEL);
	if (!n->vpids)
		return -ENOMEM;
	rcu_read_lock();
	for (i = 0; i < ctx->nr_tasks; i++) {
		pid = task_pid(ctx->tasks[i].task);
		for (l = n->level[n->tasks[i].ns]; l > 0; l--)
			n->vpids[off++] = pid->numbers[base + l].nr;
	}
	rcu_read_unlock();
	return 0;
}

/**
 * ckpt_pidns_stray - a task in @ns that the tree lacks
 * @ctx: the checkpoint context, its tree collected
 * @ns: a pid namespace
 *
 * Return: the task's pid as the caller sees it, or 0 if there is none.
 */
pid_t ckpt_pidns_stray(struct ckpt_ctx *ctx, struct pid_namespace *ns)
{
	struct task_struct *t;
	pid_t out = 0;
	struct pid *pid;
	int nr;

	rcu_read_lock();
	idr_for_each_entry(&ns->idr, pid, nr) {
		t = pid_task(pid, PIDTYPE_PID);
		if (t && t->exit_state != EXIT_DEAD && !ckpt_tree_has(ctx, t)) {
			out = task_pid_vnr(t);
			break;
		}
	}
	rcu_read_unlock();
	return out;
}

/* Each nested namespace is wholly in the tree, and of its user namespace */
static int ckpt_nested_check_whole(struct ckpt_ctx *ctx, unsigned int k)
{
	struct pid_namespace *ns = ctx->nested->ns[k];
	pid_t nr;

	if (ns->user_ns != current_user_ns())
		return ckpt_err(ctx, -EOPNOTSUPP,
				"a pid namespace of the tree belongs to another user namespace than the checkpointer's: not supported");
	nr = ckpt_pidns_stray(ctx, ns);
	if (!nr)
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d is in a pid namespace of the tree but not in the tree: not supported",
			nr);
}

/* An empty namespace can be created again only if it can still be used */
static int ckpt_nested_check_alive(struct ckpt_ctx *ctx, unsigned int k)
{
	struct ckpt_nested *n = ctx->nested;

	if (n->first[k] >= 0 ||
	    READ_ONCE(n->ns[k]->pid_allocated) & PIDNS_ADDING)
		return 0;
	return ckpt_err(ctx, -EOPNOTSUPP,
			"pid %d creates its children in a pid namespace whose init has exited: not supported",
			ctx->tree[n->maker[k] - 1].pid);
}

/**
 * ckpt_collect_pidns - find the pid namespaces below the tree's
 * @ctx: the checkpoint context, its tree filled
 *
 * Sets CKPT_TREE_F_NESTED and fills ctx->nested if a task is in one, or
 * creates its children in one.
 *
 * Return: 0, or -errno naming the task and the reason.
 */
int ckpt_collect_pidns(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct task_struct *t = ctx->tasks[i].task;

		if (task_active_pid_ns(t) != ctx->pidns ||
		    ckpt_ns_for_children(t) != ctx->pidns)
			break;
	}
	if (i == ctx->nr_tasks)
		return 0;
	ctx->nested = ckpt_nested_alloc(ctx->nr_tasks);
	if (!ctx->nested)
		return -ENOMEM;
	ctx->nested->ns[0] = get_pid_ns(ctx->pidns);
	for (i = 0; !ret && i < ctx->nr_tasks; i++)
		ret = ckpt_nested_add_task(ctx, i);
	if (!ret)
		ret = ckpt_nested_fill_vpids(ctx);
	for (i = 1; !ret && i <= ctx->nested->nr_ns; i++)
		ret = ckpt_nested_check_whole(ctx, i);
	if (!ret)
		ret = ckpt_nested_check(ctx);
	for (i = 1; !ret && i <= ctx->nested->nr_ns; i++)
		ret = ckpt_nested_check_alive(ctx, i);
	if (!ret)
		ctx->tree_flags |= CKPT_TREE_F_NESTED;
	return ret;
}

/**
 * ckpt_write_pidns - write the PIDNS record, if the tree has one
 * @ctx: the checkpoint context, after ckpt_collect_pidns()
 *
 * Return: 0 or -errno.
 */
int ckpt_write_pidns(struct ckpt_ctx *ctx)
{
	struct ckpt_nested *n = ctx->nested;
	struct ckpt_hdr_pidns h = {};
	size_t total;
	int ret;

	if (!n)
		return 0;
	h.nr_ns = n->nr_ns;
	h.nr_vpids = n->nr_vpids;
	total = sizeof(h) + n->nr_ns * sizeof(u32) +
		ctx->nr_tasks * sizeof(*n->tasks) +
		n->nr_vpids * sizeof(*n->vpids);
	ret = ckpt_write_begin(ctx, &h.h, CKPT_HDR_PIDNS, sizeof(h), total);
	if (!ret)
		ret = ckpt_write(ctx, &n->parent[1], n->nr_ns * sizeof(u32));
	if (!ret)
		ret = ckpt_write(ctx, n->tasks,
				 ctx->nr_tasks * sizeof(*n->tasks));
	if (!ret)
		ret = ckpt_write(ctx, n->vpids,
				 n->nr_vpids * sizeof(*n->vpids));
	return ret ?: ckpt_write_end(ctx, total);
}

/* The namespaces' parents: each below its own number, not too deep */
static int rstr_nested_parents(struct ckpt_ctx *ctx, const u32 *parent)
{
	struct ckpt_nested *n = ctx->nested;
	unsigned int k;

	for (k = 1; k <= n->nr_ns; k++) {
		if (parent[k - 1] >= k ||
		    n->level[parent[k - 1]] >= CKPT_MAX_PIDNS_DEPTH)
			return ckpt_err(ctx, -EBADMSG,
					"PIDNS: invalid parent %u of pid namespace %u",
					parent[k - 1], k);
		n->parent[k] = parent[k - 1];
		n->level[k] = n->level[n->parent[k]] + 1;
	}
	return 0;
}

static int rstr_nested_parse(struct ckpt_ctx *ctx,
			     const struct ckpt_hdr_pidns *h,
			     const void *p, size_t plen)
{
	size_t nt = ctx->nr_tasks * sizeof(struct ckpt_pidns_task);
	struct ckpt_nested *n;

	if (!h->nr_ns || h->nr_ns > CKPT_MAX_PIDNS ||
	    h->nr_vpids > ctx->nr_tasks * CKPT_MAX_PIDNS_DEPTH ||
	    plen != h->nr_ns * sizeof(u32) + nt + h->nr_vpids * sizeof(s32))
		return ckpt_err(ctx, -EBADMSG, "malformed PIDNS record");
	n = ckpt_nested_alloc(ctx->nr_tasks);
	if (!n)
		return -ENOMEM;
	ctx->nested = n;
	n->nr_ns = h->nr_ns;
	n->nr_vpids = h->nr_vpids;
	n->vpids = kvmalloc_array(n->nr_vpids ?: 1, sizeof(*n->vpids),
				  GFP_KERNEL);
	if (!n->vpids)
		return -ENOMEM;
	memcpy(n->tasks, p + h->nr_ns * sizeof(u32), nt);
	memcpy(n->vpids, p + h->nr_ns * sizeof(u32) + nt,
	       n->nr_vpids * sizeof(*n->vpids));
	return rstr_nested_parents(ctx, p);
}

/**
 * rstr_read_pidns - read and check the PIDNS record, if the tree has one
 * @ctx: the restart context, its tree read and linked
 *
 * Return: 0 or -errno.
 */
int rstr_read_pidns(struct ckpt_ctx *ctx)
{
	const size_t max = CKPT_MAX_PIDNS * sizeof(u32) +
		CKPT_MAX_TASKS * (sizeof(struct ckpt_pidns_task) +
				  CKPT_MAX_PIDNS_DEPTH * sizeof(s32));
	struct ckpt_hdr_pidns h;
	size_t plen;
	void *p;
	int ret;

	if (!(ctx->tree_flags & CKPT_TREE_F_NESTED))
		return 0;
	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_PIDNS, &h.h,
					  sizeof(h), max, &p, &plen);
	if (!ret)
		ret = rstr_nested_parse(ctx, &h, p, plen);
	kvfree(p);
	return ret ?: ckpt_nested_check(ctx);
}

/**
 * rstr_pidns_spawn - choose the pid namespace and pids of a task to create
 * @ctx: the restart context
 * @i: the task's index, not the root's: the current task creates it
 * @args: its clone arguments: CLONE_NEWPID is added for an init
 * @set_tid: room for CKPT_MAX_PIDNS_DEPTH + 1 pids, set from its own
 *	namespace out to the tree's
 *
 * Switches the current task's namespace for children to the task's.
 *
 * Return: 0 or -errno.
 */
int rstr_pidns_spawn(struct ckpt_ctx *ctx, unsigned int i,
		     struct kernel_clone_args *args, pid_t *set_tid)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct ckpt_nested *n = ctx->nested;
	unsigned int l, level;
	u32 k;
	int ret;

	set_tid[0] = ctx->tree[i].pid;
	args->set_tid_size = 1;
	if (!n)
		return 0;
	k = n->tasks[i].ns;
	level = n->level[k];
	for (l = 0; l < level; l++)
		set_tid[l] = n->vpids[n->vpid_off[i] + l];
	set_tid[level] = ctx->tree[i].pid;
	args->set_tid_size = level + 1;
	if (k && n->first[k] == i)
		args->flags |= CLONE_NEWPID;
	else if (!(ctx->tree[i].flags & CKPT_TREE_THREAD))
		ns = n->ns[k];
	ret = switch_pid_ns_for_children(ns);
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: setting the pid namespace for its children failed: error %d",
				ctx->tree[ctx->tasks[i].creator].pid, ret);
	return 0;
}

/**
 * rstr_pidns_enter - note the pid namespace of the task that starts
 * @ctx: the restart context
 * @ct: the current task, restored
 *
 * The first task of a namespace records it for the tasks that follow.
 */
void rstr_pidns_enter(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_nested *n = ctx->nested;
	u32 k;

	if (!n)
		return;
	k = n->tasks[ct->idx].ns;
	if (n->first[k] == ct->idx && !n->ns[k])
		n->ns[k] = get_pid_ns(task_active_pid_ns(current));
}

/**
 * rstr_pidns_finish - create the current task's children in its namespace
 * @ctx: the restart context
 * @ct: the current task, done creating its children
 *
 * Return: 0 or -errno.
 */
int rstr_pidns_finish(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct ckpt_nested *n = ctx->nested;
	struct pid_namespace *ns;
	pid_t pid = ctx->tree[ct->idx].pid;
	u32 k;
	int ret;

	if (!n)
		return 0;
	k = n->tasks[ct->idx].ns_children;
	if (!n->ns[k]) {
		/* Empty: this task made it (unshare(CLONE_NEWPID)) */
		if (!ns_capable(current_user_ns(), CAP_SYS_ADMIN))
			return ckpt_err(ctx, -EPERM,
					"pid %d: a new pid namespace needs CAP_SYS_ADMIN",
					pid);
		ns = copy_pid_ns(CLONE_NEWPID, current_user_ns(),
				 task_active_pid_ns(current));
		if (IS_ERR(ns))
			return ckpt_err(ctx, PTR_ERR(ns),
					"pid %d: creating a pid namespace failed: error %ld",
					pid, PTR_ERR(ns));
		n->ns[k] = ns;
	}
	ret = switch_pid_ns_for_children(n->ns[k]);
	if (ret)
		return ckpt_err(ctx, ret,
				"pid %d: setting the pid namespace for its children failed: error %d",
				pid, ret);
	return 0;
}
