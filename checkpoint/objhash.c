// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the object hash.
 *
 * Kernel objects that tasks may share (an open file, an mm, an fd table,
 * ...) are written once and named by a reference ("ref") that later
 * records use.  At checkpoint the hash maps an object's address to its
 * ref; at restart an xarray maps a ref to the restored object.  The hash
 * holds a reference on the objects whose type has grab/drop operations.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

/* Largest ref a restart accepts: bounds the xarray */
#define CKPT_MAX_REF	BIT(24)

struct ckpt_obj {
	struct hlist_node node;
	void *ptr;
	u32 ref;
	enum ckpt_obj_type type;
};

static void ckpt_obj_grab_file(void *ptr)
{
	get_file(ptr);
}

static void ckpt_obj_drop_file(void *ptr)
{
	fput(ptr);
}

static const struct ckpt_obj_ops ckpt_obj_ops[CKPT_OBJ_MAX] = {
	[CKPT_OBJ_FILE] = {
		.grab = ckpt_obj_grab_file,
		.drop = ckpt_obj_drop_file,
		.put = ckpt_obj_drop_file,
	},
	/* Its open files hold a pipe; a restart holds what rebuilds it */
	[CKPT_OBJ_PIPE] = {
		.put = rstr_pipe_put,
	},
	[CKPT_OBJ_INODE] = {
		.put = rstr_contents_put,
	},
#ifdef CONFIG_UNIX98_PTYS
	[CKPT_OBJ_PTY] = {
		.put = rstr_pty_put,
	},
#endif
	/* mm, fd table, fs and sighand are only compared by address */
};

static struct ckpt_obj *ckpt_obj_find(struct ckpt_ctx *ctx, void *ptr)
{
	struct ckpt_obj *obj;

	hash_for_each_possible(ctx->obj_hash, obj, node, (unsigned long)ptr)
		if (obj->ptr == ptr)
			return obj;
	return NULL;
}

/**
 * ckpt_obj_lookup - the ref of an object already in the hash
 * @ctx: the checkpoint context
 * @ptr: the object
 * @type: its type
 *
 * Return: the ref, or 0 if @ptr is not in the hash.
 */
u32 ckpt_obj_lookup(struct ckpt_ctx *ctx, void *ptr, enum ckpt_obj_type type)
{
	struct ckpt_obj *obj = ckpt_obj_find(ctx, ptr);

	return obj && obj->type == type ? obj->ref : 0;
}

/**
 * ckpt_obj_lookup_add - find an object's ref, adding it if new
 * @ctx: the checkpoint context
 * @ptr: the object
 * @type: its type
 * @ref: returns its ref
 *
 * Return: 1 if the object was added, 0 if it was there, or -errno.
 */
int ckpt_obj_lookup_add(struct ckpt_ctx *ctx, void *ptr,
			enum ckpt_obj_type type, u32 *ref)
{
	struct ckpt_obj *obj = ckpt_obj_find(ctx, ptr);

	if (obj) {
		if (WARN_ON_ONCE(obj->type != type))
			return -EINVAL;
		*ref = obj->ref;
		return 0;
	}
	obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	obj->ptr = ptr;
	obj->type = type;
	obj->ref = ++ctx->next_ref;
	if (ckpt_obj_ops[type].grab)
		ckpt_obj_ops[type].grab(ptr);
	hash_add(ctx->obj_hash, &obj->node, (unsigned long)ptr);
	*ref = obj->ref;
	return 1;
}

/**
 * rstr_obj_add - record a restored object under its ref
 * @ctx: the restart context
 * @ref: the ref read from the image
 * @type: the object's type
 * @ptr: the object; the hash takes over one reference
 *
 * A ref must be non-zero, in range and new.  On failure the reference on
 * @ptr is dropped.
 *
 * Return: 0 or -EBADMSG / -ENOMEM.
 */
int rstr_obj_add(struct ckpt_ctx *ctx, u32 ref, enum ckpt_obj_type type,
		 void *ptr)
{
	struct ckpt_obj *obj;
	int ret;

	if (!ref || ref >= CKPT_MAX_REF || xa_load(&ctx->obj_refs, ref)) {
		ret = ckpt_err(ctx, -EBADMSG,
			       "offset %lld: object ref %u is invalid or reused",
			       ctx->pos, ref);
		goto drop;
	}
	obj = kmalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj) {
		ret = -ENOMEM;
		goto drop;
	}
	obj->ptr = ptr;
	obj->type = type;
	obj->ref = ref;
	ret = xa_err(xa_store(&ctx->obj_refs, ref, obj, GFP_KERNEL));
	if (ret) {
		kfree(obj);
		goto drop;
	}
	return 0;
drop:
	if (ptr && ckpt_obj_ops[type].put)
		ckpt_obj_ops[type].put(ptr);
	return ret;
}

/**
 * rstr_obj_get - look up a restored object by ref
 * @ctx: the restart context
 * @ref: the ref read from the image
 * @type: the type the caller expects
 *
 * Return: the object (no new reference), or an ERR_PTR(-EBADMSG) if the
 * ref is unknown or names an object of another type.
 */
void *rstr_obj_get(struct ckpt_ctx *ctx, u32 ref, enum ckpt_obj_type type)
{
	struct ckpt_obj *obj = ref < CKPT_MAX_REF ?
			       xa_load(&ctx->obj_refs, ref) : NULL;

	if (!obj || obj->type != type) {
		ckpt_err(ctx, -EBADMSG, "offset %lld: unknown object ref %u",
			 ctx->pos, ref);
		return ERR_PTR(-EBADMSG);
	}
	return obj->ptr;
}

/**
 * ckpt_obj_release_all - empty the object hash, dropping its references
 * @ctx: the context
 */
void ckpt_obj_release_all(struct ckpt_ctx *ctx)
{
	struct hlist_node *tmp;
	struct ckpt_obj *obj;
	unsigned long idx;
	int bkt;

	hash_for_each_safe(ctx->obj_hash, bkt, tmp, obj, node) {
		hash_del(&obj->node);
		if (ckpt_obj_ops[obj->type].drop)
			ckpt_obj_ops[obj->type].drop(obj->ptr);
		kfree(obj);
	}
	xa_for_each(&ctx->obj_refs, idx, obj) {
		xa_erase(&ctx->obj_refs, idx);
		if (obj->ptr && ckpt_obj_ops[obj->type].put)
			ckpt_obj_ops[obj->type].put(obj->ptr);
		kfree(obj);
	}
}

/**
 * rstr_obj_put_type - drop the restored objects of one type early
 * @ctx: the restart context
 * @type: their type
 *
 * For objects that only help to restore others (the pipes behind FILE
 * records, once every FILE record is read): their refs become unknown.
 */
void rstr_obj_put_type(struct ckpt_ctx *ctx, enum ckpt_obj_type type)
{
	struct ckpt_obj *obj;
	unsigned long idx;

	xa_for_each(&ctx->obj_refs, idx, obj) {
		if (obj->type != type)
			continue;
		xa_erase(&ctx->obj_refs, idx);
		if (obj->ptr && ckpt_obj_ops[type].put)
			ckpt_obj_ops[type].put(obj->ptr);
		kfree(obj);
	}
}
