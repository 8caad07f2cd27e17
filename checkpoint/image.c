// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the image writer and reader.
 *
 * An image is untrusted input.  The reader helpers here are the only
 * place that reads records: they check the type, the length (against the
 * record's struct and a bound on its payload), the zero padding and keep
 * the running CRC-32 that the trailer verifies.  Callers then check the
 * fields' values before using them.
 */
#include <linux/checkpoint.h>
#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

static const char * const ckpt_rec_names[CKPT_HDR_MAX] = {
	[CKPT_HDR_HEADER] = "HEADER",
	[CKPT_HDR_TREE] = "TREE",
	[CKPT_HDR_TASK] = "TASK",
	[CKPT_HDR_CREDS] = "CREDS",
	[CKPT_HDR_FILE] = "FILE",
	[CKPT_HDR_MM] = "MM",
	[CKPT_HDR_VMA] = "VMA",
	[CKPT_HDR_PAGES] = "PAGES",
	[CKPT_HDR_FS] = "FS",
	[CKPT_HDR_FDTABLE] = "FDTABLE",
	[CKPT_HDR_FD] = "FD",
	[CKPT_HDR_SIGHAND] = "SIGHAND",
	[CKPT_HDR_SIGNAL] = "SIGNAL",
	[CKPT_HDR_CPU] = "CPU",
	[CKPT_HDR_XSTATE] = "XSTATE",
	[CKPT_HDR_TRAILER] = "TRAILER",
	[CKPT_HDR_SIGPENDING] = "SIGPENDING",
	[CKPT_HDR_ITIMERS] = "ITIMERS",
	[CKPT_HDR_POSIX_TIMERS] = "POSIX_TIMERS",
	[CKPT_HDR_PIPE] = "PIPE",
	[CKPT_HDR_PIPE_BUF] = "PIPE_BUF",
	[CKPT_HDR_EVENTFD] = "EVENTFD",
	[CKPT_HDR_SIGNALFD] = "SIGNALFD",
	[CKPT_HDR_LOCKS] = "LOCKS",
	[CKPT_HDR_TIMERFD] = "TIMERFD",
	[CKPT_HDR_INODE] = "INODE",
	[CKPT_HDR_DATA] = "DATA",
	[CKPT_HDR_EPOLL] = "EPOLL",
	[CKPT_HDR_FOWNER] = "FOWNER",
	[CKPT_HDR_INOTIFY] = "INOTIFY",
	[CKPT_HDR_INOTIFY_WATCH] = "INOTIFY_WATCH",
	[CKPT_HDR_PTY] = "PTY",
	[CKPT_HDR_TTY] = "TTY",
	[CKPT_HDR_PIDNS] = "PIDNS",
};

/**
 * ckpt_rec_name - name of a record type, for messages
 * @type: the type, possibly invalid
 *
 * Return: a static string.
 */
const char *ckpt_rec_name(u32 type)
{
	if (type < CKPT_HDR_MAX && ckpt_rec_names[type])
		return ckpt_rec_names[type];
	return "unknown";
}

static const u8 ckpt_zeros[CKPT_ALIGN];

/**
 * ckpt_write - write raw bytes to the image
 * @ctx: the context
 * @buf: the bytes
 * @len: how many
 *
 * Return: 0 or -errno.
 */
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	int ret;

	if (!len)
		return 0;
	ret = ctx->io->write(ctx, buf, len);
	if (ret < 0)
		return ckpt_err(ctx, ret, "writing the image at offset %lld: error %d",
				ctx->pos, ret);
	ctx->crc = crc32_le(ctx->crc, buf, len);
	ctx->pos += len;
	return 0;
}

/**
 * ckpt_write_begin - start a record whose payload the caller writes
 * @ctx: the context
 * @h: the record's struct, whose header is filled in here
 * @type: enum ckpt_rec_type
 * @size: size of the record's struct
 * @total: size of the whole record (struct and payload)
 *
 * Return: 0 or -errno.
 */
int ckpt_write_begin(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		     size_t size, size_t total)
{
	if (WARN_ON_ONCE(total > U32_MAX || size > total))
		return -E2BIG;
	h->type = type;
	h->len = total;
	ctx->nr_records++;
	return ckpt_write(ctx, h, size);
}

/**
 * ckpt_write_end - finish a record: write its padding
 * @ctx: the context
 * @total: size of the whole record
 *
 * Return: 0 or -errno.
 */
int ckpt_write_end(struct ckpt_ctx *ctx, size_t total)
{
	return ckpt_write(ctx, ckpt_zeros, ALIGN(total, CKPT_ALIGN) - total);
}

/**
 * ckpt_write_obj_payload - write a record followed by a payload
 * @ctx: the context
 * @h: the record's struct
 * @type: enum ckpt_rec_type
 * @size: size of the record's struct
 * @payload: bytes that follow the struct
 * @plen: how many
 *
 * Return: 0 or -errno.
 */
int ckpt_write_obj_payload(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
			   size_t size, const void *payload, size_t plen)
{
	int ret;

	ret = ckpt_write_begin(ctx, h, type, size, size + plen);
	if (!ret)
		ret = ckpt_write(ctx, payload, plen);
	if (!ret)
		ret = ckpt_write_end(ctx, size + plen);
	return ret;
}

/**
 * ckpt_write_obj - write a fixed-size record
 * @ctx: the context
 * @h: the record's struct
 * @type: enum ckpt_rec_type
 * @size: size of the record's struct
 *
 * Return: 0 or -errno.
 */
int ckpt_write_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		   size_t size)
{
	return ckpt_write_obj_payload(ctx, h, type, size, NULL, 0);
}

/**
 * ckpt_write_trailer - end the image with its checksum
 * @ctx: the context
 *
 * Return: 0 or -errno.
 */
int ckpt_write_trailer(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_trailer t = {};

	memcpy(t.magic, CKPT_MAGIC, sizeof(t.magic));
	t.nr_records = ctx->nr_records;
	t.image_len = ctx->pos;
	t.crc32 = ctx->crc ^ ~0U;
	return ckpt_write_obj(ctx, &t.h, CKPT_HDR_TRAILER, sizeof(t));
}

/**
 * ckpt_read - read raw bytes from the image
 * @ctx: the context
 * @buf: where to
 * @len: how many
 *
 * Return: 0 or -errno; a short image gives -EBADMSG.
 */
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	int ret;

	if (!len)
		return 0;
	ret = ctx->io->read(ctx, buf, len);
	if (ret == -ENODATA)
		return ckpt_err(ctx, -EBADMSG, "image truncated at offset %lld",
				ctx->pos);
	if (ret < 0)
		return ckpt_err(ctx, ret, "reading the image at offset %lld: error %d",
				ctx->pos, ret);
	ctx->crc = crc32_le(ctx->crc, buf, len);
	ctx->pos += len;
	return 0;
}

static int ckpt_read_padding(struct ckpt_ctx *ctx, size_t total)
{
	size_t pad = ALIGN(total, CKPT_ALIGN) - total;
	u8 buf[CKPT_ALIGN];
	int ret;

	ret = ckpt_read(ctx, buf, pad);
	if (ret)
		return ret;
	if (memcmp(buf, ckpt_zeros, pad))
		return ckpt_err(ctx, -EBADMSG, "offset %lld: non-zero padding",
				ctx->pos - pad);
	return 0;
}

/* The header and struct of a record; *plen: its payload's length */
static int ckpt_read_obj_head(struct ckpt_ctx *ctx, u32 type,
			      struct ckpt_hdr *h, size_t size, size_t max,
			      size_t *plen)
{
	loff_t start = ctx->pos;
	size_t len;
	int ret;

	ctx->at_boundary = false;
	ret = ckpt_read(ctx, h, sizeof(*h));
	if (ret)
		return ret;
	if (h->type != type)
		return ckpt_err(ctx, -EBADMSG,
				"offset %lld: expected a %s record, found type %u (%s)",
				start, ckpt_rec_name(type), h->type,
				ckpt_rec_name(h->type));
	len = h->len;
	if (len < size || len - size > max)
		return ckpt_err(ctx, -EBADMSG,
				"offset %lld: %s record of %zu bytes (expected %zu to %zu)",
				start, ckpt_rec_name(type), len, size, size + max);
	*plen = len - size;
	return ckpt_read(ctx, (void *)h + sizeof(*h), size - sizeof(*h));
}

/* The padding after a record whose payload was read */
static int ckpt_read_obj_tail(struct ckpt_ctx *ctx, const struct ckpt_hdr *h)
{
	int ret = ckpt_read_padding(ctx, h->len);

	if (ret)
		return ret;
	ctx->nr_records++;
	ctx->at_boundary = true;
	return 0;
}

/**
 * ckpt_read_obj_payload - read a record of a given type and its payload
 * @ctx: the context
 * @type: the expected enum ckpt_rec_type
 * @h: where the record's struct goes
 * @size: size of the record's struct
 * @payload: where the payload goes (may be NULL if @max is 0)
 * @max: the largest payload accepted
 * @plen: returns the payload's length (may be NULL if @max is 0)
 *
 * Checks the type, that the record holds its struct and at most @max
 * bytes of payload, and that the padding is zero.
 *
 * Return: 0 or -errno (-EBADMSG for a malformed record).
 */
int ckpt_read_obj_payload(struct ckpt_ctx *ctx, u32 type, struct ckpt_hdr *h,
			  size_t size, void *payload, size_t max,
			  size_t *plen)
{
	size_t len;
	int ret;

	ret = ckpt_read_obj_head(ctx, type, h, size, max, &len);
	if (!ret)
		ret = ckpt_read(ctx, payload, len);
	if (!ret)
		ret = ckpt_read_obj_tail(ctx, h);
	if (!ret && plen)
		*plen = len;
	return ret;
}

/**
 * ckpt_read_obj_payload_alloc - read a record and its payload, allocated
 * @ctx: the context
 * @type: the expected enum ckpt_rec_type
 * @h: where the record's struct goes
 * @size: size of the record's struct
 * @max: the largest payload accepted
 * @payload: returns the payload, kvmalloc()ed, or NULL if it is empty;
 *	the caller frees it, also on failure
 * @plen: returns the payload's length
 *
 * As ckpt_read_obj_payload(), for a payload only as large as it is.
 *
 * Return: 0 or -errno (-EBADMSG for a malformed record).
 */
int ckpt_read_obj_payload_alloc(struct ckpt_ctx *ctx, u32 type,
				struct ckpt_hdr *h, size_t size, size_t max,
				void **payload, size_t *plen)
{
	int ret;

	*payload = NULL;
	ret = ckpt_read_obj_head(ctx, type, h, size, max, plen);
	if (ret || !*plen)
		return ret ?: ckpt_read_obj_tail(ctx, h);
	*payload = kvmalloc(*plen, GFP_KERNEL);
	if (!*payload)
		return -ENOMEM;
	ret = ckpt_read(ctx, *payload, *plen);
	return ret ?: ckpt_read_obj_tail(ctx, h);
}

/**
 * ckpt_read_obj - read a fixed-size record of a given type
 * @ctx: the context
 * @type: the expected enum ckpt_rec_type
 * @h: where the record goes
 * @size: its exact size
 *
 * Return: 0 or -errno (-EBADMSG for a malformed record).
 */
int ckpt_read_obj(struct ckpt_ctx *ctx, u32 type, struct ckpt_hdr *h,
		  size_t size)
{
	return ckpt_read_obj_payload(ctx, type, h, size, NULL, 0, NULL);
}

/**
 * ckpt_read_trailer - read the trailer and verify the image's checksum
 * @ctx: the context
 *
 * Return: 0 or -EBADMSG.
 */
int ckpt_read_trailer(struct ckpt_ctx *ctx)
{
	u32 crc = ctx->crc ^ ~0U;
	u64 nr = ctx->nr_records;
	loff_t len = ctx->pos;
	struct ckpt_hdr_trailer t;
	int ret;

	ret = ckpt_read_obj(ctx, CKPT_HDR_TRAILER, &t.h, sizeof(t));
	if (ret)
		return ret;
	if (memcmp(t.magic, CKPT_MAGIC, sizeof(t.magic)) ||
	    t.nr_records != nr || t.image_len != len || t.reserved)
		return ckpt_err(ctx, -EBADMSG,
				"offset %lld: trailer does not match the image",
				len);
	if (t.crc32 != crc)
		return ckpt_err(ctx, -EBADMSG,
				"checksum mismatch: image has %08x, computed %08x",
				t.crc32, crc);
	return 0;
}

/* Read and checksum @len bytes without a message; 0 or -EBADMSG */
static int ckpt_skip(struct ckpt_ctx *ctx, void *buf, size_t size, size_t len)
{
	size_t n;

	while (len) {
		n = min(len, size);
		if (ctx->io->read(ctx, buf, n))
			return -EBADMSG;
		ctx->crc = crc32_le(ctx->crc, buf, n);
		ctx->pos += n;
		len -= n;
	}
	return 0;
}

/**
 * ckpt_read_drain - after a failure, is the rest of the image intact?
 * @ctx: the restart context, at a record boundary
 *
 * A restore that failed part way (a file missing, say) may have failed
 * because the image is corrupted: the records up to the trailer are
 * skipped, without looking at them, and the trailer's checksum decides.
 *
 * Return: 0 if the image is intact, -EBADMSG if it is not.
 */
int ckpt_read_drain(struct ckpt_ctx *ctx)
{
	struct ckpt_hdr_trailer t;
	u32 crc;
	u64 nr;
	loff_t len;

	if (!ctx->at_boundary)
		return -EBADMSG;
	for (;;) {
		crc = ctx->crc ^ ~0U;
		nr = ctx->nr_records;
		len = ctx->pos;
		if (ckpt_skip(ctx, &t, sizeof(t), sizeof(t.h)))
			return -EBADMSG;
		if (t.h.len < sizeof(t.h))
			return -EBADMSG;
		if (t.h.type == CKPT_HDR_TRAILER)
			break;
		if (ckpt_skip(ctx, ctx->buf, ctx->buf_size,
			      ALIGN(t.h.len, CKPT_ALIGN) - sizeof(t.h)))
			return -EBADMSG;
		ctx->nr_records++;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	if (t.h.len != sizeof(t) ||
	    ckpt_skip(ctx, (void *)&t + sizeof(t.h), sizeof(t) - sizeof(t.h),
		      sizeof(t) - sizeof(t.h)))
		return -EBADMSG;
	if (memcmp(t.magic, CKPT_MAGIC, sizeof(t.magic)) || t.nr_records != nr ||
	    t.image_len != len || t.crc32 != crc)
		return -EBADMSG;
	return 0;
}

/**
 * ckpt_check_string - check a string read from the image
 * @ctx: the context
 * @s: the string
 * @len: its length in the image, NUL included
 * @what: what it is, for the message
 *
 * Return: 0 if @s is exactly @len bytes with one final NUL, or -EBADMSG.
 */
int ckpt_check_string(struct ckpt_ctx *ctx, const char *s, size_t len,
		      const char *what)
{
	if (!len || s[len - 1] || strnlen(s, len) != len - 1)
		return ckpt_err(ctx, -EBADMSG, "offset %lld: malformed %s",
				ctx->pos, what);
	return 0;
}
