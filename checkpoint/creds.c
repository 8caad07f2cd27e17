// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: credentials.
 *
 * Ids are saved as seen from the checkpointer's user namespace and mapped
 * back in the restarter's.  Without CAP_CHECKPOINT_RESTORE the restarter
 * may only give the restored task credentials it could give itself with
 * setresuid(), setresgid() and capset(): its own ids, its own groups, and
 * capabilities it holds.
 */
#include <linux/capability.h>
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/securebits.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

static u64 ckpt_cap_to_u64(kernel_cap_t cap)
{
	return cap.cap[0] | (u64)cap.cap[1] << 32;
}

static kernel_cap_t ckpt_u64_to_cap(u64 v)
{
	kernel_cap_t cap = { { (u32)v, (u32)(v >> 32) } };

	return cap;
}

/**
 * ckpt_write_creds - write the CREDS record of a task
 * @ctx: the checkpoint context
 * @t: the task
 *
 * Return: 0 or -errno.
 */
int ckpt_write_creds(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *cred = get_task_cred(t);
	struct group_info *gi = cred->group_info;
	struct ckpt_hdr_creds h = {};
	u32 *groups;
	int i, ret;

	h.uid = from_kuid_munged(ns, cred->uid);
	h.euid = from_kuid_munged(ns, cred->euid);
	h.suid = from_kuid_munged(ns, cred->suid);
	h.fsuid = from_kuid_munged(ns, cred->fsuid);
	h.gid = from_kgid_munged(ns, cred->gid);
	h.egid = from_kgid_munged(ns, cred->egid);
	h.sgid = from_kgid_munged(ns, cred->sgid);
	h.fsgid = from_kgid_munged(ns, cred->fsgid);
	h.cap_inheritable = ckpt_cap_to_u64(cred->cap_inheritable);
	h.cap_permitted = ckpt_cap_to_u64(cred->cap_permitted);
	h.cap_effective = ckpt_cap_to_u64(cred->cap_effective);
	h.cap_bset = ckpt_cap_to_u64(cred->cap_bset);
	h.cap_ambient = ckpt_cap_to_u64(cred->cap_ambient);
	h.securebits = cred->securebits;
	h.ngroups = gi->ngroups;

	groups = kvmalloc_array(gi->ngroups ?: 1, sizeof(*groups), GFP_KERNEL);
	if (!groups) {
		put_cred(cred);
		return -ENOMEM;
	}
	for (i = 0; i < gi->ngroups; i++)
		groups[i] = from_kgid_munged(ns, gi->gid[i]);
	put_cred(cred);
	ret = ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_CREDS, sizeof(h),
				     groups, h.ngroups * sizeof(*groups));
	kvfree(groups);
	return ret;
}

static int rstr_read_creds_rec(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_creds *h = &ctx->creds_rec;
	const u64 valid = ckpt_cap_to_u64(CAP_FULL_SET);
	size_t plen;
	int ret;

	ctx->groups = kvmalloc_array(CKPT_MAX_GROUPS, sizeof(u32), GFP_KERNEL);
	if (!ctx->groups)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_CREDS, &h->h, sizeof(*h),
				    ctx->groups, CKPT_MAX_GROUPS * sizeof(u32),
				    &plen);
	if (ret)
		return ret;
	if (h->ngroups > CKPT_MAX_GROUPS || plen != h->ngroups * sizeof(u32))
		return ckpt_err(ctx, -EBADMSG, "CREDS: %u groups", h->ngroups);
	if ((h->cap_inheritable | h->cap_permitted | h->cap_effective |
	     h->cap_bset | h->cap_ambient) & ~valid)
		return ckpt_err(ctx, -EBADMSG, "CREDS: unknown capabilities");
	if ((h->cap_effective & ~h->cap_permitted) ||
	    (h->cap_ambient & ~(h->cap_permitted & h->cap_inheritable)))
		return ckpt_err(ctx, -EBADMSG, "CREDS: inconsistent capabilities");
	if (h->securebits & ~(SECURE_ALL_BITS | SECURE_ALL_LOCKS))
		return ckpt_err(ctx, -EBADMSG, "CREDS: invalid securebits %#x",
				h->securebits);
	return 0;
}

static bool rstr_uid_ok(const struct cred *old, kuid_t uid)
{
	return uid_eq(uid, old->uid) || uid_eq(uid, old->euid) ||
	       uid_eq(uid, old->suid);
}

static bool rstr_gid_ok(const struct cred *old, kgid_t gid)
{
	return gid_eq(gid, old->gid) || gid_eq(gid, old->egid) ||
	       gid_eq(gid, old->sgid);
}

static bool rstr_groups_ok(const struct group_info *a,
			   const struct group_info *b)
{
	int i;

	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return false;
	return true;
}

/* Could the restarter have given itself these credentials? */
static bool rstr_creds_allowed(const struct cred *old, const struct cred *new)
{
	return rstr_uid_ok(old, new->uid) && rstr_uid_ok(old, new->euid) &&
	       rstr_uid_ok(old, new->suid) &&
	       (rstr_uid_ok(old, new->fsuid) || uid_eq(new->fsuid, old->fsuid)) &&
	       rstr_gid_ok(old, new->gid) && rstr_gid_ok(old, new->egid) &&
	       rstr_gid_ok(old, new->sgid) &&
	       (rstr_gid_ok(old, new->fsgid) || gid_eq(new->fsgid, old->fsgid)) &&
	       rstr_groups_ok(old->group_info, new->group_info) &&
	       cap_issubset(new->cap_permitted, old->cap_permitted) &&
	       cap_issubset(new->cap_inheritable,
			    cap_combine(old->cap_inheritable,
					old->cap_permitted)) &&
	       cap_issubset(new->cap_bset, old->cap_bset) &&
	       new->securebits == old->securebits;
}

static int rstr_set_ids(struct ckpt_ctx *ctx, struct cred *new)
{
	struct user_namespace *ns = current_user_ns();
	struct ckpt_hdr_creds *h = &ctx->creds_rec;
	struct group_info *gi;
	int i;

	new->uid = make_kuid(ns, h->uid);
	new->euid = make_kuid(ns, h->euid);
	new->suid = make_kuid(ns, h->suid);
	new->fsuid = make_kuid(ns, h->fsuid);
	new->gid = make_kgid(ns, h->gid);
	new->egid = make_kgid(ns, h->egid);
	new->sgid = make_kgid(ns, h->sgid);
	new->fsgid = make_kgid(ns, h->fsgid);
	if (!uid_valid(new->uid) || !uid_valid(new->euid) ||
	    !uid_valid(new->suid) || !uid_valid(new->fsuid) ||
	    !gid_valid(new->gid) || !gid_valid(new->egid) ||
	    !gid_valid(new->sgid) || !gid_valid(new->fsgid))
		return ckpt_err(ctx, -EINVAL,
				"uid %u or gid %u is not mapped in this user namespace",
				h->uid, h->gid);

	gi = groups_alloc(h->ngroups);
	if (!gi)
		return -ENOMEM;
	for (i = 0; i < h->ngroups; i++) {
		gi->gid[i] = make_kgid(ns, ctx->groups[i]);
		if (!gid_valid(gi->gid[i])) {
			put_group_info(gi);
			return ckpt_err(ctx, -EINVAL,
					"group %u is not mapped in this user namespace",
					ctx->groups[i]);
		}
	}
	groups_sort(gi);
	set_groups(new, gi);
	put_group_info(gi);

	new->cap_inheritable = ckpt_u64_to_cap(h->cap_inheritable);
	new->cap_permitted = ckpt_u64_to_cap(h->cap_permitted);
	new->cap_effective = ckpt_u64_to_cap(h->cap_effective);
	new->cap_bset = ckpt_u64_to_cap(h->cap_bset);
	new->cap_ambient = ckpt_u64_to_cap(h->cap_ambient);
	new->securebits = h->securebits;
	return 0;
}

/*
 * Build the credentials of the CREDS record just read.  The current task
 * still runs with the restarter's credentials: those are what the image
 * is checked against.
 */
static int rstr_prepare_creds(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	struct cred *new = prepare_creds();
	int ret;

	if (!new)
		return -ENOMEM;
	ret = rstr_set_ids(ctx, new);
	if (!ret && !checkpoint_restore_ns_capable(current_user_ns()) &&
	    !rstr_creds_allowed(current_cred(), new))
		ret = ckpt_err(ctx, -EPERM,
			       "pid %d: the image's credentials (uid %u) need CAP_CHECKPOINT_RESTORE",
			       ctx->task_rec.pid, ctx->creds_rec.uid);
	if (ret) {
		abort_creds(new);
		return ret;
	}
	ct->new_cred = new;
	return 0;
}

/**
 * rstr_read_creds - read the CREDS record and prepare the credentials
 * @ctx: the restart context
 * @ct: the current task
 *
 * The credentials are committed last, by rstr_finish_task(), so that the
 * rest of the restore, the creation of the tasks this one creates
 * included, runs with the restarter's.
 *
 * Return: 0, -EPERM if the restarter may not grant them, or -errno.
 */
int rstr_read_creds(struct ckpt_ctx *ctx, struct ckpt_task *ct)
{
	int ret = rstr_read_creds_rec(ctx);

	if (!ret)
		ret = rstr_prepare_creds(ctx, ct);
	kvfree(ctx->groups);
	ctx->groups = NULL;
	return ret;
}
