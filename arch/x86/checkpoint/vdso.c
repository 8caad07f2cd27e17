// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the x86_64 vdso.
 *
 * The vdso is not saved: a restart maps the running kernel's vdso (and
 * its vvar area) at the saved addresses.  User space may hold pointers
 * into it, so the image records the vdso text's size and CRC-32 and a
 * restart refuses a kernel whose vdso differs.
 */
#include <linux/checkpoint.h>
#include <linux/crc32.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/vdso.h>

static u32 ckpt_vdso_csum(const struct vdso_image *image)
{
	return crc32_le(~0U, image->data, image->size) ^ ~0U;
}

/**
 * ckpt_arch_vdso - describe the vdso of an mm in its MM record
 * @mm: the mm
 * @h: the MM record
 *
 * Return: 0.
 */
int ckpt_arch_vdso(struct mm_struct *mm, struct ckpt_hdr_mm *h)
{
	h->vdso = (unsigned long)READ_ONCE(mm->context.vdso);
	if (h->vdso) {
		h->vdso_size = vdso_image_64.size;
		h->vdso_csum = ckpt_vdso_csum(&vdso_image_64);
	}
	return 0;
}

/**
 * rstr_arch_map_vdso - map this kernel's vdso where the image had it
 * @ctx: the restart context
 * @h: the MM record
 * @vvar_start: start of the image's [vvar] mapping
 * @vvar_len: its length
 * @vdso_len: length of the image's [vdso] mapping
 *
 * Return: 0, -EOPNOTSUPP if this kernel's vdso differs from the image's,
 * -EBADMSG if the mappings are inconsistent, or -errno.
 */
int rstr_arch_map_vdso(struct ckpt_ctx *ctx, const struct ckpt_hdr_mm *h,
		       unsigned long vvar_start, unsigned long vvar_len,
		       unsigned long vdso_len)
{
	const struct vdso_image *image = &vdso_image_64;
	unsigned long vvar_size = -image->sym_vvar_start;
	int ret;

	if (h->vdso_size != image->size || h->vdso_csum != ckpt_vdso_csum(image))
		return ckpt_err(ctx, -EOPNOTSUPP,
				"the image's vdso (%u bytes, crc %08x) differs from this kernel's",
				h->vdso_size, h->vdso_csum);
	if (vdso_len != image->size || vvar_len != vvar_size ||
	    vvar_start + vvar_size != h->vdso)
		return ckpt_err(ctx, -EBADMSG, "[vdso] and [vvar] mappings do not match");
	ret = map_vdso_once(image, vvar_start);
	if (ret)
		return ckpt_err(ctx, ret, "mapping the vdso at %#lx failed: error %d",
				vvar_start, ret);
	if ((unsigned long)current->mm->context.vdso != h->vdso)
		return ckpt_err(ctx, -EBUSY, "the vdso could not be placed at %#llx",
				h->vdso);
	return 0;
}
