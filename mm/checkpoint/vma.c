// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: mappings.
 *
 * Each mapping is saved with its range, protection, a few flags and, for
 * a file mapping, the file (by object ref).  A restart maps them again at
 * their addresses with MAP_FIXED_NOREPLACE into an emptied address space,
 * so overlapping records are refused by the mmap code itself.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/userfaultfd_k.h>

static const char *ckpt_vma_special(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name(vma);
	return NULL;
}

static u32 ckpt_vma_flags(struct vm_area_struct *vma)
{
	unsigned long f = vma->vm_flags;
	u32 flags = 0;

	if (f & VM_SHARED)
		flags |= CKPT_VMA_F_SHARED;
	if (f & VM_GROWSDOWN)
		flags |= CKPT_VMA_F_GROWSDOWN;
	if (f & VM_DONTDUMP)
		flags |= CKPT_VMA_F_DONTDUMP;
	if (f & VM_DONTCOPY)
		flags |= CKPT_VMA_F_DONTFORK;
	if (f & VM_WIPEONFORK)
		flags |= CKPT_VMA_F_WIPEONFORK;
	if (f & VM_SEQ_READ)
		flags |= CKPT_VMA_F_SEQ_READ;
	if (f & VM_RAND_READ)
		flags |= CKPT_VMA_F_RAND_READ;
	return flags;
}

/* The type of a mapping, or NULL with *why set if it cannot be saved */
static int ckpt_vma_type(struct vm_area_struct *vma, const char **why)
{
	const char *special = ckpt_vma_special(vma);

	if (special && !strcmp(special, "[vdso]"))
		return CKPT_VMA_VDSO;
	if (special && !strcmp(special, "[vvar]"))
		return CKPT_VMA_VVAR;
	if (special)
		*why = special;
	else if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
		*why = "device mapping";
	else if (vma->vm_flags & VM_HUGETLB)
		*why = "hugetlb mapping";
	else if (vma->vm_flags & (VM_LOCKED | VM_LOCKONFAULT))
		*why = "mlocked mapping";
	else if (userfaultfd_armed(vma))
		*why = "userfaultfd";
	else if (!vma->vm_file)
		return CKPT_VMA_ANON;
	else if (IS_ENABLED(CONFIG_MEMFD_CREATE) &&
		 ckpt_file_is_memfd(vma->vm_file))
		return CKPT_VMA_FILE;
	else if ((vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL) &&
		 (vma->vm_flags & VM_SHARED))
		*why = "shared anonymous memory or SysV shm";
	else if (vma->vm_file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		*why = "mapping of a file without a path (SysV shm, hugetlb memfd?)";
	else if (!S_ISREG(file_inode(vma->vm_file)->i_mode))
		*why = "mapping of a non-regular file";
	else
		return CKPT_VMA_FILE;
	return 0;
}

/* Under mmap_lock: describe one mapping, or say why it cannot be saved */
static bool ckpt_describe_vma(struct vm_area_struct *vma,
			      struct ckpt_hdr_vma *v, struct file **file,
			      const char **why)
{
	int type = ckpt_vma_type(vma, why);

	v->start = vma->vm_start;
	v->end = vma->vm_end;
	if (!type)
		return false;
	v->type = type;
	v->prot = (vma->vm_flags & VM_READ ? CKPT_PROT_READ : 0) |
		  (vma->vm_flags & VM_WRITE ? CKPT_PROT_WRITE : 0) |
		  (vma->vm_flags & VM_EXEC ? CKPT_PROT_EXEC : 0);
	v->flags = ckpt_vma_flags(vma);
	if (type == CKPT_VMA_FILE) {
		v->pgoff = vma->vm_pgoff;
		*file = get_file(vma->vm_file);
	}
	return true;
}

/*
 * Snapshot the mappings into ctx->cvmas, with a reference on each mapped
 * file in @files.  Nothing is logged here: no file is written while the
 * mmap_lock is held.
 */
static int ckpt_snapshot_vmas(struct ckpt_ctx *ctx, struct mm_struct *mm,
			      struct file ***files, const char **why)
{
	struct vm_area_struct *vma;
	unsigned int n = 0;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	if (mm->map_count > CKPT_MAX_VMAS) {
		*why = "too many mappings";
		goto unlock;
	}
	ctx->cvmas = kvcalloc(mm->map_count ?: 1, sizeof(*ctx->cvmas),
			      GFP_KERNEL);
	*files = kvcalloc(mm->map_count ?: 1, sizeof(**files), GFP_KERNEL);
	if (!ctx->cvmas || !*files) {
		ret = -ENOMEM;
		goto unlock;
	}
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma) {
			if (WARN_ON_ONCE(n >= mm->map_count)) {
				ret = -EINVAL;
				break;
			}
			if (!ckpt_describe_vma(vma, &ctx->cvmas[n], &(*files)[n],
					       why))
				break;
			n++;
		}
	}
unlock:
	ctx->nr_cvmas = n;
	mmap_read_unlock(mm);
	return ret;
}

static int ckpt_collect_vma_files(struct ckpt_ctx *ctx, struct task_struct *t,
				  struct file **files)
{
	char who[64];
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_cvmas; i++) {
		if (!files[i])
			continue;
		snprintf(who, sizeof(who), "pid %d: mapping %llx-%llx",
			 task_pid_vnr(t), ctx->cvmas[i].start, ctx->cvmas[i].end);
		ret = ckpt_collect_file(ctx, files[i], &ctx->cvmas[i].file_ref,
					who);
	}
	return ret;
}

static int ckpt_collect_exe(struct ckpt_ctx *ctx, struct task_struct *t,
			    struct mm_struct *mm)
{
	struct file *exe = get_mm_exe_file(mm);
	char who[32];
	u32 ref;
	int ret;

	if (!exe)
		return 0;
	snprintf(who, sizeof(who), "pid %d: executable", task_pid_vnr(t));
	ret = ckpt_collect_file(ctx, exe, &ref, who);
	fput(exe);
	return ret;
}

/**
 * ckpt_collect_mm - check a task's mappings and collect their files
 * @ctx: the checkpoint context
 * @t: the parked task
 *
 * Return: 0, -EOPNOTSUPP for a mapping that cannot be saved, or -errno.
 */
int ckpt_collect_mm(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct mm_struct *mm = get_task_mm(t);
	struct file **files = NULL;
	const char *why = NULL;
	unsigned int i;
	int ret;

	if (!mm)
		return ckpt_err(ctx, -ESRCH, "pid %d has no memory", task_pid_vnr(t));
	ret = ckpt_collect_exe(ctx, t, mm);
	if (!ret)
		ret = ckpt_snapshot_vmas(ctx, mm, &files, &why);
	if (!ret && why) {
		const struct ckpt_hdr_vma *v = &ctx->cvmas[ctx->nr_cvmas];

		ret = ckpt_err(ctx, -EOPNOTSUPP,
			       "pid %d: mapping %llx-%llx: %s: not supported",
			       task_pid_vnr(t), ctx->cvmas ? v->start : 0,
			       ctx->cvmas ? v->end : 0, why);
	}
	if (!ret)
		ret = ckpt_collect_vma_files(ctx, t, files);
	for (i = 0; files && i < ctx->nr_cvmas; i++)
		if (files[i])
			fput(files[i]);
	kvfree(files);
	mmput(mm);
	return ret;
}

/**
 * ckpt_write_vmas - write the VMA records collected by ckpt_collect_mm()
 * @ctx: the checkpoint context
 *
 * Return: 0 or -errno.
 */
int ckpt_write_vmas(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < ctx->nr_cvmas; i++)
		ret = ckpt_write_obj(ctx, &ctx->cvmas[i].h, CKPT_HDR_VMA,
				     sizeof(ctx->cvmas[i]));
	return ret;
}

static int rstr_check_vma(struct ckpt_ctx *ctx, const struct ckpt_hdr_vma *v,
			  unsigned long prev_end)
{
	unsigned long task_size = current->mm->task_size;
	u64 pages;

	if (v->start >= v->end || v->end > task_size || v->start < prev_end ||
	    !PAGE_ALIGNED(v->start) || !PAGE_ALIGNED(v->end))
		goto bad;
	if (!v->type || v->type >= CKPT_VMA_MAX ||
	    v->prot & ~(CKPT_PROT_READ | CKPT_PROT_WRITE | CKPT_PROT_EXEC) ||
	    v->flags & ~CKPT_VMA_F_ALL)
		goto bad;
	if (v->type != CKPT_VMA_FILE && (v->file_ref || v->pgoff ||
					 v->flags & CKPT_VMA_F_SHARED))
		goto bad;
	if (v->type != CKPT_VMA_ANON && v->flags & CKPT_VMA_F_WIPEONFORK)
		goto bad;
	pages = (v->end - v->start) >> PAGE_SHIFT;
	if (v->pgoff > (ULONG_MAX >> PAGE_SHIFT) - pages)
		goto bad;
	return 0;
bad:
	return ckpt_err(ctx, -EBADMSG, "invalid VMA %llx-%llx", v->start, v->end);
}

static unsigned long rstr_map_one(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_vma *v)
{
	unsigned long prot = 0, flags = MAP_FIXED_NOREPLACE;
	unsigned long len = v->end - v->start;
	struct file *file = NULL;

	if (v->prot & CKPT_PROT_READ)
		prot |= PROT_READ;
	if (v->prot & CKPT_PROT_WRITE)
		prot |= PROT_WRITE;
	if (v->prot & CKPT_PROT_EXEC)
		prot |= PROT_EXEC;
	flags |= v->flags & CKPT_VMA_F_SHARED ? MAP_SHARED : MAP_PRIVATE;
	if (v->flags & CKPT_VMA_F_GROWSDOWN)
		flags |= MAP_GROWSDOWN;
	if (v->type == CKPT_VMA_ANON) {
		flags |= MAP_ANONYMOUS;
	} else {
		file = rstr_obj_get(ctx, v->file_ref, CKPT_OBJ_FILE);
		if (IS_ERR(file))
			return PTR_ERR(file);
		if (!S_ISREG(file_inode(file)->i_mode))
			return ckpt_err(ctx, -EBADMSG,
					"VMA %llx-%llx maps a non-regular file",
					v->start, v->end);
		if (!(v->flags & CKPT_VMA_F_SHARED) &&
		    rstr_file_check_unchanged(ctx, v->file_ref))
			return -ESTALE;
	}
	return vm_mmap(file, v->start, len, prot, flags,
		       v->pgoff << PAGE_SHIFT);
}

/* Give a mapping its madvise() flags back (this splits it if need be) */
static int rstr_vma_set_flags(const struct ckpt_hdr_vma *v)
{
	static const struct {
		u32 flag;
		int advice;
	} advice[] = {
		{ CKPT_VMA_F_DONTDUMP, MADV_DONTDUMP },
		{ CKPT_VMA_F_DONTFORK, MADV_DONTFORK },
		{ CKPT_VMA_F_WIPEONFORK, MADV_WIPEONFORK },
		{ CKPT_VMA_F_SEQ_READ, MADV_SEQUENTIAL },
		{ CKPT_VMA_F_RAND_READ, MADV_RANDOM },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		if (!(v->flags & advice[i].flag))
			continue;
		ret = do_madvise(current->mm, v->start, v->end - v->start,
				 advice[i].advice);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Mapping the saved ranges one by one merges neighbours that were
 * separate mappings (their pages had been copied or inherited
 * differently): split the restored mappings at every saved boundary.
 */
static int rstr_split_vmas(struct ckpt_ctx *ctx)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr;
	unsigned int i, j;
	int ret = 0;

	if (mmap_write_lock_killable(mm))
		return -EINTR;
	for (i = 0; !ret && i < ctx->nr_vmas; i++) {
		for (j = 0; !ret && j < 2; j++) {
			addr = j ? ctx->vmas[i].end : ctx->vmas[i].start;
			vma = find_vma(mm, addr);
			if (vma && vma->vm_start < addr)
				ret = split_vma(mm, vma, addr, 0);
		}
	}
	mmap_write_unlock(mm);
	if (ret)
		return ckpt_err(ctx, ret, "splitting mappings failed: error %d", ret);
	return 0;
}

/**
 * rstr_read_vmas - read and map the VMA records of the current task
 * @ctx: the restart context
 * @nr: how many the MM record announced
 * @h: the MM record (for the vdso)
 *
 * Return: 0 or -errno.
 */
int rstr_read_vmas(struct ckpt_ctx *ctx, unsigned int nr,
		   const struct ckpt_hdr_mm *h)
{
	unsigned long prev_end = 0, vvar_start = 0, vvar_len = 0, vdso_len = 0;
	struct ckpt_hdr_vma v;
	unsigned int i;
	unsigned long addr;
	int ret;

	ctx->vmas = kvcalloc(nr ?: 1, sizeof(*ctx->vmas), GFP_KERNEL);
	if (!ctx->vmas)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		ret = ckpt_read_obj(ctx, CKPT_HDR_VMA, &v.h, sizeof(v));
		if (!ret)
			ret = rstr_check_vma(ctx, &v, prev_end);
		if (ret)
			return ret;
		prev_end = v.end;
		ctx->vmas[i].start = v.start;
		ctx->vmas[i].end = v.end;
		ctx->vmas[i].type = v.type;
		ctx->vmas[i].flags = v.flags;
		ctx->nr_vmas = i + 1;
		if (v.type == CKPT_VMA_VVAR) {
			vvar_start = v.start;
			vvar_len = v.end - v.start;
			continue;
		}
		if (v.type == CKPT_VMA_VDSO) {
			vdso_len = v.end - v.start;
			continue;
		}
		addr = rstr_map_one(ctx, &v);
		if (IS_ERR_VALUE(addr))
			return ckpt_err(ctx, (long)addr,
					"mapping %llx-%llx failed: error %ld",
					v.start, v.end, (long)addr);
		if (addr != v.start)
			return ckpt_err(ctx, -EBUSY, "mapping %llx-%llx landed at %lx",
					v.start, v.end, addr);
		ret = rstr_vma_set_flags(&v);
		if (ret)
			return ckpt_err(ctx, ret, "mapping %llx-%llx: madvise: error %d",
					v.start, v.end, ret);
	}
	ret = rstr_split_vmas(ctx);
	if (ret)
		return ret;
	if (!h->vdso)
		return vvar_len || vdso_len ?
		       ckpt_err(ctx, -EBADMSG, "vdso mappings without a vdso") : 0;
	return rstr_arch_map_vdso(ctx, h, vvar_start, vvar_len, vdso_len);
}
