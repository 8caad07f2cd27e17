// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: timerfd.
 *
 * A timerfd is one open file; its timer is the object behind it.  Its
 * FILE record is followed by a TIMERFD record: the clock, the flags of
 * its last setting, the time left to its next expiration, its interval
 * and the expirations not read yet, saved without reading the file.  A
 * restart makes a new timerfd and arms it for the time it had left: an
 * absolute timer (TFD_TIMER_ABSTIME) too, at now plus that time, so that
 * a timer on a clock that differs between machines or boots fires after
 * the same delay.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/time_namespace.h>
#include <linux/timekeeping.h>
#include <linux/timerfd.h>

/* Open flags besides O_RDWR: timerfd_create() leaves O_CLOEXEC there too */
#define CKPT_TIMERFD_FLAGS	(O_NONBLOCK | O_CLOEXEC)

static bool ckpt_file_timerfd_match(struct file *file)
{
	struct itimerspec64 t;
	int clockid, flags;
	u64 ticks;

	return !timerfd_file_get(file, &clockid, &flags, &t, &ticks);
}

static int ckpt_timerfd_checkpoint(struct ckpt_ctx *ctx, struct file *file,
				   struct ckpt_hdr_file *h, char *why,
				   size_t len)
{
	return ckpt_file_own_obj(ctx, file->private_data, CKPT_OBJ_TIMERFD, h);
}

static int ckpt_timerfd_write_obj(struct ckpt_ctx *ctx, struct file *file,
				  const struct ckpt_hdr_file *h)
{
	struct ckpt_hdr_timerfd ht = {};
	struct itimerspec64 t;
	int clockid, flags, ret;

	ret = timerfd_file_get(file, &clockid, &flags, &t, &ht.ticks);
	if (ret)
		return ret;
	ht.ref = h->obj_ref;
	ht.clockid = clockid;
	ht.flags = (flags & TFD_TIMER_ABSTIME ? CKPT_TIMERFD_ABSTIME : 0) |
		   (flags & TFD_TIMER_CANCEL_ON_SET ?
		    CKPT_TIMERFD_CANCEL_ON_SET : 0);
	ht.value_ns = timespec64_to_ns(&t.it_value);
	ht.interval_ns = timespec64_to_ns(&t.it_interval);
	return ckpt_write_obj(ctx, &ht.h, CKPT_HDR_TIMERFD, sizeof(ht));
}

static bool rstr_timerfd_clock_ok(s32 clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_MONOTONIC ||
	       clockid == CLOCK_BOOTTIME || clockid == CLOCK_REALTIME_ALARM ||
	       clockid == CLOCK_BOOTTIME_ALARM;
}

/* Now on @clockid, as the current task's time namespace sees it */
static struct timespec64 rstr_timerfd_now(s32 clockid)
{
	struct timespec64 now;

	switch (clockid) {
	case CLOCK_MONOTONIC:
		ktime_get_ts64(&now);
		timens_add_monotonic(&now);
		break;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		ktime_get_boottime_ts64(&now);
		timens_add_boottime(&now);
		break;
	default:
		ktime_get_real_ts64(&now);
		break;
	}
	return now;
}

/* Arm @file as @ht says */
static int rstr_timerfd_arm(struct ckpt_ctx *ctx, struct file *file,
			    const struct ckpt_hdr_timerfd *ht)
{
	struct itimerspec64 t;
	int flags = 0, ret;

	if (ht->flags & CKPT_TIMERFD_ABSTIME)
		flags |= TFD_TIMER_ABSTIME;
	if (ht->flags & CKPT_TIMERFD_CANCEL_ON_SET)
		flags |= TFD_TIMER_CANCEL_ON_SET;
	t.it_value = ns_to_timespec64(ht->value_ns);
	t.it_interval = ns_to_timespec64(ht->interval_ns);
	if (ht->value_ns && flags & TFD_TIMER_ABSTIME)
		t.it_value = timespec64_add(rstr_timerfd_now(ht->clockid),
					    t.it_value);
	ret = timerfd_file_set(file, flags, &t, ht->ticks);
	if (ret)
		ckpt_err(ctx, ret, "timerfd (ref %u): arming it failed: error %d",
			 ht->ref, ret);
	return ret;
}

static struct file *rstr_file_timerfd(struct ckpt_ctx *ctx,
				      const struct ckpt_hdr_file *h,
				      const char *path)
{
	struct ckpt_hdr_timerfd ht;
	struct file *file;
	int ret;

	ret = rstr_file_own_obj(ctx, h, CKPT_OBJ_TIMERFD, "timerfd");
	if (!ret)
		ret = ckpt_read_obj(ctx, CKPT_HDR_TIMERFD, &ht.h, sizeof(ht));
	if (ret)
		return ERR_PTR(ret);
	if (ht.ref != h->obj_ref || !rstr_timerfd_clock_ok(ht.clockid) ||
	    ht.flags & ~(CKPT_TIMERFD_ABSTIME | CKPT_TIMERFD_CANCEL_ON_SET) ||
	    ht.reserved || ht.value_ns < 0 || ht.interval_ns < 0)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed TIMERFD record (ref %u)",
					h->obj_ref));
	file = timerfd_file_create(ht.clockid, h->f_flags & CKPT_TIMERFD_FLAGS);
	if (IS_ERR(file)) {
		ckpt_err(ctx, PTR_ERR(file), "timerfd (ref %u): error %ld",
			 h->ref, PTR_ERR(file));
		return file;
	}
	ret = rstr_timerfd_arm(ctx, file, &ht);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

const struct ckpt_file_ops ckpt_file_timerfd_ops = {
	.type = CKPT_FILE_TIMERFD,
	.name = "timerfd",
	.flags = CKPT_TIMERFD_FLAGS,
	.match = ckpt_file_timerfd_match,
	.checkpoint = ckpt_timerfd_checkpoint,
	.write_obj = ckpt_timerfd_write_obj,
	.restore = rstr_file_timerfd,
};
