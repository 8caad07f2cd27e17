/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: interfaces between the core and the per-subsystem
 * hooks.  See Documentation/checkpoint/.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/path.h>
#include <linux/pid.h>
#include <linux/signal_types.h>
#include <linux/task_work.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/checkpoint.h>
#include <uapi/linux/checkpoint_hdr.h>

struct file;
struct files_struct;
struct mm_struct;
struct pid_namespace;
struct time_namespace;
struct restart_block;
struct task_struct;
struct ckpt_ctx;

/* Seconds a task has to reach a quiescent point */
#define CKPT_FREEZE_TIMEOUT	10

/**
 * struct ckpt_io_ops - where an image goes to or comes from
 * @read: read exactly @len bytes; 0 or -errno (short: -ENODATA)
 * @write: write exactly @len bytes; 0 or -errno
 */
struct ckpt_io_ops {
	int (*read)(struct ckpt_ctx *ctx, void *buf, size_t len);
	int (*write)(struct ckpt_ctx *ctx, const void *buf, size_t len);
};

/* Kinds of shared objects in the object hash */
enum ckpt_obj_type {
	CKPT_OBJ_FILE = 1,
	CKPT_OBJ_MM,
	CKPT_OBJ_FILES,
	CKPT_OBJ_FS,
	CKPT_OBJ_SIGHAND,
	CKPT_OBJ_PIPE,
	CKPT_OBJ_EVENTFD,
	CKPT_OBJ_SIGNALFD,
	CKPT_OBJ_TIMERFD,
	CKPT_OBJ_INODE,
	CKPT_OBJ_INOTIFY,
	CKPT_OBJ_PTY,
	CKPT_OBJ_MAX
};

/**
 * struct ckpt_obj_ops - how the object hash holds an object
 * @grab: checkpoint: take a reference
 * @drop: checkpoint: drop it
 * @put: restart: drop the restored object the hash holds
 */
struct ckpt_obj_ops {
	void (*grab)(void *ptr);
	void (*drop)(void *ptr);
	void (*put)(void *ptr);
};

/**
 * struct ckpt_cfile - an open file to write as a FILE record
 * @file: the file (the object hash holds a reference)
 * @who: its first user, for messages ("pid 12: fd 3")
 */
struct ckpt_cfile {
	struct file *file;
	char who[64];
};

/**
 * struct ckpt_futex_wait - a FUTEX_WAIT with a timeout in progress
 * @saved: the task is in one; the time left and the clock are the sleep's
 * @private: FUTEX_PRIVATE_FLAG
 * @uaddr: the futex word
 * @val: the value it waits on
 */
struct ckpt_futex_wait {
	bool saved;
	bool private;
	unsigned long uaddr;
	u32 val;
};

/**
 * struct ckpt_nanosleep - a relative sleep that restart_syscall() continues
 * @saved: the task was in one
 * @clockid: the clock
 * @rmtp_set: the remaining time is written to @rmtp when interrupted
 * @ns: time left, measured when the task parked
 * @rmtp: where the remaining time goes
 * @futex: or a futex wait, with @clockid and @ns
 * @sigwait: or an rt_sigtimedwait(), with @clockid and @ns
 */
struct ckpt_nanosleep {
	bool saved;
	bool rmtp_set;
	bool sigwait;
	clockid_t clockid;
	s64 ns;
	unsigned long rmtp;
	struct ckpt_futex_wait futex;
};

/**
 * struct ckpt_cpu - the saved CPU state of one task
 * @regs: general registers
 * @xstate: XSAVE buffer (standard format), @xstate_size bytes
 * @xstate_size: bytes used in @xstate
 * @xfeatures: features present in @xstate
 * @sleep: the sleep the task continues through restart_syscall()
 */
struct ckpt_cpu {
	struct ckpt_x86_regs regs;
	void *xstate;
	u32 xstate_size;
	u64 xfeatures;
	struct ckpt_nanosleep sleep;
};

/* What a parked task does when released */
enum ckpt_release {
	CKPT_HOLD = 0,
	CKPT_RESUME,
	CKPT_RELEASE_KILL,
	CKPT_RELEASE_STOP,
};

/* Where a task is in its park protocol */
enum ckpt_task_state {
	CKPT_T_IDLE = 0,	/* nothing queued */
	CKPT_T_QUEUED,		/* park work queued */
	CKPT_T_PARKED,		/* the work runs: parked until released */
	CKPT_T_GONE,		/* work cancelled, or the task was exiting */
	CKPT_T_SELF,		/* the caller itself: never parks */
	CKPT_T_STOPPED,		/* stopped: saved from outside, not parked */
};

/* The shared objects a TASK record refers to, in CKPT_TREE_SHARE_* order */
enum ckpt_task_obj {
	CKPT_TOBJ_MM,
	CKPT_TOBJ_FILES,
	CKPT_TOBJ_FS,
	CKPT_TOBJ_SIGHAND,
	CKPT_TOBJ_MAX
};

/**
 * struct ckpt_task - a task being checkpointed or restored
 * @ctx: the context
 * @task: the task (a reference is held)
 * @work: the task_work that parks it
 * @parked: completed when the task reached its park point (restart: when
 *	it and every task it created are rebuilt, or failed)
 * @left: completed when the task left its park point
 * @state: enum ckpt_task_state
 * @cpu: its CPU state, saved when it parked
 * @blocked: its blocked signals, saved when it parked (not a temporary
 *	mask of sigsuspend() and the like, which are re-issued)
 * @err: error of the parked task (restart: of its subtree)
 * @idx: its index in the tree
 * @creator: index of the task that creates it at restart, -1 for the root
 * @first_child: index of the first task it creates, or -1
 * @next_sibling: index of the next task its creator creates, or -1
 * @objs: checkpoint: its mm, fd table, fs and signal actions
 * @refs: their object refs
 * @new_objs: bit i set if objs[i] is first used by this task
 * @vpid: restart: its pid as its creator sees it, once created
 * @rec: restart: its TASK record
 * @new_cred: restart: its credentials, committed last
 * @sigq: restart: its pending signals, own and shared, queued last
 * @nr_sigq: their numbers
 * @itimers: restart: a group leader's interval timers, armed last
 * @timers: restart: a group leader's POSIX timers, created last
 * @nr_timers: their number
 */
struct ckpt_task {
	struct ckpt_ctx *ctx;
	struct task_struct *task;
	struct callback_head work;
	struct completion parked;
	struct completion left;
	enum ckpt_task_state state;
	struct ckpt_cpu cpu;
	sigset_t blocked;
	u32 stop_signal;		/* checkpoint: saved while stopped */
	bool stop_unreported;
	int err;
	int idx;
	int creator;
	int first_child;
	int next_sibling;
	void *objs[CKPT_TOBJ_MAX];
	u32 refs[CKPT_TOBJ_MAX];
	unsigned int new_objs;
	pid_t vpid;
	struct ckpt_hdr_task rec;
	struct cred *new_cred;
	struct ckpt_siginfo *sigq[2];
	unsigned int nr_sigq[2];
	struct ckpt_hdr_itimers itimers;
	struct ckpt_posix_timer *timers;
	unsigned int nr_timers;
	u32 ctty_ref;			/* restart: from its SIGNAL */
	u32 ctty_flags;
};

/**
 * struct ckpt_nested - the pid namespaces below the tree's (PIDNS)
 * @nr_ns: their number; index 0 is the tree's namespace
 * @parent: the index of each one's parent
 * @level: its level below the tree's
 * @first: the index of the task that is its init, or -1 if it is empty
 * @maker: for an empty one, 1 + the index of the task that creates it
 * @ns: the namespaces; restart: those created so far
 * @tasks: per task of the tree, its namespace and the one for children
 * @vpid_off: per task, the index of its first pid in @vpids
 * @vpids: the pids at the levels below the tree's, innermost first
 * @nr_vpids: their number
 */
struct ckpt_nested {
	unsigned int nr_ns;
	u32 parent[CKPT_MAX_PIDNS + 1];
	u32 level[CKPT_MAX_PIDNS + 1];
	int first[CKPT_MAX_PIDNS + 1];
	u32 maker[CKPT_MAX_PIDNS + 1];
	struct pid_namespace *ns[CKPT_MAX_PIDNS + 1];
	struct ckpt_pidns_task *tasks;
	u32 *vpid_off;
	s32 *vpids;
	u32 nr_vpids;
};

/* A restored fd waiting to be installed */
struct rstr_fd {
	unsigned int fd;
	unsigned int flags;
	u32 ref;
	struct file *file;
};

/* A restored mapping, kept to check the PAGES records against */
struct rstr_vma {
	unsigned long start, end;
	u32 type, flags;
};

/**
 * struct ckpt_ctx - state of one checkpoint() or restart() call
 */
struct ckpt_ctx {
	bool restart;			/* direction */
	unsigned long flags;		/* syscall flags */
	struct file *file;		/* the image */
	struct file *logfile;		/* messages, may be NULL */
	const struct ckpt_io_ops *io;
	void *mem;			/* memory image (KUnit) */
	size_t mem_len, mem_pos, mem_size;

	loff_t pos;			/* bytes read or written */
	bool at_boundary;		/* the reader is between records */
	u32 crc;			/* running CRC-32 of the stream */
	u64 nr_records;
	int err;			/* first error */

	DECLARE_HASHTABLE(obj_hash, 8);	/* checkpoint: ptr -> ref */
	struct xarray obj_refs;		/* restart: ref -> object */
	u32 next_ref;

	void *buf;			/* staging buffer for pages */
	size_t buf_size;

	/* checkpoint */
	u64 ckpt_id;
	struct ckpt_cfile *cfiles;	/* files to write as FILE records */
	unsigned int nr_cfiles, max_cfiles;
	struct ckpt_hdr_vma *cvmas;	/* mappings collected, in order */
	unsigned int nr_cvmas;
	struct ckpt_task *tasks;
	unsigned int nr_tasks;
	struct ckpt_tree_entry *tree;	/* nr_tasks entries */
	u32 tree_flags;			/* CKPT_TREE_F_* */
	struct pid_namespace *pidns;	/* checkpoint: pids are seen from */
	struct ckpt_nested *nested;	/* CKPT_TREE_F_NESTED */
	struct time_namespace *time_ns;	/* checkpoint: the tree's */
	wait_queue_head_t release_wq;
	enum ckpt_release release;

	/* restart */
	struct ckpt_hdr_header hdr;
	bool new_time_ns;		/* the tree gets a time namespace */
	struct timespec64 mono_offset;	/* ... with these offsets */
	struct timespec64 boot_offset;
	struct ckpt_task *cur;		/* the task reading its records */
	atomic_t nr_live;		/* tasks (and restarter) using ctx */
	struct completion all_left;	/* nr_live dropped to 0 */
	bool abort;			/* the restarter gives up */
	struct rstr_fd *fds;
	unsigned int nr_fds;
	struct ckpt_lock *locks;	/* POSIX locks of the fd table */
	unsigned int nr_locks;
	u32 *epoll_refs;		/* FILE refs of the epolls read */
	unsigned int nr_epolls;
	struct rstr_fowner *fowners;	/* owners to set at the end */
	unsigned int nr_fowners;
	struct xarray async_refs;	/* refs of O_ASYNC files to set */
	struct xarray lease_refs;	/* refs of files to lease, and how */
	struct rstr_vma *vmas;
	unsigned int nr_vmas;
	struct xarray stale_files;	/* refs of files changed since */
	struct xarray pty_spares;	/* pty masters by index, unused */
	struct xarray ptys;		/* restored pty pairs by ref */
	struct tty_struct *shell_tty;	/* CKPT_SHELL_JOB, RSTR_SHELL_JOB */
	struct path shell_path;		/* restart: a path to shell_tty */
	unsigned long last_page;	/* PAGES addresses must increase */
	struct ckpt_hdr_task task_rec;	/* of the task reading its records */
	struct ckpt_hdr_creds creds_rec;
	u32 *groups;
};

/* checkpoint/ctx.c */
struct ckpt_ctx *ckpt_ctx_alloc(bool restart, unsigned long flags);
void ckpt_ctx_free(struct ckpt_ctx *ctx);
void ckpt_ctx_reset_task(struct ckpt_ctx *ctx);
int ckpt_ctx_set_file(struct ckpt_ctx *ctx, int fd, int logfd);
void ckpt_ctx_set_mem(struct ckpt_ctx *ctx, void *mem, size_t size);

/* checkpoint/log.c */
__printf(3, 4) int ckpt_err(struct ckpt_ctx *ctx, int err, const char *fmt, ...);

/* checkpoint/image.c: the writer */
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_begin(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		     size_t size, size_t total);
int ckpt_write_end(struct ckpt_ctx *ctx, size_t total);
int ckpt_write_obj(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
		   size_t size);
int ckpt_write_obj_payload(struct ckpt_ctx *ctx, struct ckpt_hdr *h, u32 type,
			   size_t size, const void *payload, size_t plen);
int ckpt_write_trailer(struct ckpt_ctx *ctx);

/* checkpoint/image.c: the reader (every check of untrusted input) */
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_read_obj(struct ckpt_ctx *ctx, u32 type, struct ckpt_hdr *h,
		  size_t size);
int ckpt_read_obj_payload(struct ckpt_ctx *ctx, u32 type, struct ckpt_hdr *h,
			  size_t size, void *payload, size_t max,
			  size_t *plen);
int ckpt_read_obj_payload_alloc(struct ckpt_ctx *ctx, u32 type,
				struct ckpt_hdr *h, size_t size, size_t max,
				void **payload, size_t *plen);
int ckpt_read_trailer(struct ckpt_ctx *ctx);
int ckpt_read_drain(struct ckpt_ctx *ctx);
int ckpt_check_string(struct ckpt_ctx *ctx, const char *s, size_t len,
		      const char *what);
const char *ckpt_rec_name(u32 type);

/* checkpoint/objhash.c */
int ckpt_obj_lookup_add(struct ckpt_ctx *ctx, void *ptr,
			enum ckpt_obj_type type, u32 *ref);
u32 ckpt_obj_lookup(struct ckpt_ctx *ctx, void *ptr, enum ckpt_obj_type type);
int rstr_obj_add(struct ckpt_ctx *ctx, u32 ref, enum ckpt_obj_type type,
		 void *ptr);
void *rstr_obj_get(struct ckpt_ctx *ctx, u32 ref, enum ckpt_obj_type type);
void rstr_obj_put_type(struct ckpt_ctx *ctx, enum ckpt_obj_type type);
void ckpt_obj_release_all(struct ckpt_ctx *ctx);

/* checkpoint/freeze.c */
int ckpt_freeze_start(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_freeze_wait(struct ckpt_ctx *ctx, struct ckpt_task *ct);
void ckpt_thaw_tasks(struct ckpt_ctx *ctx, enum ckpt_release how);

/* checkpoint/clocks.c */
void ckpt_set_time_ns(struct ckpt_ctx *ctx, struct task_struct *root);
bool ckpt_same_time_ns(struct ckpt_ctx *ctx, struct task_struct *t);
void ckpt_save_clocks(struct ckpt_ctx *ctx, struct ckpt_hdr_header *h);
int rstr_plan_clocks(struct ckpt_ctx *ctx);
int rstr_enter_time_ns(struct ckpt_ctx *ctx);

/* checkpoint/sleep.c */
bool ckpt_save_nanosleep(struct restart_block *rb,
			 struct ckpt_nanosleep *sleep, long nr);
bool ckpt_save_futex_wait(struct restart_block *rb,
			  struct ckpt_nanosleep *sleep, long nr,
			  unsigned long op);
bool ckpt_save_sigtimedwait(struct restart_block *rb,
			    struct ckpt_nanosleep *sleep, long nr);
bool ckpt_poll_time_left(struct restart_block *rb, long nr, long *ms);
bool rstr_nanosleep_ok(const struct ckpt_hdr_task *h);
void rstr_set_restart_block(const struct ckpt_hdr_task *h);

/* checkpoint/pidns.c */
struct kernel_clone_args;
bool ckpt_pidns_ok(struct ckpt_ctx *ctx, struct task_struct *t);
pid_t ckpt_pidns_stray(struct ckpt_ctx *ctx, struct pid_namespace *ns);
int ckpt_collect_pidns(struct ckpt_ctx *ctx);
int ckpt_write_pidns(struct ckpt_ctx *ctx);
void ckpt_nested_free(struct ckpt_nested *n);
int rstr_read_pidns(struct ckpt_ctx *ctx);
int rstr_pidns_spawn(struct ckpt_ctx *ctx, unsigned int i,
		     struct kernel_clone_args *args, pid_t *set_tid);
void rstr_pidns_enter(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int rstr_pidns_finish(struct ckpt_ctx *ctx, struct ckpt_task *ct);

/* checkpoint/tree.c */
int ckpt_tree_collect(struct ckpt_ctx *ctx, struct task_struct *root);
bool ckpt_tree_changed(struct ckpt_ctx *ctx, struct task_struct *root);
void ckpt_tree_release(struct ckpt_ctx *ctx);
int ckpt_tree_check_pidns(struct ckpt_ctx *ctx);
bool ckpt_tree_has(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_tree_fill(struct ckpt_ctx *ctx);
int ckpt_write_tree(struct ckpt_ctx *ctx);
int rstr_read_tree(struct ckpt_ctx *ctx);
int ckpt_tree_check_groups(struct ckpt_ctx *ctx);
int rstr_set_groups(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_tree_find(const struct ckpt_ctx *ctx, pid_t id, enum pid_type type);

static inline bool ckpt_task_zombie(const struct ckpt_ctx *ctx,
				    const struct ckpt_task *ct)
{
	return ctx->tree[ct->idx].flags & CKPT_TREE_ZOMBIE;
}

/* checkpoint/task.c, creds.c, signal.c */
int ckpt_task_refs(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_check_sharing(struct ckpt_ctx *ctx);
int ckpt_write_task(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int rstr_read_task(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int rstr_finish_task(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_write_creds(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_creds(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_write_sighand(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_sighand(struct ckpt_ctx *ctx);
int ckpt_write_signal(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int rstr_read_signal(struct ckpt_ctx *ctx);
int rstr_queue_signals(struct ckpt_ctx *ctx, struct ckpt_task *ct);

/* checkpoint/timers.c */
int ckpt_write_itimers(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_itimers(struct ckpt_ctx *ctx, struct ckpt_task *ct);
void rstr_set_itimers(struct ckpt_task *ct);

/* checkpoint/posix_timers.c */
int ckpt_check_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_write_posix_timers(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int rstr_set_posix_timers(struct ckpt_ctx *ctx, struct ckpt_task *ct);
int ckpt_check_signals(struct ckpt_ctx *ctx, struct task_struct *t);

/* mm/checkpoint/ */
int ckpt_collect_mm(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_write_mm(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_mm(struct ckpt_ctx *ctx);
int ckpt_write_vmas(struct ckpt_ctx *ctx);
int rstr_read_vmas(struct ckpt_ctx *ctx, unsigned int nr,
		   const struct ckpt_hdr_mm *h);
int ckpt_write_pages(struct ckpt_ctx *ctx, struct mm_struct *mm);
int rstr_read_pages(struct ckpt_ctx *ctx);

int ckpt_check_task_state(struct ckpt_ctx *ctx, struct task_struct *t);

/* fs/checkpoint/ */
int ckpt_collect_file(struct ckpt_ctx *ctx, struct file *file, u32 *ref,
		      const char *who);
int ckpt_collect_files(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_write_file(struct ckpt_ctx *ctx, struct file *file, u32 ref);
int rstr_read_file(struct ckpt_ctx *ctx);
int rstr_file_check_unchanged(struct ckpt_ctx *ctx, u32 ref);
int ckpt_collect_fs(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_write_fs(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_fs(struct ckpt_ctx *ctx);
int ckpt_write_fdtable(struct ckpt_ctx *ctx, struct task_struct *t);
int rstr_read_fdtable(struct ckpt_ctx *ctx);
int rstr_install_fds(struct ckpt_ctx *ctx);
int ckpt_check_file_locks(struct ckpt_ctx *ctx, struct file *file,
			  const char *who);
bool ckpt_file_leased(struct file *file);
int ckpt_write_file_locks(struct ckpt_ctx *ctx);
int ckpt_write_posix_locks(struct ckpt_ctx *ctx, struct files_struct *files);
int rstr_read_locks(struct ckpt_ctx *ctx, bool posix);
int rstr_take_posix_locks(struct ckpt_ctx *ctx);
int rstr_take_lease(struct ckpt_ctx *ctx, unsigned int fd, struct file *file,
		    u32 ref);
int rstr_check_leases(struct ckpt_ctx *ctx);

/**
 * struct ckpt_file_ops - checkpoint/restart of one kind of open file
 * @type: enum ckpt_file_type written in its FILE records
 * @name: for messages
 * @by_path: reopened by its path, which must lead back to it
 * @flags: the open flags its FILE records may carry besides O_ACCMODE
 * @match: does this kind handle @file?  None for a kind found otherwise
 * @check_tree: optional; check @file against all the open files of the
 *	tree (ctx->cfiles), once they are collected; @who names its user
 * @checkpoint: fill the kind's fields of @h; -EOPNOTSUPP with @why
 *	filled if this file cannot be saved
 * @write_obj: optional; write the records of the object behind @file,
 *	after its FILE record, if @h has CKPT_FILE_OBJ_NEW
 * @restore: open a file like the one @h describes, found at @path (""
 *	for a kind not opened by path), reading the records of its object
 *	if @h has CKPT_FILE_OBJ_NEW
 */
struct ckpt_file_ops {
	u32 type;
	const char *name;
	bool by_path;
	u32 flags;
	bool (*match)(struct file *file);
	int (*check_tree)(struct ckpt_ctx *ctx, struct file *file,
			  const char *who);
	int (*checkpoint)(struct ckpt_ctx *ctx, struct file *file,
			  struct ckpt_hdr_file *h, char *why, size_t len);
	int (*write_obj)(struct ckpt_ctx *ctx, struct file *file,
			 const struct ckpt_hdr_file *h);
	struct file *(*restore)(struct ckpt_ctx *ctx,
				const struct ckpt_hdr_file *h,
				const char *path);
};

/* The open flags of a FILE record reopened by path */
#define CKPT_FILE_PATH_FLAGS	(O_APPEND | O_NONBLOCK | O_DSYNC | \
				 O_DIRECT | O_LARGEFILE | O_DIRECTORY | \
				 O_NOFOLLOW | O_NOATIME | O_PATH | __O_SYNC)

extern const struct ckpt_file_ops ckpt_file_reg_ops;
extern const struct ckpt_file_ops ckpt_file_dir_ops;
extern const struct ckpt_file_ops ckpt_file_chr_ops;
extern const struct ckpt_file_ops ckpt_file_pipe_ops;
extern const struct ckpt_file_ops ckpt_file_fifo_ops;
extern const struct ckpt_file_ops ckpt_file_eventfd_ops;
extern const struct ckpt_file_ops ckpt_file_signalfd_ops;
extern const struct ckpt_file_ops ckpt_file_timerfd_ops;
extern const struct ckpt_file_ops ckpt_file_memfd_ops;
extern const struct ckpt_file_ops ckpt_file_unlinked_ops;
extern const struct ckpt_file_ops ckpt_file_epoll_ops;
extern const struct ckpt_file_ops ckpt_file_inotify_ops;
extern const struct ckpt_file_ops ckpt_file_ptmx_ops;
extern const struct ckpt_file_ops ckpt_file_pts_ops;
extern const struct ckpt_file_ops ckpt_file_shell_tty_ops;

/* fs/checkpoint/fown.c */
struct rstr_fowner;
int ckpt_check_fowner(struct ckpt_ctx *ctx, struct file *file,
		      const char *who);
bool ckpt_file_has_fowner(struct file *file);
int ckpt_write_fowner(struct ckpt_ctx *ctx, struct file *file);
int rstr_read_fowner(struct ckpt_ctx *ctx, struct file *file);
int rstr_set_fowners(struct ckpt_ctx *ctx);
void rstr_free_fowners(struct ckpt_ctx *ctx);
int rstr_set_async(struct ckpt_ctx *ctx, unsigned int fd, struct file *file);

/* fs/checkpoint/epoll.c */
int ckpt_write_epolls(struct ckpt_ctx *ctx);
int rstr_read_epolls(struct ckpt_ctx *ctx);

/* fs/checkpoint/contents.c: files saved with their contents */
int ckpt_contents_checkpoint(struct ckpt_ctx *ctx, struct file *file,
			     struct ckpt_hdr_file *h);
int ckpt_contents_write(struct ckpt_ctx *ctx, struct file *file,
			const struct ckpt_hdr_file *h, const char *name,
			u32 seals);
struct file *rstr_contents_open(struct ckpt_ctx *ctx,
				const struct ckpt_hdr_file *h,
				struct file *(*create)(struct ckpt_ctx *ctx,
						       const struct ckpt_hdr_inode *hi,
						       const char *name));
void rstr_contents_put(void *ptr);
bool ckpt_file_is_memfd(struct file *file);

void rstr_pipe_put(void *ptr);

/* fs/checkpoint/pty.c */
struct tty_struct;
#ifdef CONFIG_UNIX98_PTYS
void rstr_pty_put(void *ptr);
void rstr_pty_files_done(struct ckpt_ctx *ctx);
u32 ckpt_pty_ref(struct ckpt_ctx *ctx, struct tty_struct *tty);
struct tty_struct *rstr_pty_slave(struct ckpt_ctx *ctx, u32 ref);
int rstr_pty_set_fg(struct ckpt_ctx *ctx);
#else
static inline void rstr_pty_files_done(struct ckpt_ctx *ctx)
{
}

static inline u32 ckpt_pty_ref(struct ckpt_ctx *ctx, struct tty_struct *tty)
{
	return 0;
}

static inline struct tty_struct *rstr_pty_slave(struct ckpt_ctx *ctx, u32 ref)
{
	return NULL;
}

static inline int rstr_pty_set_fg(struct ckpt_ctx *ctx)
{
	return 0;
}
#endif

/* fs/checkpoint/ctty.c */
#ifdef CONFIG_TTY
int ckpt_ctty_ref(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref,
		  u32 *flags);
void ckpt_find_shell_tty(struct ckpt_ctx *ctx);
int rstr_find_shell_tty(struct ckpt_ctx *ctx);
void ckpt_ctx_put_shell_tty(struct ckpt_ctx *ctx);
int rstr_set_ttys(struct ckpt_ctx *ctx);
#else
static inline int ckpt_ctty_ref(struct ckpt_ctx *ctx, struct task_struct *t,
				u32 *ref, u32 *flags)
{
	*ref = 0;
	*flags = 0;
	return 0;
}

static inline void ckpt_find_shell_tty(struct ckpt_ctx *ctx)
{
}

static inline int rstr_find_shell_tty(struct ckpt_ctx *ctx)
{
	return 0;
}

static inline void ckpt_ctx_put_shell_tty(struct ckpt_ctx *ctx)
{
}

static inline int rstr_set_ttys(struct ckpt_ctx *ctx)
{
	return 0;
}
#endif
int ckpt_file_refuse(struct ckpt_ctx *ctx, struct file *file,
		     const char *who, const char *why);
int ckpt_check_files(struct ckpt_ctx *ctx);
void rstr_files_done(struct ckpt_ctx *ctx);
void rstr_file_set_flags(struct file *file, u32 mask, u32 flags);
int ckpt_file_own_obj(struct ckpt_ctx *ctx, void *obj,
		      enum ckpt_obj_type type, struct ckpt_hdr_file *h);
int rstr_file_own_obj(struct ckpt_ctx *ctx, const struct ckpt_hdr_file *h,
		      enum ckpt_obj_type type, const char *name);

int rstr_check_path(struct ckpt_ctx *ctx, const struct ckpt_hdr_file *h,
		    const char *path, umode_t type);
struct file *rstr_opened_path(struct ckpt_ctx *ctx,
			      const struct ckpt_hdr_file *h, const char *path,
			      umode_t type, struct file *file);
struct file *rstr_open_path(struct ckpt_ctx *ctx,
			    const struct ckpt_hdr_file *h, const char *path,
			    umode_t type);

/* arch/x86/checkpoint/ */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_save_cpu(struct task_struct *t, struct ckpt_cpu *cpu, bool self);
void ckpt_arch_park_syscall(void);
int ckpt_arch_write_cpu(struct ckpt_ctx *ctx, struct ckpt_cpu *cpu);
int rstr_arch_read_cpu(struct ckpt_ctx *ctx, struct ckpt_cpu *cpu);
int rstr_arch_apply_cpu(struct ckpt_ctx *ctx, struct task_struct *t,
			struct ckpt_cpu *cpu);
int ckpt_arch_header(struct ckpt_hdr_header *h);
int rstr_arch_check_header(struct ckpt_ctx *ctx,
			   const struct ckpt_hdr_header *h);
void ckpt_arch_free_cpu(struct ckpt_cpu *cpu);
int ckpt_arch_vdso(struct mm_struct *mm, struct ckpt_hdr_mm *h);
int rstr_arch_map_vdso(struct ckpt_ctx *ctx, const struct ckpt_hdr_mm *h,
		       unsigned long vvar_start, unsigned long vvar_len,
		       unsigned long vdso_len);

#endif /* _LINUX_CHECKPOINT_H */
