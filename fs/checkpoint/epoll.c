// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: epoll.
 *
 * An epoll file's FILE record has nothing of its own: its interest set
 * names other open files, which may come after it.  So the root writes
 * one EPOLL record per epoll file, in the order of their FILE records,
 * after all of them (and the LOCKS record): each watch with the FILE it
 * watches, the descriptor it was added with (which may have been closed
 * or moved since), its events and flags (EPOLLET, EPOLLONESHOT...) and
 * its data.  A restart creates empty epoll files, then adds the watches
 * once every file exists; nested epoll files are watches like others.
 * Events ready at checkpoint are found again when the watches are added.
 *
 * A watch of a file that no task of the tree has open is refused.
 */
#include <linux/checkpoint.h>
#include <linux/fs.h>		/* before eventpoll.h, which needs it */
#include <linux/eventpoll.h>
#include <linux/file.h>
#include <linux/slab.h>

/* The events and flags a watch may have */
#define CKPT_EPOLL_EVENTS	(EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | \
				 EPOLLHUP | EPOLLNVAL | EPOLLRDNORM | \
				 EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | \
				 EPOLLMSG | EPOLLRDHUP | EPOLLEXCLUSIVE | \
				 EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)

static bool ckpt_file_epoll_match(struct file *file)
{
	return epoll_file_watches(file, NULL, 0) >= 0;
}

/* The watches of @file, kvmalloc()ed in *@wp; their number or -errno */
static int ckpt_epoll_get(struct file *file, struct epoll_watch **wp)
{
	int n = epoll_file_watches(file, NULL, 0), max;

	*wp = NULL;
	if (n < 0)
		return n;
	if (n > CKPT_MAX_EPOLL_WATCHES)
		return -E2BIG;
	max = n;
	*wp = kvcalloc(max ?: 1, sizeof(**wp), GFP_KERNEL);
	if (!*wp)
		return -ENOMEM;
	n = epoll_file_watches(file, *wp, max);
	return min(n, max);
}

/* Every file an epoll file watches must be open in the tree */
static int ckpt_epoll_check_tree(struct ckpt_ctx *ctx, struct file *file,
				 const char *who)
{
	struct epoll_watch *w;
	int n, i, ret = 0;

	n = ckpt_epoll_get(file, &w);
	if (n == -E2BIG)
		ret = ckpt_file_refuse(ctx, file, who, "too many watches");
	else if (n < 0)
		ret = n;
	for (i = 0; !ret && i < n; i++)
		if (!ckpt_obj_lookup(ctx, w[i].file, CKPT_OBJ_FILE))
			ret = ckpt_file_refuse(ctx, file, who,
					       "watches a file no task of the tree has open");
	kvfree(w);
	return ret;
}

static int ckpt_epoll_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				 struct ckpt_hdr_file *h, char *why,
				 size_t len)
{
	h->pos = 0;
	return 0;
}

static int ckpt_write_epoll(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_epoll_watch *v = NULL;
	struct ckpt_hdr_epoll h = {};
	struct epoll_watch *w;
	int n, i, ret;

	n = ckpt_epoll_get(file, &w);
	if (n < 0)
		return n;
	v = kvcalloc(n ?: 1, sizeof(*v), GFP_KERNEL);
	ret = v ? 0 : -ENOMEM;
	for (i = 0; !ret && i < n; i++) {
		v[i].file_ref = ckpt_obj_lookup(ctx, w[i].file, CKPT_OBJ_FILE);
		v[i].fd = w[i].fd;
		v[i].events = (__force u32)w[i].events;
		v[i].data = w[i].data;
		if (!v[i].file_ref)
			ret = ckpt_err(ctx, -EAGAIN,
				       "an epoll file watches a file closed during the checkpoint");
	}
	h.ref = ckpt_obj_lookup(ctx, file, CKPT_OBJ_FILE);
	h.nr = n;
	if (!ret)
		ret = ckpt_write_obj_payload(ctx, &h.h, CKPT_HDR_EPOLL, sizeof(h),
					     v, n * sizeof(*v));
	kvfree(v);
	kvfree(w);
	return ret;
}

/**
 * ckpt_write_epolls - write the EPOLL records of the tree's epoll files
 * @ctx: the checkpoint context, after the root's FILE records
 *
 * Return: 0 or -errno.
 */
int ckpt_write_epolls(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_cfiles; i++)
		if (ckpt_file_epoll_match(ctx->cfiles[i].file))
			ret = ckpt_write_epoll(ctx, ctx->cfiles[i].file);
	return ret;
}

static struct file *rstr_file_epoll(struct ckpt_ctx *ctx,
				    const struct ckpt_hdr_file *h,
				    const char *path)
{
	struct file *file;
	u32 *refs;

	if (h->pos || (h->f_flags & O_ACCMODE) != O_RDWR)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed FILE record of an epoll file (ref %u)",
					h->ref));
	refs = kvrealloc(ctx->epoll_refs, ctx->nr_epolls * sizeof(*refs),
			 (ctx->nr_epolls + 1) * sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return ERR_PTR(-ENOMEM);
	ctx->epoll_refs = refs;
	file = epoll_file_create(h->f_flags & O_CLOEXEC);
	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "epoll (ref %u): error %ld",
			 h->ref, PTR_ERR(file));
		return file;
	}
	rstr_file_set_flags(file, O_NONBLOCK, h->f_flags);
	refs[ctx->nr_epolls++] = h->ref;
	return file;
}

static int rstr_epoll_add(struct ckpt_ctx *ctx, struct file *ep, u32 ref,
			  const struct ckpt_epoll_watch *w)
{
	struct epoll_event ev;
	struct file *target;
	int ret;

	if (w->fd < 0 || w->fd >= CKPT_MAX_FDS || w->reserved ||
	    w->events & ~(__force u32)CKPT_EPOLL_EVENTS)
		return ckpt_err(ctx, -EBADMSG, "malformed EPOLL watch (ref %u)",
				ref);
	target = rstr_obj_get(ctx, w->file_ref, CKPT_OBJ_FILE);
	if (IS_ERR(target))
		return PTR_ERR(target);
	ev.events = (__force __poll_t)w->events;
	ev.data = w->data;
	ret = epoll_file_ctl(ep, EPOLL_CTL_ADD, target, w->fd, &ev, false);
	if (ret == -EEXIST || ret == -EINVAL || ret == -ELOOP ||
	    ret == -EPERM)
		return ckpt_err(ctx, -EBADMSG,
				"epoll (ref %u): watch of FILE ref %u, fd %d: error %d",
				ref, w->file_ref, w->fd, ret);
	if (ret)
		ckpt_err(ctx, ret, "epoll (ref %u): adding a watch failed: error %d",
			 ref, ret);
	return ret;
}

static int rstr_read_epoll(struct ckpt_ctx *ctx, u32 ref)
{
	struct ckpt_epoll_watch *w;
	struct ckpt_hdr_epoll h;
	struct file *ep;
	unsigned int i;
	size_t len;
	int ret;

	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_EPOLL, &h.h, sizeof(h),
					  CKPT_MAX_EPOLL_WATCHES * sizeof(*w),
					  (void **)&w, &len);
	if (!ret && (h.ref != ref || len != (size_t)h.nr * sizeof(*w)))
		ret = ckpt_err(ctx, -EBADMSG, "malformed EPOLL record (ref %u)",
			       ref);
	ep = ret ? NULL : rstr_obj_get(ctx, ref, CKPT_OBJ_FILE);
	if (IS_ERR(ep))
		ret = PTR_ERR(ep);
	for (i = 0; !ret && i < h.nr; i++)
		ret = rstr_epoll_add(ctx, ep, ref, &w[i]);
	kvfree(w);
	return ret;
}

/**
 * rstr_read_epolls - read the EPOLL records and fill the epoll files
 * @ctx: the restart context, after the root's FILE and LOCKS records
 *
 * Return: 0 or -errno.
 */
int rstr_read_epolls(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_epolls; i++)
		ret = rstr_read_epoll(ctx, ctx->epoll_refs[i]);
	return ret;
}

const struct ckpt_file_ops ckpt_file_epoll_ops = {
	.type = CKPT_FILE_EPOLL,
	.name = "epoll",
	.flags = O_NONBLOCK | O_CLOEXEC,
	.match = ckpt_file_epoll_match,
	.check_tree = ckpt_epoll_check_tree,
	.checkpoint = ckpt_epoll_checkpoint,
	.restore = rstr_file_epoll,
};
