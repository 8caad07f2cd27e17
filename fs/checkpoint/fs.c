// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: working directory, root directory and umask.
 *
 * Both directories are saved as paths seen from the checkpointer's root
 * and looked up again from the restarter's.  A root other than the
 * restarter's own needs CAP_SYS_CHROOT, as chroot() does.
 */
#include <linux/capability.h>
#include <linux/checkpoint.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/slab.h>

static int ckpt_fs_path(struct ckpt_ctx *ctx, struct task_struct *t,
			const struct path *path, char *buf, const char *what,
			char **res)
{
	char *p = d_path(path, buf, CKPT_PATH_MAX);

	if (IS_ERR(p) || p[0] != '/' || d_unlinked(path->dentry))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"pid %d: its %s has no path from the root (deleted?)",
				task_pid_vnr(t), what);
	*res = p;
	return 0;
}

/* Paths of a task's cwd and root into @buf (2 * CKPT_PATH_MAX bytes) */
static int ckpt_fs_snapshot(struct ckpt_ctx *ctx, struct task_struct *t,
			    char *buf, struct ckpt_hdr_fs *h, char **cwd_s,
			    char **root_s)
{
	struct path pwd, root;
	int ret;

	task_lock(t);
	if (!t->fs) {
		task_unlock(t);
		return ckpt_err(ctx, -ESRCH, "pid %d is exiting", task_pid_vnr(t));
	}
	get_fs_pwd(t->fs, &pwd);
	get_fs_root(t->fs, &root);
	h->umask = t->fs->umask;
	task_unlock(t);

	ret = ckpt_fs_path(ctx, t, &pwd, buf, "working directory", cwd_s);
	if (!ret)
		ret = ckpt_fs_path(ctx, t, &root, buf + CKPT_PATH_MAX,
				   "root directory", root_s);
	path_put(&pwd);
	path_put(&root);
	return ret;
}

/**
 * ckpt_collect_fs - check that a task's cwd and root can be saved
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0 or -errno.
 */
int ckpt_collect_fs(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_fs h = {};
	char *buf, *cwd_s, *root_s;
	int ret;

	buf = kmalloc(2 * CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = ckpt_fs_snapshot(ctx, t, buf, &h, &cwd_s, &root_s);
	kfree(buf);
	return ret;
}

/**
 * ckpt_write_fs - write the FS record of a task
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0 or -errno.
 */
int ckpt_write_fs(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_hdr_fs h = {};
	char *buf, *cwd_s, *root_s;
	size_t total;
	int ret;

	buf = kmalloc(2 * CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = ckpt_fs_snapshot(ctx, t, buf, &h, &cwd_s, &root_s);
	if (ret)
		goto out;
	h.ref = ckpt_obj_lookup(ctx, t->fs, CKPT_OBJ_FS);
	h.cwd_len = strlen(cwd_s) + 1;
	h.root_len = strlen(root_s) + 1;
	total = sizeof(h) + h.cwd_len + h.root_len;
	ret = ckpt_write_begin(ctx, &h.h, CKPT_HDR_FS, sizeof(h), total);
	if (!ret)
		ret = ckpt_write(ctx, cwd_s, h.cwd_len);
	if (!ret)
		ret = ckpt_write(ctx, root_s, h.root_len);
	if (!ret)
		ret = ckpt_write_end(ctx, total);
out:
	kfree(buf);
	return ret;
}

static int rstr_lookup_dir(struct ckpt_ctx *ctx, const char *name,
			   struct path *path)
{
	int ret;

	ret = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);
	if (ret)
		return ckpt_err(ctx, ret, "directory %s: error %d", name, ret);
	ret = path_permission(path, MAY_EXEC | MAY_CHDIR);
	if (ret) {
		path_put(path);
		return ckpt_err(ctx, ret, "directory %s: error %d", name, ret);
	}
	return 0;
}

static int rstr_set_dirs(struct ckpt_ctx *ctx, const char *cwd,
			 const char *root)
{
	struct path pwd, rpath, cur;
	bool same;
	int ret;

	ret = rstr_lookup_dir(ctx, cwd, &pwd);
	if (ret)
		return ret;
	ret = rstr_lookup_dir(ctx, root, &rpath);
	if (ret) {
		path_put(&pwd);
		return ret;
	}
	get_fs_root(current->fs, &cur);
	same = path_equal(&cur, &rpath);
	path_put(&cur);
	if (!same && !ns_capable(current_user_ns(), CAP_SYS_CHROOT)) {
		ret = ckpt_err(ctx, -EPERM, "restoring root %s needs CAP_SYS_CHROOT",
			       root);
	} else {
		set_fs_pwd(current->fs, &pwd);
		if (!same)
			set_fs_root(current->fs, &rpath);
	}
	path_put(&pwd);
	path_put(&rpath);
	return ret;
}

/**
 * rstr_read_fs - restore the current task's cwd, root and umask
 * @ctx: the restart context
 *
 * Return: 0 or -errno.
 */
int rstr_read_fs(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_fs h;
	char *buf;
	size_t plen;
	int ret;

	buf = kmalloc(2 * CKPT_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = ckpt_read_obj_payload(ctx, CKPT_HDR_FS, &h.h, sizeof(h), buf,
				    2 * CKPT_PATH_MAX, &plen);
	if (ret)
		goto out;
	if (h.ref != ctx->task_rec.fs_ref || h.umask & ~0777 ||
	    h.cwd_len > CKPT_PATH_MAX || h.root_len > CKPT_PATH_MAX ||
	    h.cwd_len + h.root_len != plen) {
		ret = ckpt_err(ctx, -EBADMSG, "malformed FS record");
		goto out;
	}
	ret = ckpt_check_string(ctx, buf, h.cwd_len, "cwd");
	if (!ret)
		ret = ckpt_check_string(ctx, buf + h.cwd_len, h.root_len, "root");
	if (!ret && (buf[0] != '/' || buf[h.cwd_len] != '/'))
		ret = ckpt_err(ctx, -EBADMSG, "FS paths are not absolute");
	if (!ret)
		ret = rstr_set_dirs(ctx, buf, buf + h.cwd_len);
	if (!ret)
		current->fs->umask = h.umask;
out:
	kfree(buf);
	return ret;
}
