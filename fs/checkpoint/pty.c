// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: pseudo-terminal pairs (/dev/ptmx and /dev/pts/N).
 *
 * A pair is an object: its master's file and its slave's open files name
 * it.  The first FILE record that does is followed by a PTY record (the
 * index, the ptmx node to open again, the lock, packet mode, the window
 * size and the foreground process group) and by one TTY record per side,
 * master first: the termios, the flow control state and the input it
 * holds, in the line discipline (N_TTY) and in the flip buffer, read
 * without consuming anything.
 *
 * A restart opens the ptmx node until it gets a master with the saved
 * index; the masters with lower indexes it gets on the way are kept for
 * the pairs that want them and closed once all files are read.  It sets
 * the termios and gives each side its input back, then its flags.  Slave
 * files are opened again by path, without making the pair anyone's
 * controlling terminal: ctty.c does that once every process exists, and
 * then the pairs get their foreground groups back.
 *
 * Only pairs that the tree holds alone are saved: every open file of both
 * sides in the tree, the session whose terminal it is and its foreground
 * group too.  A slave opened as /dev/tty is saved with that device
 * number and opened again through the same path as a file of the
 * restored slave: the process it was opened by has not got its
 * controlling terminal back yet, and may have left that session since.
 */
#include <linux/checkpoint.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>

/* Open flags of the FILE records besides O_ACCMODE */
#define CKPT_PTY_FILE_FLAGS	(O_NONBLOCK | O_LARGEFILE)

#define CKPT_PTY_ALL		(CKPT_PTY_LOCKED | CKPT_PTY_PACKET | \
				 CKPT_PTY_SLAVE_CLOSED)
#define CKPT_TTY_ALL		(CKPT_TTY_STOPPED | CKPT_TTY_TCO_STOPPED | \
				 CKPT_TTY_LNEXT | CKPT_TTY_ERASING | \
				 CKPT_TTY_PUSH | CKPT_TTY_NO_ROOM)

/* A restored pair */
struct rstr_pty {
	struct file *master;	/* its master's file, until a FILE takes it */
	struct tty_struct *tty;	/* the master */
	bool taken;		/* a FILE record took the master */
	u32 index;
	pid_t fg_pgid;
};

/* The master of a pty pair, if @tty is one side of a Unix 98 pair */
static struct tty_struct *ckpt_pty_master(struct tty_struct *tty)
{
	if (!tty || tty->driver->type != TTY_DRIVER_TYPE_PTY ||
	    !(tty->driver->flags & TTY_DRIVER_DEVPTS_MEM))
		return NULL;
	return tty->driver->subtype == PTY_TYPE_MASTER ? tty : tty->link;
}

static bool ckpt_file_ptmx_match(struct file *file)
{
	struct tty_struct *tty = tty_file_tty(file);

	return ckpt_pty_master(tty) && ckpt_pty_master(tty) == tty;
}

/* A slave opened by its own node or as /dev/tty */
static bool ckpt_file_pts_match(struct file *file)
{
	struct tty_struct *tty = tty_file_tty(file);
	dev_t rdev = file_inode(file)->i_rdev;

	return ckpt_pty_master(tty) && ckpt_pty_master(tty) != tty &&
	       (rdev == tty_devnum(tty) || rdev == MKDEV(TTYAUX_MAJOR, 0));
}

/* The session of @tty and its foreground group, as the tree sees them */
static void ckpt_tty_ctrl(struct ckpt_ctx *ctx, struct tty_struct *tty,
			  pid_t *sid, pid_t *fg)
{
	unsigned long flags;

	spin_lock_irqsave(&tty->ctrl.lock, flags);
	*sid = tty->ctrl.session ? pid_nr_ns(tty->ctrl.session, ctx->pidns) : 0;
	*fg = tty->ctrl.pgrp ? pid_nr_ns(tty->ctrl.pgrp, ctx->pidns) : 0;
	spin_unlock_irqrestore(&tty->ctrl.lock, flags);
}

/* The session and foreground group of the slave must be the tree's */
static const char *ckpt_pty_check_ctrl(struct ckpt_ctx *ctx,
				       struct tty_struct *slave)
{
	bool has_session, has_pgrp;
	pid_t sid, fg;

	spin_lock_irq(&slave->ctrl.lock);
	has_session = slave->ctrl.session;
	has_pgrp = slave->ctrl.pgrp;
	spin_unlock_irq(&slave->ctrl.lock);
	ckpt_tty_ctrl(ctx, slave, &sid, &fg);
	if (has_session && ckpt_tree_find(ctx, sid, PIDTYPE_PID) < 0)
		return "the controlling terminal of a session outside the tree";
	if (has_session && ckpt_tree_find(ctx, fg, PIDTYPE_PGID) < 0)
		return "its foreground process group is not in the tree";
	if (!has_session && has_pgrp)
		return "a foreground process group without a session";
	return NULL;
}

/* Count the tree's open files of each side of @master */
static void ckpt_pty_count(struct ckpt_ctx *ctx, struct tty_struct *master,
			   unsigned int *nm, unsigned int *ns)
{
	struct tty_struct *tty;
	unsigned int i;

	*nm = 0;
	*ns = 0;
	for (i = 0; i < ctx->nr_cfiles; i++) {
		tty = tty_file_tty(ctx->cfiles[i].file);
		*nm += tty == master;
		*ns += tty && tty == master->link;
	}
}

/* Refuse a pair that the tree does not hold alone */
static int ckpt_pty_check_tree(struct ckpt_ctx *ctx, struct file *file,
			       const char *who)
{
	struct tty_struct *master = ckpt_pty_master(tty_file_tty(file));
	unsigned int nm, ns;
	const char *why;
	int ret = 0;

	if (tty_file_tty(file) == master && (file->f_flags & O_ACCMODE) != O_RDWR)
		return ckpt_file_refuse(ctx, file, who,
					"a master not open for reading and writing");
	ckpt_pty_count(ctx, master, &nm, &ns);
	tty_lock(master);
	/* The slave counts one more: the pair's own, until the master goes */
	if (nm != master->count || ns + 1 != master->link->count)
		ret = ckpt_file_refuse(ctx, file, who, nm ?
				       "also open in a task outside the tree" :
				       "its master is not open in the tree");
	tty_unlock(master);
	if (ret)
		return ret;
	why = ckpt_pty_check_ctrl(ctx, master->link);
	return why ? ckpt_file_refuse(ctx, file, who, why) : 0;
}

/* The open file of @master: the tree holds it, ckpt_pty_check_tree() saw */
static struct file *ckpt_pty_master_file(struct ckpt_ctx *ctx,
					 struct tty_struct *master)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_cfiles; i++)
		if (tty_file_tty(ctx->cfiles[i].file) == master)
			return ctx->cfiles[i].file;
	return NULL;
}

static int ckpt_pty_checkpoint(struct ckpt_ctx *ctx, struct file *file,
			       struct ckpt_hdr_file *h, char *why, size_t len)
{
	struct tty_struct *tty = tty_file_tty(file);
	int ret;

	h->pos = 0;
	h->rdev = new_encode_dev(file_inode(file)->i_rdev);
	ret = ckpt_obj_lookup_add(ctx, ckpt_pty_master(tty), CKPT_OBJ_PTY,
				  &h->obj_ref);
	if (ret > 0)
		h->flags |= CKPT_FILE_OBJ_NEW;
	return ret < 0 ? ret : 0;
}

/* The termios and flow control state of one side */
static void ckpt_tty_termios(struct tty_struct *tty, struct ckpt_hdr_tty *ht)
{
	struct ktermios *k = &tty->termios;

	BUILD_BUG_ON(NCCS != CKPT_TTY_NCCS);
	down_read(&tty->termios_rwsem);
	ht->iflag = k->c_iflag;
	ht->oflag = k->c_oflag;
	ht->cflag = k->c_cflag;
	ht->lflag = k->c_lflag;
	ht->line = k->c_line;
	memcpy(ht->cc, k->c_cc, NCCS);
	ht->ispeed = k->c_ispeed;
	ht->ospeed = k->c_ospeed;
	up_read(&tty->termios_rwsem);
	spin_lock_irq(&tty->flow.lock);
	if (tty->flow.stopped)
		ht->flags |= CKPT_TTY_STOPPED;
	if (tty->flow.tco_stopped)
		ht->flags |= CKPT_TTY_TCO_STOPPED;
	spin_unlock_irq(&tty->flow.lock);
}

static void ckpt_tty_input(const struct n_tty_state *st,
			   struct ckpt_hdr_tty *ht, u8 *payload)
{
	unsigned int i;

	ht->count = st->count;
	ht->canon = st->canon;
	ht->commit = st->commit;
	ht->line_start = st->line_start;
	ht->column = st->column;
	ht->canon_column = st->canon_column;
	ht->flags |= (st->lnext ? CKPT_TTY_LNEXT : 0) |
		     (st->erasing ? CKPT_TTY_ERASING : 0) |
		     (st->push ? CKPT_TTY_PUSH : 0) |
		     (st->no_room ? CKPT_TTY_NO_ROOM : 0);
	memcpy(payload, st->buf, st->count);
	memset(payload + st->count, 0, DIV_ROUND_UP(st->count, 8));
	for (i = 0; i < st->count; i++)
		if (test_bit(i, st->eol))
			payload[st->count + i / 8] |= 1 << (i % 8);
}

static int ckpt_tty_state_err(struct ckpt_ctx *ctx, struct tty_struct *tty,
			      int err)
{
	const char *why = "its input cannot be read";

	if (err == -EBUSY)
		why = "echoes waiting to be written";
	else if (err == -EINVAL)
		why = "a line discipline other than N_TTY";
	else if (err == -ENOSPC || err == -EOPNOTSUPP)
		why = "too much input pending, or with error flags";
	else
		return ckpt_err(ctx, err, "%s: reading its input failed: error %d",
				tty_name(tty), err);
	return ckpt_err(ctx, -EOPNOTSUPP, "%s: %s: not supported",
			tty_name(tty), why);
}

/* Write the TTY record of one side */
static int ckpt_write_tty(struct ckpt_ctx *ctx, struct tty_struct *tty,
			  struct n_tty_state *st, u8 *payload)
{
	struct ckpt_hdr_tty ht = {};
	size_t head;
	int n, ret;

	if (memchr_inv(&tty->termios_locked, 0, sizeof(tty->termios_locked)))
		return ckpt_err(ctx, -EOPNOTSUPP, "%s: %s: not supported",
				tty_name(tty), "locked termios (TIOCSLCKTRMIOS)");
	ckpt_tty_termios(tty, &ht);
	ret = n_tty_save_state(tty, st);
	if (ret)
		return ckpt_tty_state_err(ctx, tty, ret);
	ckpt_tty_input(st, &ht, payload);
	head = st->count + DIV_ROUND_UP(st->count, 8);
	n = tty_buffer_copy_pending(tty->port, payload + head,
				    CKPT_TTY_PENDING_MAX);
	if (n < 0)
		return ckpt_tty_state_err(ctx, tty, n);
	ht.nr_pending = n;
	return ckpt_write_obj_payload(ctx, &ht.h, CKPT_HDR_TTY, sizeof(ht),
				      payload, head + n);
}

#define CKPT_TTY_PAYLOAD_MAX	(CKPT_TTY_BUF_SIZE + CKPT_TTY_BUF_SIZE / 8 + \
				 CKPT_TTY_PENDING_MAX)

static int ckpt_write_pty_rec(struct ckpt_ctx *ctx, struct tty_struct *master,
			      u32 ref, char *buf)
{
	struct tty_struct *slave = master->link;
	struct ckpt_hdr_pty hp = {};
	struct file *mfile;
	char *path;
	pid_t sid;

	mfile = ckpt_pty_master_file(ctx, master);
	if (WARN_ON_ONCE(!mfile))	/* ckpt_pty_check_tree() saw it */
		return -EIO;
	path = d_path(&mfile->f_path, buf, CKPT_PATH_MAX);
	if (IS_ERR(path) || path[0] != '/')
		return ckpt_err(ctx, -EOPNOTSUPP, "%s: the ptmx node of its master has no path",
				tty_name(slave));
	hp.ref = ref;
	hp.index = master->index;
	if (test_bit(TTY_PTY_LOCK, &master->flags))
		hp.flags |= CKPT_PTY_LOCKED;
	if (test_bit(TTY_OTHER_CLOSED, &master->flags))
		hp.flags |= CKPT_PTY_SLAVE_CLOSED;
	spin_lock_irq(&master->ctrl.lock);
	if (master->ctrl.packet)
		hp.flags |= CKPT_PTY_PACKET;
	spin_unlock_irq(&master->ctrl.lock);
	/* The status a packet mode read gives is kept by the slave */
	spin_lock_irq(&slave->ctrl.lock);
	hp.pktstatus = slave->ctrl.pktstatus;
	spin_unlock_irq(&slave->ctrl.lock);
	ckpt_tty_ctrl(ctx, slave, &sid, &hp.fg_pgid);
	mutex_lock(&slave->winsize_mutex);
	hp.ws_row = slave->winsize.ws_row;
	hp.ws_col = slave->winsize.ws_col;
	hp.ws_xpixel = slave->winsize.ws_xpixel;
	hp.ws_ypixel = slave->winsize.ws_ypixel;
	mutex_unlock(&slave->winsize_mutex);
	hp.ptmx_len = strlen(path) + 1;
	return ckpt_write_obj_payload(ctx, &hp.h, CKPT_HDR_PTY, sizeof(hp),
				      path, hp.ptmx_len);
}

static int ckpt_pty_write_obj(struct ckpt_ctx *ctx, struct file *file,
			      const struct ckpt_hdr_file *h)
{
	struct tty_struct *master = ckpt_pty_master(tty_file_tty(file));
	struct n_tty_state *st;
	u8 *payload;
	int ret;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	payload = kvmalloc(max(CKPT_TTY_PAYLOAD_MAX, CKPT_PATH_MAX),
			   GFP_KERNEL);
	ret = st && payload ? 0 : -ENOMEM;
	if (!ret)
		ret = ckpt_write_pty_rec(ctx, master, h->obj_ref, payload);
	if (!ret)
		ret = ckpt_write_tty(ctx, master, st, payload);
	if (!ret)
		ret = ckpt_write_tty(ctx, master->link, st, payload);
	kvfree(payload);
	kfree(st);
	return ret;
}

/**
 * rstr_pty_put - drop a restored pty pair
 * @ptr: the struct rstr_pty
 */
void rstr_pty_put(void *ptr)
{
	struct rstr_pty *rp = ptr;

	if (rp->master)
		fput(rp->master);
	kfree(rp);
}

static int rstr_pty_check(struct ckpt_ctx *ctx, u32 ref,
			  const struct ckpt_hdr_pty *hp, const char *path,
			  size_t plen)
{
	if (hp->ref != ref || hp->index >= CKPT_MAX_PTYS ||
	    hp->flags & ~CKPT_PTY_ALL || hp->pktstatus > U8_MAX ||
	    hp->fg_pgid < 0 || hp->fg_pgid >= PID_MAX_LIMIT ||
	    hp->ptmx_len != plen)
		return ckpt_err(ctx, -EBADMSG, "malformed PTY record (ref %u)",
				ref);
	if (ckpt_check_string(ctx, path, plen, "PTY ptmx path"))
		return -EBADMSG;
	if (path[0] != '/')
		return ckpt_err(ctx, -EBADMSG, "PTY ptmx path is not absolute");
	return 0;
}

/* A new master of index @index: kept from an earlier open, or opened */
static struct file *rstr_ptmx_open(struct ckpt_ctx *ctx, const char *path,
				   u32 index)
{
	struct ckpt_hdr_file o = {
		.f_flags = O_RDWR | O_NOCTTY,
		.rdev = new_encode_dev(MKDEV(TTYAUX_MAJOR, 2)),
	};
	struct tty_struct *tty;
	struct file *file;
	int ret;

	for (;;) {
		file = xa_erase(&ctx->pty_spares, index);
		if (file)
			return file;
		if (fatal_signal_pending(current))
			return ERR_PTR(-EINTR);
		file = rstr_open_path(ctx, &o, path, S_IFCHR);
		if (IS_ERR(file))
			return file;
		tty = tty_file_tty(file);
		if (!ckpt_file_ptmx_match(file)) {
			fput(file);
			return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s does not open pty masters",
						path));
		}
		if (tty->index == index)
			return file;
		if (tty->index > index) {
			fput(file);
			return ERR_PTR(ckpt_err(ctx, -EBUSY, "pty %u is in use",
						index));
		}
		ret = xa_err(xa_store(&ctx->pty_spares, tty->index, file,
				      GFP_KERNEL));
		if (ret) {
			fput(file);
			return ERR_PTR(ret);
		}
	}
}

/**
 * rstr_pty_files_done - close the masters opened on the way to others
 * @ctx: the restart context, every FILE record read
 */
void rstr_pty_files_done(struct ckpt_ctx *ctx)
{
	struct file *file;
	unsigned long i;

	xa_for_each(&ctx->pty_spares, i, file) {
		xa_erase(&ctx->pty_spares, i);
		fput(file);
	}
}

static int rstr_tty_check(struct ckpt_ctx *ctx, const struct ckpt_hdr_tty *ht,
			  const u8 *payload, size_t plen)
{
	size_t eol = DIV_ROUND_UP(ht->count, 8);

	if (ht->line != N_TTY || ht->flags & ~CKPT_TTY_ALL ||
	    (ht->flags & CKPT_TTY_TCO_STOPPED &&
	     !(ht->flags & CKPT_TTY_STOPPED)) ||
	    ht->count > CKPT_TTY_BUF_SIZE || ht->canon > ht->count ||
	    ht->commit > ht->count || ht->line_start > ht->count ||
	    ht->nr_pending > CKPT_TTY_PENDING_MAX ||
	    plen != ht->count + eol + ht->nr_pending ||
	    (ht->count % 8 && payload[ht->count + eol - 1] >> (ht->count % 8)))
		return ckpt_err(ctx, -EBADMSG, "malformed TTY record");
	return 0;
}

static int rstr_tty_termios(struct ckpt_ctx *ctx, struct tty_struct *tty,
			    const struct ckpt_hdr_tty *ht)
{
	struct ktermios k;

	down_read(&tty->termios_rwsem);
	k = tty->termios;
	up_read(&tty->termios_rwsem);
	k.c_iflag = ht->iflag;
	k.c_oflag = ht->oflag;
	k.c_cflag = ht->cflag;
	k.c_lflag = ht->lflag;
	memcpy(k.c_cc, ht->cc, NCCS);
	k.c_ispeed = ht->ispeed;
	k.c_ospeed = ht->ospeed;
	return tty_set_termios(tty, &k);
}

static void rstr_tty_input(const struct ckpt_hdr_tty *ht, const u8 *payload,
			   struct n_tty_state *st)
{
	unsigned int i;

	st->count = ht->count;
	st->canon = ht->canon;
	st->commit = ht->commit;
	st->line_start = ht->line_start;
	st->column = ht->column;
	st->canon_column = ht->canon_column;
	st->lnext = ht->flags & CKPT_TTY_LNEXT;
	st->erasing = ht->flags & CKPT_TTY_ERASING;
	st->push = ht->flags & CKPT_TTY_PUSH;
	st->no_room = ht->flags & CKPT_TTY_NO_ROOM;
	memcpy(st->buf, payload, ht->count);
	bitmap_zero(st->eol, N_TTY_BUF_SIZE);
	for (i = 0; i < ht->count; i++)
		if (payload[ht->count + i / 8] & (1 << (i % 8)))
			__set_bit(i, st->eol);
}

static void rstr_tty_flow(struct tty_struct *tty,
			  const struct ckpt_hdr_tty *ht)
{
	if (ht->flags & CKPT_TTY_STOPPED)
		stop_tty(tty);
	spin_lock_irq(&tty->flow.lock);
	tty->flow.tco_stopped = ht->flags & CKPT_TTY_TCO_STOPPED;
	spin_unlock_irq(&tty->flow.lock);
}

/* Give one side its termios, input and flow control state */
static int rstr_tty_apply(struct ckpt_ctx *ctx, struct tty_struct *tty,
			  const struct ckpt_hdr_tty *ht, const u8 *payload)
{
	const u8 *pending = payload + ht->count + DIV_ROUND_UP(ht->count, 8);
	struct n_tty_state *st;
	int ret;

	/* A master's termios cannot change: TCSETS on it sets its slave's */
	ret = tty == ckpt_pty_master(tty) ? 0 : rstr_tty_termios(ctx, tty, ht);
	if (ret)
		return ckpt_err(ctx, ret, "%s: setting its termios failed: error %d",
				tty_name(tty), ret);
	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	rstr_tty_input(ht, payload, st);
	ret = n_tty_restore_state(tty, st);
	kfree(st);
	if (ret)
		return ckpt_err(ctx, ret, "%s: giving its input back failed: error %d",
				tty_name(tty), ret);
	if (ht->nr_pending) {
		if (tty_insert_flip_string(tty->port, pending,
					   ht->nr_pending) != ht->nr_pending)
			return ckpt_err(ctx, -ENOSPC, "%s: no room for its pending input",
					tty_name(tty));
		tty_flip_buffer_push(tty->port);
	}
	rstr_tty_flow(tty, ht);
	return 0;
}

static int rstr_read_tty(struct ckpt_ctx *ctx, struct tty_struct *tty)
{
	struct ckpt_hdr_tty ht;
	void *payload = NULL;
	size_t plen;
	int ret;

	ret = ckpt_read_obj_payload_alloc(ctx, CKPT_HDR_TTY, &ht.h, sizeof(ht),
					  CKPT_TTY_PAYLOAD_MAX, &payload,
					  &plen);
	if (!ret)
		ret = rstr_tty_check(ctx, &ht, payload, plen);
	if (!ret)
		ret = rstr_tty_apply(ctx, tty, &ht, payload);
	kvfree(payload);
	return ret;
}

/* The state of the pair as a whole, its sides restored */
static int rstr_pty_apply(struct ckpt_ctx *ctx, struct tty_struct *master,
			  const struct ckpt_hdr_pty *hp)
{
	struct winsize ws = {
		.ws_row = hp->ws_row, .ws_col = hp->ws_col,
		.ws_xpixel = hp->ws_xpixel, .ws_ypixel = hp->ws_ypixel,
	};
	int ret;

	ret = tty_do_resize(master->link, &ws);
	if (ret)
		return ckpt_err(ctx, ret, "%s: setting its window size failed: error %d",
				tty_name(master->link), ret);
	spin_lock_irq(&master->ctrl.lock);
	master->ctrl.packet = hp->flags & CKPT_PTY_PACKET;
	spin_unlock_irq(&master->ctrl.lock);
	spin_lock_irq(&master->link->ctrl.lock);
	master->link->ctrl.pktstatus = hp->pktstatus;
	spin_unlock_irq(&master->link->ctrl.lock);
	if (hp->flags & CKPT_PTY_SLAVE_CLOSED) {
		/* What the last close of the slave leaves */
		set_bit(TTY_IO_ERROR, &master->link->flags);
		set_bit(TTY_OTHER_CLOSED, &master->flags);
	}
	if (!(hp->flags & CKPT_PTY_LOCKED))
		clear_bit(TTY_PTY_LOCK, &master->flags);
	return 0;
}

static struct rstr_pty *rstr_pty_new(struct ckpt_ctx *ctx,
				     const struct ckpt_hdr_file *h)
{
	struct ckpt_hdr_pty hp;
	struct rstr_pty *rp;
	char *path;
	size_t plen;
	int ret;

	path = kzalloc(CKPT_PATH_MAX, GFP_KERNEL);
	rp = kzalloc(sizeof(*rp), GFP_KERNEL);
	ret = path && rp ? 0 : -ENOMEM;
	if (!ret)
		ret = ckpt_read_obj_payload(ctx, CKPT_HDR_PTY, &hp.h, sizeof(hp),
					    path, CKPT_PATH_MAX, &plen);
	if (!ret)
		ret = rstr_pty_check(ctx, h->obj_ref, &hp, path, plen);
	if (!ret) {
		rp->master = rstr_ptmx_open(ctx, path, hp.index);
		ret = PTR_ERR_OR_ZERO(rp->master);
		if (ret)
			rp->master = NULL;
	}
	kfree(path);
	if (ret)
		goto fail;
	rp->tty = tty_file_tty(rp->master);
	rp->index = hp.index;
	rp->fg_pgid = hp.fg_pgid;
	ret = rstr_read_tty(ctx, rp->tty);
	if (!ret)
		ret = rstr_read_tty(ctx, rp->tty->link);
	if (!ret)
		ret = rstr_pty_apply(ctx, rp->tty, &hp);
	if (ret)
		goto fail;
	ret = rstr_obj_add(ctx, h->obj_ref, CKPT_OBJ_PTY, rp);
	if (!ret)
		ret = xa_err(xa_store(&ctx->ptys, h->obj_ref, rp, GFP_KERNEL));
	return ret ? ERR_PTR(ret) : rp;
fail:
	if (rp)
		rstr_pty_put(rp);
	return ERR_PTR(ret);
}

static struct rstr_pty *rstr_pty_get(struct ckpt_ctx *ctx,
				     const struct ckpt_hdr_file *h)
{
	if (h->pos)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed FILE record (ref %u): a tty has no offset",
					h->ref));
	if (h->flags & CKPT_FILE_OBJ_NEW)
		return rstr_pty_new(ctx, h);
	return rstr_obj_get(ctx, h->obj_ref, CKPT_OBJ_PTY);
}

static struct file *rstr_file_ptmx(struct ckpt_ctx *ctx,
				   const struct ckpt_hdr_file *h,
				   const char *path)
{
	struct rstr_pty *rp = rstr_pty_get(ctx, h);

	if (IS_ERR(rp))
		return ERR_CAST(rp);
	if (rp->taken || (h->f_flags & O_ACCMODE) != O_RDWR)
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"FILE record (ref %u): a second or read-only master of pty %u",
					h->ref, rp->index));
	rp->taken = true;
	rstr_file_set_flags(rp->master, CKPT_PTY_FILE_FLAGS, h->f_flags);
	return get_file(rp->master);
}

static struct file *rstr_file_pts(struct ckpt_ctx *ctx,
				  const struct ckpt_hdr_file *h,
				  const char *path)
{
	struct ckpt_hdr_file o = *h;
	struct rstr_pty *rp;
	struct file *file;
	bool dev_tty, locked;
	int ret;

	rp = rstr_pty_get(ctx, h);
	if (IS_ERR(rp))
		return ERR_CAST(rp);
	dev_tty = new_decode_dev(h->rdev) == MKDEV(TTYAUX_MAJOR, 0);
	if (!dev_tty && new_decode_dev(h->rdev) != tty_devnum(rp->tty->link))
		return ERR_PTR(ckpt_err(ctx, -EBADMSG,
					"malformed FILE record (ref %u): device %u:%u is not the slave of pty %u",
					h->ref, MAJOR(new_decode_dev(h->rdev)),
					MINOR(new_decode_dev(h->rdev)),
					rp->index));
	ret = rstr_check_path(ctx, h, path, S_IFCHR);
	if (ret)
		return ERR_PTR(ret);
	/* Opened while unlocked, as it was before TIOCSPTLCK */
	locked = test_and_clear_bit(TTY_PTY_LOCK, &rp->tty->flags);
	o.f_flags |= O_NOCTTY;
	if (dev_tty)
		file = tty_open_as_ctty(path, o.f_flags, rp->tty->link);
	else
		file = filp_open(path, o.f_flags, 0);
	if (locked)
		set_bit(TTY_PTY_LOCK, &rp->tty->flags);
	file = rstr_opened_path(ctx, &o, path, S_IFCHR, file);
	if (!IS_ERR(file) && tty_file_tty(file) != rp->tty->link) {
		fput(file);
		return ERR_PTR(ckpt_err(ctx, -ESTALE, "%s is not the slave of pty %u",
					path, rp->index));
	}
	return file;
}

/**
 * ckpt_pty_ref - the ref of the pair of a tty, for a SIGNAL record
 * @ctx: the checkpoint context, every FILE record written
 * @tty: a tty
 *
 * Return: the ref of @tty's PTY object, or 0 if @tty is not a pty the
 * image holds.
 */
u32 ckpt_pty_ref(struct ckpt_ctx *ctx, struct tty_struct *tty)
{
	struct tty_struct *master = ckpt_pty_master(tty);

	return master ? ckpt_obj_lookup(ctx, master, CKPT_OBJ_PTY) : 0;
}

/**
 * rstr_pty_slave - the slave of a restored pair
 * @ctx: the restart context
 * @ref: the ref of its PTY object, checked when read
 *
 * Return: the slave's tty, with a reference, or NULL.
 */
struct tty_struct *rstr_pty_slave(struct ckpt_ctx *ctx, u32 ref)
{
	struct rstr_pty *rp = rstr_obj_get(ctx, ref, CKPT_OBJ_PTY);

	return IS_ERR(rp) ? NULL : tty_kref_get(rp->tty->link);
}

static int rstr_set_fg_pgrp(struct ckpt_ctx *ctx, struct rstr_pty *rp)
{
	int i = ckpt_tree_find(ctx, rp->fg_pgid, PIDTYPE_PGID);
	struct pid *pgrp = NULL;
	int ret;

	if (i >= 0)
		pgrp = get_pid(task_pgrp(ctx->tasks[i].task));
	ret = pgrp ? tty_set_fg_pgrp(rp->tty->link, pgrp) : -ESRCH;
	put_pid(pgrp);
	if (ret)
		ckpt_err(ctx, ret, "pty %u: setting its foreground process group %d failed: error %d",
			 rp->index, rp->fg_pgid, ret);
	return ret;
}

/**
 * rstr_pty_set_fg - give restored pairs their foreground process groups
 * @ctx: the restart context, the sessions' terminals set
 *
 * Return: 0 or -errno.
 */
int rstr_pty_set_fg(struct ckpt_ctx *ctx)
{
	struct rstr_pty *rp;
	unsigned long i;
	int ret = 0;

	xa_for_each(&ctx->ptys, i, rp)
		if (!ret && rp->fg_pgid)
			ret = rstr_set_fg_pgrp(ctx, rp);
	return ret;
}

const struct ckpt_file_ops ckpt_file_ptmx_ops = {
	.type = CKPT_FILE_PTMX,
	.name = "pty master",
	.by_path = true,
	.flags = CKPT_PTY_FILE_FLAGS,
	.match = ckpt_file_ptmx_match,
	.check_tree = ckpt_pty_check_tree,
	.checkpoint = ckpt_pty_checkpoint,
	.write_obj = ckpt_pty_write_obj,
	.restore = rstr_file_ptmx,
};

const struct ckpt_file_ops ckpt_file_pts_ops = {
	.type = CKPT_FILE_PTS,
	.name = "pty slave",
	.by_path = true,
	.flags = CKPT_PTY_FILE_FLAGS,
	.match = ckpt_file_pts_match,
	.check_tree = ckpt_pty_check_tree,
	.checkpoint = ckpt_pty_checkpoint,
	.write_obj = ckpt_pty_write_obj,
	.restore = rstr_file_pts,
};
