// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: page contents.
 *
 * Only pages that hold private data are saved: present anonymous pages
 * (including copy-on-write copies in private file mappings) and swapped
 * out ones.  Holes, the zero page and page-cache pages of private file
 * mappings (their contents come from the file) are not.  The page tables
 * are walked in batches of CKPT_PAGES_BATCH pages, each batch copied
 * straight from the pages into one PAGES record; memory use does not
 * grow with the size of the process.
 */
#include <linux/checkpoint.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagewalk.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

struct ckpt_pagewalk {
	u64 *addrs;
	struct page **pages;
	unsigned int nr;
	unsigned long resume;		/* first address not taken */
};

static int ckpt_page_pte(pte_t *ptep, unsigned long addr, unsigned long next,
			 struct mm_walk *walk)
{
	struct ckpt_pagewalk *pw = walk->private;
	pte_t pte = ptep_get(ptep);
	struct page *page = NULL;

	if (pte_none(pte))
		return 0;
	if (pw->nr == CKPT_PAGES_BATCH) {
		pw->resume = addr;
		return 1;
	}
	if (pte_present(pte)) {
		page = vm_normal_page(walk->vma, addr, pte);
		/* Zero page, or a file's page cache: not private data */
		if (!page || !PageAnon(page))
			return 0;
		get_page(page);
	}
	/* Not present (swapped out, migrating): fetched by GUP below */
	pw->addrs[pw->nr] = addr;
	pw->pages[pw->nr] = page;
	pw->nr++;
	return 0;
}

static const struct mm_walk_ops ckpt_page_walk_ops = {
	.pte_entry = ckpt_page_pte,
};

static void ckpt_put_pages(struct ckpt_pagewalk *pw)
{
	unsigned int i;

	for (i = 0; i < pw->nr; i++)
		if (pw->pages[i])
			put_page(pw->pages[i]);
	pw->nr = 0;
}

/* Take up to a batch of pages from [*start, end); advance *start */
static int ckpt_take_pages(struct mm_struct *mm, struct ckpt_pagewalk *pw,
			   unsigned long *start, unsigned long end)
{
	unsigned int i;
	long got;
	int ret;

	ret = mmap_read_lock_killable(mm);
	if (ret)
		return ret;
	pw->resume = end;
	ret = walk_page_range(mm, *start, end, &ckpt_page_walk_ops, pw);
	for (i = 0; ret >= 0 && i < pw->nr; i++) {
		if (pw->pages[i])
			continue;
		got = get_user_pages_remote(mm, pw->addrs[i], 1, FOLL_FORCE,
					    &pw->pages[i], NULL, NULL);
		if (got != 1)
			ret = got < 0 ? got : -EFAULT;
	}
	mmap_read_unlock(mm);
	*start = pw->resume;
	return ret < 0 ? ret : 0;
}

static int ckpt_write_batch(struct ckpt_ctx *ctx, struct ckpt_pagewalk *pw)
{
	void *data = ctx->buf + CKPT_PAGES_BATCH * sizeof(u64);
	struct ckpt_hdr_pages h = {};
	size_t plen = pw->nr * (sizeof(u64) + PAGE_SIZE);
	unsigned int i;
	int ret;

	for (i = 0; i < pw->nr; i++) {
		void *p = kmap_local_page(pw->pages[i]);

		memcpy(data + i * PAGE_SIZE, p, PAGE_SIZE);
		kunmap_local(p);
	}
	h.nr_pages = pw->nr;
	ret = ckpt_write_begin(ctx, &h.h, CKPT_HDR_PAGES, sizeof(h),
			       sizeof(h) + plen);
	if (!ret)
		ret = ckpt_write(ctx, pw->addrs, pw->nr * sizeof(u64));
	if (!ret)
		ret = ckpt_write(ctx, data, pw->nr * PAGE_SIZE);
	if (!ret)
		ret = ckpt_write_end(ctx, sizeof(h) + plen);
	return ret;
}

static bool ckpt_vma_has_pages(const struct ckpt_hdr_vma *v)
{
	return v->type == CKPT_VMA_ANON ||
	       (v->type == CKPT_VMA_FILE && !(v->flags & CKPT_VMA_F_SHARED));
}

/**
 * ckpt_write_pages - write the PAGES records of an mm
 * @ctx: the checkpoint context, its mappings collected
 * @mm: the mm (its tasks parked)
 *
 * Return: 0 or -errno.
 */
int ckpt_write_pages(struct ckpt_ctx *ctx, struct mm_struct *mm)
{
	struct ckpt_pagewalk pw = { .addrs = ctx->buf };
	struct ckpt_hdr_pages end = {};
	unsigned int i;
	int ret = 0;

	pw.pages = kmalloc_array(CKPT_PAGES_BATCH, sizeof(*pw.pages),
				 GFP_KERNEL);
	if (!pw.pages)
		return -ENOMEM;
	for (i = 0; !ret && i < ctx->nr_cvmas; i++) {
		const struct ckpt_hdr_vma *v = &ctx->cvmas[i];
		unsigned long start = v->start;

		if (!ckpt_vma_has_pages(v))
			continue;
		while (!ret && start < v->end) {
			ret = ckpt_take_pages(mm, &pw, &start, v->end);
			if (!ret && pw.nr)
				ret = ckpt_write_batch(ctx, &pw);
			ckpt_put_pages(&pw);
			if (!ret && fatal_signal_pending(current))
				ret = -EINTR;
		}
	}
	kfree(pw.pages);
	if (!ret)
		ret = ckpt_write_obj(ctx, &end.h, CKPT_HDR_PAGES, sizeof(end));
	return ret;
}

/* Find the restored mapping holding @addr, searching from *idx on */
static const struct rstr_vma *rstr_page_vma(struct ckpt_ctx *ctx,
					    unsigned long addr,
					    unsigned int *idx)
{
	while (*idx < ctx->nr_vmas && ctx->vmas[*idx].end <= addr)
		(*idx)++;
	if (*idx == ctx->nr_vmas || ctx->vmas[*idx].start > addr)
		return NULL;
	return &ctx->vmas[*idx];
}

static int rstr_check_pages(struct ckpt_ctx *ctx, const u64 *addrs,
			    unsigned int nr)
{
	unsigned int i, idx = 0;
	const struct rstr_vma *v;

	for (i = 0; i < nr; i++) {
		if (!PAGE_ALIGNED(addrs[i]) ||
		    (ctx->last_page && addrs[i] <= ctx->last_page))
			goto bad;
		v = rstr_page_vma(ctx, addrs[i], &idx);
		if (!v || v->type == CKPT_VMA_VDSO || v->type == CKPT_VMA_VVAR ||
		    v->flags & CKPT_VMA_F_SHARED)
			goto bad;
		ctx->last_page = addrs[i];
	}
	return 0;
bad:
	return ckpt_err(ctx, -EBADMSG, "PAGES: invalid page address %llx",
			addrs[i]);
}

/* Copy one page into the current mm, breaking COW as a write would */
static int rstr_put_page(unsigned long addr, const void *data)
{
	struct mm_struct *mm = current->mm;
	struct page *page;
	long got;
	void *p;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	got = get_user_pages_remote(mm, addr, 1, FOLL_WRITE | FOLL_FORCE,
				    &page, NULL, NULL);
	mmap_read_unlock(mm);
	if (got != 1)
		return got < 0 ? got : -EFAULT;
	p = kmap_local_page(page);
	memcpy(p, data, PAGE_SIZE);
	kunmap_local(p);
	put_page(page);
	return 0;
}

/**
 * rstr_read_pages - read PAGES records into the current mm
 * @ctx: the restart context, its mappings restored
 *
 * Return: 0 or -errno.
 */
int rstr_read_pages(struct ckpt_ctx *ctx)
{
	const size_t max = CKPT_PAGES_BATCH * (sizeof(u64) + PAGE_SIZE);
	const u64 *addrs = ctx->buf;
	const void *data = ctx->buf + CKPT_PAGES_BATCH * sizeof(u64);
	struct ckpt_hdr_pages h;
	unsigned int i;
	size_t plen;
	int ret;

	for (;;) {
		ret = ckpt_read_obj_payload(ctx, CKPT_HDR_PAGES, &h.h, sizeof(h),
					    ctx->buf, max, &plen);
		if (ret)
			return ret;
		if (h.nr_pages > CKPT_PAGES_BATCH || h.reserved ||
		    plen != h.nr_pages * (sizeof(u64) + PAGE_SIZE))
			return ckpt_err(ctx, -EBADMSG, "malformed PAGES record");
		if (!h.nr_pages)
			return 0;
		/* The data follows the addresses: move it to its place */
		memmove((void *)data, ctx->buf + h.nr_pages * sizeof(u64),
			h.nr_pages * PAGE_SIZE);
		ret = rstr_check_pages(ctx, addrs, h.nr_pages);
		for (i = 0; !ret && i < h.nr_pages; i++)
			ret = rstr_put_page(addrs[i], data + i * PAGE_SIZE);
		if (ret)
			return ckpt_err(ctx, ret, "restoring pages failed: error %d",
					ret);
	}
}
