// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: an address space.
 *
 * The MM record holds the mm's layout fields (code, data, brk, stack,
 * arguments, environment), the executable, the auxiliary vector and the
 * vdso.  VMA records and PAGES records follow.  A restart empties the
 * address space the new task inherited from the restarter and rebuilds
 * it from these records.
 */
#include <linux/auxvec.h>
#include <linux/binfmts.h>
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

/* Words of the auxiliary vector in use, its AT_NULL entry included */
static u32 ckpt_auxv_words(struct mm_struct *mm)
{
	u32 i;

	for (i = 0; i + 2 <= AT_VECTOR_SIZE; i += 2)
		if (mm->saved_auxv[i] == AT_NULL)
			return i + 2;
	return AT_VECTOR_SIZE;
}

/* A process may unmap its vdso: then there is none to restore */
static bool ckpt_has_vdso(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_cvmas; i++)
		if (ctx->cvmas[i].type == CKPT_VMA_VDSO)
			return true;
	return false;
}

/**
 * ckpt_write_mm - write the MM, VMA and PAGES records of a task
 * @ctx: the checkpoint context
 * @t: the parked task, its mappings collected by ckpt_collect_mm()
 *
 * Return: 0 or -errno.
 */
int ckpt_write_mm(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct mm_struct *mm = get_task_mm(t);
	struct ckpt_hdr_mm *h;
	struct file *exe;
	int ret;

	BUILD_BUG_ON(AT_VECTOR_SIZE > CKPT_AUXV_WORDS);
	if (!mm)
		return ckpt_err(ctx, -ESRCH, "pid %d has no memory", task_pid_vnr(t));
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h) {
		mmput(mm);
		return -ENOMEM;
	}
	h->ref = ckpt_obj_lookup(ctx, mm, CKPT_OBJ_MM);
	h->nr_vmas = ctx->nr_cvmas;
	exe = get_mm_exe_file(mm);
	if (exe) {
		h->exe_ref = ckpt_obj_lookup(ctx, exe, CKPT_OBJ_FILE);
		fput(exe);
	}
	h->start_code = mm->start_code;
	h->end_code = mm->end_code;
	h->start_data = mm->start_data;
	h->end_data = mm->end_data;
	h->start_brk = mm->start_brk;
	h->brk = mm->brk;
	h->start_stack = mm->start_stack;
	spin_lock(&mm->arg_lock);
	h->arg_start = mm->arg_start;
	h->arg_end = mm->arg_end;
	h->env_start = mm->env_start;
	h->env_end = mm->env_end;
	spin_unlock(&mm->arg_lock);
	h->flags = mm->flags & MMF_DUMP_FILTER_MASK;
	h->nr_auxv = ckpt_auxv_words(mm);
	memcpy(h->auxv, mm->saved_auxv, h->nr_auxv * sizeof(h->auxv[0]));
	ret = ckpt_has_vdso(ctx) ? ckpt_arch_vdso(mm, h) : 0;

	if (!ret)
		ret = ckpt_write_obj(ctx, &h->h, CKPT_HDR_MM, sizeof(*h));
	if (!ret)
		ret = ckpt_write_vmas(ctx);
	if (!ret)
		ret = ckpt_write_pages(ctx, mm);
	kfree(h);
	mmput(mm);
	return ret;
}

static int rstr_check_mm(struct ckpt_ctx *ctx, const struct ckpt_hdr_mm *h)
{
	unsigned long task_size = current->mm->task_size;
	const u64 addrs[] = {
		h->start_code, h->end_code, h->start_data, h->end_data,
		h->start_brk, h->brk, h->start_stack, h->arg_start,
		h->arg_end, h->env_start, h->env_end, h->vdso,
	};
	int i;

	if (h->ref != ctx->task_rec.mm_ref || h->nr_vmas > CKPT_MAX_VMAS ||
	    h->nr_auxv > CKPT_AUXV_WORDS || h->nr_auxv % 2 ||
	    h->flags & ~(u64)MMF_DUMP_FILTER_MASK)
		goto bad;
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		if (addrs[i] > task_size)
			goto bad;
	for (i = h->nr_auxv; i < CKPT_AUXV_WORDS; i++)
		if (h->auxv[i])
			goto bad;
	if (!h->vdso && (h->vdso_size || h->vdso_csum))
		goto bad;
	if (h->nr_auxv > AT_VECTOR_SIZE)
		return ckpt_err(ctx, -EOPNOTSUPP,
				"the auxiliary vector has %u words, this kernel keeps %d",
				h->nr_auxv, AT_VECTOR_SIZE);
	if (h->start_code > h->end_code || h->start_data > h->end_data ||
	    h->start_brk > h->brk || h->arg_start > h->arg_end ||
	    h->env_start > h->env_end)
		goto bad;
	return 0;
bad:
	return ckpt_err(ctx, -EBADMSG, "malformed MM record");
}

static int rstr_set_exe(struct ckpt_ctx *ctx, u32 ref)
{
	struct file *exe;
	int ret;

	if (!ref)
		return 0;
	exe = rstr_obj_get(ctx, ref, CKPT_OBJ_FILE);
	if (IS_ERR(exe))
		return PTR_ERR(exe);
	if (!S_ISREG(file_inode(exe)->i_mode))
		return ckpt_err(ctx, -EBADMSG, "the executable is not a regular file");
	ret = replace_mm_exe_file(current->mm, exe);
	if (ret)
		return ckpt_err(ctx, ret, "setting the executable failed: error %d",
				ret);
	return 0;
}

static void rstr_set_layout(const struct ckpt_hdr_mm *h)
{
	struct mm_struct *mm = current->mm;

	mmap_write_lock(mm);
	mm->start_code = h->start_code;
	mm->end_code = h->end_code;
	mm->start_data = h->start_data;
	mm->end_data = h->end_data;
	mm->start_brk = h->start_brk;
	mm->brk = h->brk;
	mm->start_stack = h->start_stack;
	spin_lock(&mm->arg_lock);
	mm->arg_start = h->arg_start;
	mm->arg_end = h->arg_end;
	mm->env_start = h->env_start;
	mm->env_end = h->env_end;
	spin_unlock(&mm->arg_lock);
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	memcpy(mm->saved_auxv, h->auxv, h->nr_auxv * sizeof(h->auxv[0]));
	set_mask_bits(&mm->flags, MMF_DUMP_FILTER_MASK, h->flags);
	mmap_write_unlock(mm);
}

/**
 * rstr_read_mm - rebuild the current task's address space
 * @ctx: the restart context
 *
 * Return: 0 or -errno.
 */
int rstr_read_mm(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_mm *h;
	int ret;

	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	ret = ckpt_read_obj(ctx, CKPT_HDR_MM, &h->h, sizeof(*h));
	if (!ret)
		ret = rstr_check_mm(ctx, h);
	if (ret)
		goto out;

	/* Empty what the new task inherited from the restarter */
	ret = vm_munmap(0, current->mm->task_size);
	if (!ret)
		ret = rstr_set_exe(ctx, h->exe_ref);
	if (!ret)
		ret = rstr_read_vmas(ctx, h->nr_vmas, h);
	if (!ret)
		ret = rstr_read_pages(ctx);
	if (!ret)
		rstr_set_layout(h);
out:
	kfree(h);
	return ret;
}
