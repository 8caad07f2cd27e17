/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Checkpoint/restart: image format.
 *
 * An image is a stream of records.  Each record starts with a struct
 * ckpt_hdr giving its type and its length in bytes (header included,
 * padding excluded); the next record starts at the following multiple of
 * 8 bytes and the padding bytes are zero.  All fields are little-endian
 * (the image is only restored on the architecture that wrote it).
 *
 * The format is versioned on its own (CKPT_VERSION), independently of the
 * kernel release that wrote it.
 *
 * Grammar of version 5 (one line per record, "*" repeats):
 *
 *   HEADER
 *   TREE                          nr_tasks entries follow inline
 *   PIDNS                         only with CKPT_TREE_F_NESTED
 *   per task, in tree order:
 *     TASK
 *     for a zombie (CKPT_TREE_ZOMBIE), nothing more; otherwise:
 *     CREDS
 *     FILE *                      task.nr_files new open files, each
 *                                 followed by the records of its object
 *                                 if CKPT_FILE_OBJ_NEW:
 *       PIPE  PIPE_BUF * (nr_bufs)  for a pipe or a FIFO
 *       EVENTFD                     for an eventfd
 *       SIGNALFD                    for a signalfd
 *       TIMERFD                     for a timerfd
 *       INODE  DATA * (nr_data)     for a memfd or an unlinked file
 *       INOTIFY  INOTIFY_WATCH * (nr_watches)  for an inotify file
 *       PTY  TTY  TTY             for a pseudo-terminal pair: the pair,
 *                                 then its master's side and its slave's
 *       FOWNER                      then, if CKPT_FILE_OWNER
 *     LOCKS                       for the root only: the flock and OFD
 *                                 locks of those open files
 *     EPOLL *                     for the root only: one per epoll FILE,
 *                                 in the same order, with its watches
 *     MM  VMA * (mm.nr_vmas)  PAGES * (nr_pages > 0)  PAGES (nr_pages == 0)
 *                                 only if task.mm_ref is new
 *     FS                          only if task.fs_ref is new
 *     FDTABLE  FD * (nr_fds)      only if task.files_ref is new,
 *       LOCKS                     with the POSIX locks it owns
 *     SIGHAND                     only if task.sighand_ref is new
 *     SIGNAL
 *     SIGPENDING                  the task's own pending signals
 *     SIGPENDING                  the process's, for a group leader only
 *     ITIMERS                     for a group leader only
 *     POSIX_TIMERS                for a group leader only
 *     CPU
 *     XSTATE
 *   TRAILER
 *
 * The tree is in creation order: depth first, each task followed by the
 * tasks it creates at restart (its threads, if it leads a thread group,
 * and its child processes), each of these followed by its own.  A
 * thread is created by its group leader, a process by its parent.
 *
 * Shared kernel objects (mm, fd table, open file, ...) carry an object
 * reference ("ref"): a small positive integer, unique per object in the
 * image.  A later record naming the same ref shares the object.
 */
#ifndef _UAPI_LINUX_CHECKPOINT_HDR_H
#define _UAPI_LINUX_CHECKPOINT_HDR_H

#include <linux/types.h>

#define CKPT_MAGIC		"LNXCKPT"	/* 8 bytes with the NUL */
#define CKPT_VERSION		5
#define CKPT_ALIGN		8
#define CKPT_ARCH_X86_64	1

/* Upper bounds that a reader enforces */
#define CKPT_PATH_MAX		4096	/* bytes, NUL included */
#define CKPT_PAGES_BATCH	256	/* pages per PAGES record */
#define CKPT_MAX_VMAS		65530
#define CKPT_MAX_FDS		1048576
#define CKPT_MAX_GROUPS		65536
#define CKPT_MAX_TASKS		4096
#define CKPT_MAX_PIDNS		1024	/* nested pid namespaces */
#define CKPT_MAX_PIDNS_DEPTH	32	/* levels below the tree's */
#define CKPT_MAX_SIGPENDING	4096	/* per queue */
#define CKPT_MAX_POSIX_TIMERS	4096	/* per process */
#define CKPT_PIPE_BUF_MAX	4096	/* bytes in a PIPE_BUF record */
#define CKPT_MAX_PIPE_SIZE	(1U << 31)	/* bytes of a pipe's capacity */
#define CKPT_MAX_LOCKS		65536	/* per LOCKS record */
#define CKPT_DATA_MAX		65536	/* bytes in a DATA record */
#define CKPT_MAX_EPOLL_WATCHES	1048576	/* per EPOLL record */
#define CKPT_MAX_INOTIFY_WATCHES 1048576	/* per INOTIFY record */
#define CKPT_MAX_PTYS		1048576	/* the index of a pty is below */
#define CKPT_TTY_BUF_SIZE	4096	/* bytes a line discipline holds */
#define CKPT_TTY_PENDING_MAX	65536	/* bytes of a tty's flip buffer */
#define CKPT_TTY_NCCS		19	/* control characters of a termios */
#define CKPT_NSIG		64
#define CKPT_RLIM_NLIMITS	16
#define CKPT_AUXV_WORDS		64

enum ckpt_rec_type {
	CKPT_HDR_HEADER = 1,
	CKPT_HDR_TREE,
	CKPT_HDR_TASK,
	CKPT_HDR_CREDS,
	CKPT_HDR_FILE,
	CKPT_HDR_MM,
	CKPT_HDR_VMA,
	CKPT_HDR_PAGES,
	CKPT_HDR_FS,
	CKPT_HDR_FDTABLE,
	CKPT_HDR_FD,
	CKPT_HDR_SIGHAND,
	CKPT_HDR_SIGNAL,
	CKPT_HDR_CPU,
	CKPT_HDR_XSTATE,
	CKPT_HDR_TRAILER,
	CKPT_HDR_SIGPENDING,
	CKPT_HDR_ITIMERS,
	CKPT_HDR_POSIX_TIMERS,
	CKPT_HDR_PIPE,
	CKPT_HDR_PIPE_BUF,
	CKPT_HDR_EVENTFD,
	CKPT_HDR_SIGNALFD,
	CKPT_HDR_LOCKS,
	CKPT_HDR_TIMERFD,
	CKPT_HDR_INODE,
	CKPT_HDR_DATA,
	CKPT_HDR_EPOLL,
	CKPT_HDR_FOWNER,
	CKPT_HDR_INOTIFY,
	CKPT_HDR_INOTIFY_WATCH,
	CKPT_HDR_PTY,
	CKPT_HDR_TTY,
	CKPT_HDR_PIDNS,
	CKPT_HDR_MAX
};

/**
 * struct ckpt_hdr - header of every record
 * @type: enum ckpt_rec_type
 * @len: length of the record in bytes, this header included
 */
struct ckpt_hdr {
	__u32 type;
	__u32 len;
};

/* HEADER: first record of an image */
struct ckpt_hdr_header {
	struct ckpt_hdr h;
	char magic[8];		/* CKPT_MAGIC */
	__u32 version;		/* CKPT_VERSION */
	__u32 arch;		/* CKPT_ARCH_* */
	__u32 page_size;
	__u32 flags;		/* checkpoint() flags used */
	__u64 ckpt_id;		/* what checkpoint() returned */
	__u64 time_ns;		/* CLOCK_REALTIME when the snapshot was taken */
	__u64 xfeatures;	/* xsave features enabled for user space */
	__u32 xstate_size;	/* bytes of an XSTATE record's payload */
	__u32 reserved;
	__u64 mono_ns;		/* CLOCK_MONOTONIC and CLOCK_BOOTTIME as the */
	__u64 boot_ns;		/* tree saw them then */
	char release[65];	/* uname -r of the writer, informational */
	char machine[65];	/* uname -m */
	char __pad[6];
};

/* TREE entry flags */
#define CKPT_TREE_THREAD	0x01	/* not a group leader: its creator leads */
#define CKPT_TREE_ZOMBIE	0x02	/* exited, not reaped: only TASK follows */
#define CKPT_TREE_SHARE_VM	0x10	/* shares its creator's mm */
#define CKPT_TREE_SHARE_FILES	0x20	/* ... its fd table */
#define CKPT_TREE_SHARE_FS	0x40	/* ... its cwd, root and umask */
#define CKPT_TREE_SHARE_SIGHAND	0x80	/* ... its signal actions */
#define CKPT_TREE_FLAGS		0xf3

/*
 * TREE: the tasks of the image, in creation order (see above).  The ids
 * are seen from the checkpointer's pid namespace, or from the saved one
 * (CKPT_TREE_F_PIDNS).
 */
struct ckpt_tree_entry {
	__s32 pid;
	__s32 tgid;
	__s32 ppid;		/* pid of the parent thread; 0: outside the tree */
	__s32 pgid;
	__s32 sid;
	__u32 flags;		/* CKPT_TREE_* */
};

/* TREE record flags */
/* A whole pid namespace, the root its init: the pids are the namespace's */
#define CKPT_TREE_F_PIDNS	0x1
/* Tasks in, or creating children in, pid namespaces below: PIDNS follows */
#define CKPT_TREE_F_NESTED	0x2

struct ckpt_hdr_tree {
	struct ckpt_hdr h;
	__u32 nr_tasks;
	__u32 flags;		/* CKPT_TREE_F_* */
	/* struct ckpt_tree_entry entries[nr_tasks]; */
};

/*
 * PIDNS: the pid namespaces below the tree's own, numbered from 1 in the
 * order of the record (0 is the tree's namespace), each after its parent.
 * A namespace holds tasks of the tree, or is empty and the one some task
 * creates its children in (after unshare(CLONE_NEWPID)).  Its first task
 * in tree order is its init.
 */
struct ckpt_pidns_task {
	__u32 ns;		/* the namespace the task is in */
	__u32 ns_children;	/* ... it creates children in: ns or below */
};

struct ckpt_hdr_pidns {
	struct ckpt_hdr h;
	__u32 nr_ns;		/* at most CKPT_MAX_PIDNS */
	__u32 nr_vpids;
	/* __u32 parent[nr_ns]: each namespace's parent, below its number; */
	/* struct ckpt_pidns_task tasks[nr_tasks], in TREE order; */
	/* __s32 vpids[nr_vpids]: for each task in a namespace of level L */
	/* below the tree's (at most CKPT_MAX_PIDNS_DEPTH), in TREE order, */
	/* its pids at levels L down to 1: in its own namespace first */
};

/* TASK flags */
#define CKPT_TASK_SELF		0x1	/* checkpointed itself: resumes with 0 */
#define CKPT_TASK_SUBREAPER	0x2	/* prctl(PR_SET_CHILD_SUBREAPER) */
#define CKPT_TASK_NANOSLEEP	0x4	/* in a relative nanosleep: sleep_* */
#define CKPT_TASK_STOPPED	0x8	/* stopped (SIGSTOP, job control) */
#define CKPT_TASK_STOP_UNREPORTED 0x10	/* stopped, and its parent has not */
					/* waited for the stop yet */
#define CKPT_TASK_FUTEX_WAIT	0x20	/* in a FUTEX_WAIT with a timeout: */
					/* futex_*, sleep_clockid, sleep_ns */
#define CKPT_TASK_SIGTIMEDWAIT	0x40	/* in an rt_sigtimedwait() with a */
					/* timeout: sleep_clockid */
					/* (CLOCK_MONOTONIC), sleep_ns */

/* TASK futex_flags */
#define CKPT_FUTEX_PRIVATE	0x1	/* FUTEX_PRIVATE_FLAG */

/* TASK: one task; object refs of the resources it uses */
struct ckpt_hdr_task {
	struct ckpt_hdr h;
	__s32 pid;
	__s32 tgid;
	__u32 flags;		/* CKPT_TASK_* */
	__u32 personality;
	__s32 nice;
	__u32 exit_signal;
	char comm[16];
	__u32 mm_ref;
	__u32 files_ref;
	__u32 fs_ref;
	__u32 sighand_ref;
	__u32 nr_files;		/* FILE records that follow */
	__u32 robust_list_len;	/* set_robust_list() */
	__u64 robust_list;
	__u64 clear_child_tid;	/* set_tid_address() */
	__u64 rseq;		/* rseq() registration, 0: none */
	__u32 rseq_len;
	__u32 rseq_sig;
	__u32 exit_code;	/* a zombie's wait status */
	__u32 pdeath_signal;	/* prctl(PR_SET_PDEATHSIG) */
	/* A relative sleep that restart_syscall() continues */
	__s32 sleep_clockid;	/* CLOCK_MONOTONIC, _BOOTTIME or _TAI; */
				/* a futex wait: CLOCK_MONOTONIC or _REALTIME; */
				/* rt_sigtimedwait(): CLOCK_MONOTONIC */
	__u32 sleep_rmtp_set;	/* 1: the remaining time goes to sleep_rmtp */
	__s64 sleep_ns;		/* time left to sleep, >= 0 */
	__u64 sleep_rmtp;
	__u64 timer_slack_ns;	/* prctl(PR_SET_TIMERSLACK) */
	__u64 default_timer_slack_ns;
	__u32 stop_signal;	/* CKPT_TASK_STOPPED: the signal that stopped */
				/* it (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) */
	__u32 futex_flags;	/* CKPT_TASK_FUTEX_WAIT: CKPT_FUTEX_* */
	__u64 futex_uaddr;	/* ... the futex word */
	__u32 futex_val;	/* ... the value it waits on */
	__u32 reserved;
};

/* CREDS: ids as seen from the checkpointer's user namespace */
struct ckpt_hdr_creds {
	struct ckpt_hdr h;
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_bset;
	__u64 cap_ambient;
	__u32 securebits;
	__u32 ngroups;
	/* __u32 groups[ngroups], padded to 8 bytes */
};

/* FILE types */
enum ckpt_file_type {
	CKPT_FILE_REG = 1,	/* regular file, reopened by path */
	CKPT_FILE_DIR,		/* directory, reopened by path */
	CKPT_FILE_CHR,		/* whitelisted character device, by path */
	CKPT_FILE_PIPE,		/* an end of a pipe; obj_ref: its PIPE */
	CKPT_FILE_FIFO,		/* a FIFO, by path; obj_ref: its PIPE (none */
				/* for an O_PATH descriptor) */
	CKPT_FILE_EVENTFD,	/* an eventfd; obj_ref: its EVENTFD */
	CKPT_FILE_SIGNALFD,	/* a signalfd; obj_ref: its SIGNALFD */
	CKPT_FILE_TIMERFD,	/* a timerfd; obj_ref: its TIMERFD */
	CKPT_FILE_MEMFD,	/* a memfd; obj_ref: its INODE */
	CKPT_FILE_UNLINKED,	/* a regular file no longer in any */
				/* directory; obj_ref: its INODE */
	CKPT_FILE_EPOLL,	/* an epoll file; its EPOLL record comes */
				/* after the root's LOCKS */
	CKPT_FILE_INOTIFY,	/* an inotify file; obj_ref: its INOTIFY */
	CKPT_FILE_PTMX,		/* a pty master, path: the ptmx node it was */
				/* opened at; obj_ref: its PTY */
	CKPT_FILE_PTS,		/* a pty slave, by path; obj_ref: its PTY; */
				/* rdev 5:0 if opened as /dev/tty */
	CKPT_FILE_SHELL_TTY,	/* the terminal of the session the tree ran */
				/* in, saved with CKPT_SHELL_JOB: no path; */
				/* rdev 5:0 if opened as /dev/tty */
	CKPT_FILE_MAX
};

/* FILE flags */
#define CKPT_FILE_OBJ_NEW	0x1	/* the object's records follow */
#define CKPT_FILE_OWNER		0x2	/* an FOWNER record follows */

/* FILE: an open file (struct file), reopened by path */
struct ckpt_hdr_file {
	struct ckpt_hdr h;
	__u32 ref;
	__u32 type;		/* enum ckpt_file_type */
	__u32 f_flags;		/* O_* flags of the open file */
	__u32 mode;		/* i_mode of the inode */
	__s64 pos;
	__u64 size;		/* i_size when saved */
	__s64 mtime_sec;	/* mtime when saved */
	__u32 mtime_nsec;
	__u32 rdev;		/* new_encode_dev() for CKPT_FILE_CHR */
	__u32 path_len;		/* bytes of path, NUL included; 0 for */
				/* a kind opened without a path (pipe) */
	__u32 obj_ref;		/* ref of the object behind the file, 0: none */
	__u32 flags;		/* CKPT_FILE_OBJ_NEW */
	__u32 reserved;
	/* char path[path_len], padded to 8 bytes */
};

/* PIPE: the capacity and contents of a pipe or FIFO */
struct ckpt_hdr_pipe {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE records */
	__u32 size;		/* capacity in bytes (F_GETPIPE_SZ): a power */
				/* of two, 4096 to CKPT_MAX_PIPE_SIZE */
	__u32 nr_bufs;		/* PIPE_BUF records that follow, oldest */
				/* first: at most size / CKPT_PIPE_BUF_MAX */
	__u32 reserved;
};

/* PIPE_BUF flags */
#define CKPT_PIPE_BUF_PACKET	0x1	/* a packet (pipe written with O_DIRECT) */

/* PIPE_BUF: the unread bytes of one pipe buffer */
struct ckpt_hdr_pipe_buf {
	struct ckpt_hdr h;
	__u32 flags;		/* CKPT_PIPE_BUF_* */
	__u32 len;		/* 1 to CKPT_PIPE_BUF_MAX bytes follow */
	/* __u8 data[len], padded to 8 bytes */
};

/* EVENTFD flags */
#define CKPT_EVENTFD_SEMAPHORE	0x1	/* EFD_SEMAPHORE */

/* EVENTFD: the counter of an eventfd, after its FILE record */
struct ckpt_hdr_eventfd {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE record */
	__u32 flags;		/* CKPT_EVENTFD_* */
	__u64 count;		/* below 2^64 - 1 */
};

/* Kinds of file locks */
enum ckpt_lock_kind {
	CKPT_LOCK_FLOCK = 1,	/* flock(), owned by its open file */
	CKPT_LOCK_OFD,		/* F_OFD_SETLK, owned by its open file */
	CKPT_LOCK_POSIX,	/* F_SETLK, owned by an fd table */
	CKPT_LOCK_LEASE,	/* F_SETLEASE, owned by its open file */
	CKPT_LOCK_MAX
};

/* ckpt_lock flags */
#define CKPT_LOCK_WRITE		0x1	/* exclusive; else shared (read) */

/* The end of a lock that reaches the end of the file */
#define CKPT_LOCK_EOF		0x7fffffffffffffffLL

struct ckpt_lock {
	__u32 file_ref;		/* the FILE it was taken through */
	__u16 kind;		/* enum ckpt_lock_kind */
	__u16 flags;		/* CKPT_LOCK_* */
	__s64 start;		/* first byte (0 for flock) */
	__s64 end;		/* last byte, at least start, or CKPT_LOCK_EOF */
};

/* LOCKS: file locks held by the tree */
struct ckpt_hdr_locks {
	struct ckpt_hdr h;
	__u32 nr;		/* entries, at most CKPT_MAX_LOCKS */
	__u32 reserved;
	/* struct ckpt_lock locks[nr] */
};

/*
 * INODE: a file saved with its contents (a memfd, an unlinked file), after
 * the first FILE record that names it
 */
struct ckpt_hdr_inode {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE records */
	__u32 mode;		/* i_mode: S_IFREG and permissions */
	__u64 size;		/* i_size */
	__u32 seals;		/* F_SEAL_* of a memfd, 0 otherwise */
	__u32 nr_data;		/* DATA records that follow */
	__u32 name_len;		/* bytes of name, NUL included */
	__u32 reserved;
	/* char name[name_len]: the memfd's name ("memfd:..."), or the */
	/* absolute path of the directory an unlinked file was in */
};

/* DATA: bytes of an INODE's contents; what no DATA record covers is a hole */
struct ckpt_hdr_data {
	struct ckpt_hdr h;
	__u64 offset;		/* page aligned, increasing, past the last */
	__u32 len;		/* 1 to CKPT_DATA_MAX bytes follow, within */
				/* the INODE's size */
	__u32 reserved;
	/* __u8 data[len], padded to 8 bytes */
};

/* Whom the signals of an open file (O_ASYNC, leases) go to */
enum ckpt_owner_type {
	CKPT_OWNER_NONE = 0,	/* F_SETSIG alone */
	CKPT_OWNER_TID,		/* F_OWNER_TID: a thread */
	CKPT_OWNER_PID,		/* F_OWNER_PID (F_SETOWN): a process */
	CKPT_OWNER_PGRP,	/* F_OWNER_PGRP: a process group */
	CKPT_OWNER_MAX
};

/* FOWNER: F_SETOWN and F_SETSIG of an open file, after its FILE record */
struct ckpt_hdr_fowner {
	struct ckpt_hdr h;
	__u32 type;		/* enum ckpt_owner_type */
	__s32 pid;		/* a tid, tgid or pgid of the tree, as in */
				/* the TREE record; 0 for CKPT_OWNER_NONE */
	__u32 signum;		/* F_SETSIG, 0: SIGIO */
	__u32 uid;		/* of who set the owner, in the */
	__u32 euid;		/* checkpointer's user namespace */
	__u32 reserved;
};

/* INOTIFY: the watches of an inotify file, after its FILE record */
struct ckpt_hdr_inotify {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE record */
	__u32 nr_watches;	/* INOTIFY_WATCH records that follow */
};

/* INOTIFY_WATCH: one watch, in increasing wd order */
struct ckpt_hdr_inotify_watch {
	struct ckpt_hdr h;
	__s32 wd;		/* its watch descriptor, above 0 */
	__u32 mask;		/* IN_* events, IN_ONESHOT, IN_EXCL_UNLINK */
	__u32 path_len;		/* bytes of path, NUL included */
	__u32 reserved;
	/* char path[path_len]: the inode watched, from the root */
};

/* One watch of an epoll file */
struct ckpt_epoll_watch {
	__u32 file_ref;		/* the FILE watched */
	__s32 fd;		/* the descriptor it was added with */
	__u32 events;		/* EPOLL* events and flags */
	__u32 reserved;
	__u64 data;
};

/* EPOLL: the interest set of an epoll file */
struct ckpt_hdr_epoll {
	struct ckpt_hdr h;
	__u32 ref;		/* the epoll's FILE */
	__u32 nr;		/* watches, at most CKPT_MAX_EPOLL_WATCHES */
	/* struct ckpt_epoll_watch watches[nr] */
};

/* PTY flags */
#define CKPT_PTY_LOCKED		0x1	/* TIOCSPTLCK: the slave cannot be opened */
#define CKPT_PTY_PACKET		0x2	/* TIOCPKT: the master is in packet mode */
#define CKPT_PTY_SLAVE_CLOSED	0x4	/* the slave was opened and closed since: */
					/* a read of the master fails with EIO */

/*
 * PTY: a pseudo-terminal pair, after the first FILE record that names it,
 * followed by the TTY records of its master and of its slave
 */
struct ckpt_hdr_pty {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE records */
	__u32 index;		/* N of /dev/pts/N, below CKPT_MAX_PTYS */
	__u32 flags;		/* CKPT_PTY_* */
	__u32 pktstatus;	/* TIOCPKT_* status bits not read yet */
	__s32 fg_pgid;		/* the foreground process group of the */
				/* slave, a group of the tree; 0: none */
	__u16 ws_row;		/* the window size (TIOCGWINSZ) */
	__u16 ws_col;
	__u16 ws_xpixel;
	__u16 ws_ypixel;
	__u32 ptmx_len;		/* bytes of ptmx, NUL included */
	/* char ptmx[ptmx_len]: the ptmx node the master was opened at */
};

/* TTY flags */
#define CKPT_TTY_STOPPED	0x01	/* output stopped (^S, TCOOFF) */
#define CKPT_TTY_TCO_STOPPED	0x02	/* by tcflow(TCOOFF) */
#define CKPT_TTY_LNEXT		0x04	/* the next byte is taken literally */
#define CKPT_TTY_ERASING	0x08	/* an erase is being echoed */
#define CKPT_TTY_PUSH		0x10	/* a read returns what is there */
#define CKPT_TTY_NO_ROOM	0x20	/* the flip buffer waits for room */

/*
 * TTY: one side of a pty pair: its termios and the input it holds.  The
 * line discipline (N_TTY) holds count bytes, of which canon are complete
 * lines and commit visible to readers; the flip buffer holds nr_pending
 * more bytes that the line discipline has not taken yet.
 */
struct ckpt_hdr_tty {
	struct ckpt_hdr h;
	__u32 iflag;		/* struct termios2, as TCGETS2 gives it; */
				/* a master's is not restored: it never */
				/* changes */
	__u32 oflag;
	__u32 cflag;
	__u32 lflag;
	__u8 line;		/* N_TTY */
	__u8 cc[CKPT_TTY_NCCS];
	__u32 ispeed;
	__u32 ospeed;
	__u32 flags;		/* CKPT_TTY_* */
	__u32 count;		/* at most CKPT_TTY_BUF_SIZE */
	__u32 canon;		/* at most count */
	__u32 commit;		/* at most count */
	__u32 line_start;	/* at most count */
	__u32 column;		/* the output column */
	__u32 canon_column;
	__u32 nr_pending;	/* at most CKPT_TTY_PENDING_MAX */
	/* __u8 data[count], eol[(count + 7) / 8] (bit i: data[i] ends a */
	/* line), pending[nr_pending] */
};

/* TIMERFD flags: those of its last timerfd_settime() */
#define CKPT_TIMERFD_ABSTIME		0x1	/* TFD_TIMER_ABSTIME */
#define CKPT_TIMERFD_CANCEL_ON_SET	0x2	/* TFD_TIMER_CANCEL_ON_SET */

/* TIMERFD: a timerfd's clock and setting, after its FILE record */
struct ckpt_hdr_timerfd {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE record */
	__s32 clockid;		/* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME, */
				/* _REALTIME_ALARM or _BOOTTIME_ALARM */
	__u32 flags;		/* CKPT_TIMERFD_* */
	__u32 reserved;
	__s64 value_ns;		/* time left to the next expiration, */
				/* 0: disarmed */
	__s64 interval_ns;	/* period, 0: one shot */
	__u64 ticks;		/* expirations not read yet */
};

/* SIGNALFD: the signals a signalfd reads, after its FILE record */
struct ckpt_hdr_signalfd {
	struct ckpt_hdr h;
	__u32 ref;		/* the obj_ref of its FILE record */
	__u32 reserved;
	__u64 mask;		/* bit n - 1: signal n; not SIGKILL, SIGSTOP */
};

/* MM: an address space */
struct ckpt_hdr_mm {
	struct ckpt_hdr h;
	__u32 ref;
	__u32 nr_vmas;
	__u32 exe_ref;		/* FILE ref of /proc/PID/exe, 0: none */
	__u32 nr_auxv;		/* words used in auxv[] */
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack;
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 vdso;		/* address of the vdso text, 0: none */
	__u32 vdso_size;	/* bytes of the vdso text */
	__u32 vdso_csum;	/* CRC-32 of the vdso text: a restart refuses */
				/* a kernel whose vdso differs */
	__u64 flags;		/* coredump filter bits of mm->flags */
	__u64 auxv[CKPT_AUXV_WORDS];
};

/* VMA types */
enum ckpt_vma_type {
	CKPT_VMA_ANON = 1,	/* private anonymous */
	CKPT_VMA_FILE,		/* file mapping; MAP_SHARED if CKPT_VMA_F_SHARED */
	CKPT_VMA_VDSO,		/* [vdso] text */
	CKPT_VMA_VVAR,		/* [vvar] data */
	CKPT_VMA_MAX
};

/* VMA flags */
#define CKPT_VMA_F_SHARED	0x01
#define CKPT_VMA_F_GROWSDOWN	0x02
#define CKPT_VMA_F_DONTDUMP	0x04
#define CKPT_VMA_F_DONTFORK	0x08
#define CKPT_VMA_F_WIPEONFORK	0x10
#define CKPT_VMA_F_SEQ_READ	0x20
#define CKPT_VMA_F_RAND_READ	0x40
#define CKPT_VMA_F_ALL		0x7f

/* Protection bits, as PROT_* */
#define CKPT_PROT_READ		0x1
#define CKPT_PROT_WRITE		0x2
#define CKPT_PROT_EXEC		0x4

/* VMA: one mapping */
struct ckpt_hdr_vma {
	struct ckpt_hdr h;
	__u64 start;
	__u64 end;
	__u64 pgoff;		/* in pages, for file mappings */
	__u32 type;		/* enum ckpt_vma_type */
	__u32 prot;		/* CKPT_PROT_* */
	__u32 flags;		/* CKPT_VMA_F_* */
	__u32 file_ref;		/* FILE ref for CKPT_VMA_FILE */
};

/*
 * PAGES: contents of nr_pages present private pages, in increasing
 * address order across the whole MM.  A PAGES record with nr_pages == 0
 * ends the MM.
 */
struct ckpt_hdr_pages {
	struct ckpt_hdr h;
	__u32 nr_pages;		/* at most CKPT_PAGES_BATCH */
	__u32 reserved;
	/* __u64 addr[nr_pages]; then nr_pages * page_size bytes */
};

/* FS: working directory, root and umask */
struct ckpt_hdr_fs {
	struct ckpt_hdr h;
	__u32 ref;
	__u32 umask;
	__u32 cwd_len;		/* bytes, NUL included */
	__u32 root_len;		/* bytes, NUL included */
	/* char cwd[cwd_len]; char root[root_len]; padded to 8 bytes */
};

/* FDTABLE: a file descriptor table; nr_fds FD records follow */
struct ckpt_hdr_fdtable {
	struct ckpt_hdr h;
	__u32 ref;
	__u32 nr_fds;
};

#define CKPT_FD_CLOEXEC		0x1

/* FD: one descriptor, in increasing fd order */
struct ckpt_hdr_fd {
	struct ckpt_hdr h;
	__u32 fd;
	__u32 file_ref;
	__u32 flags;		/* CKPT_FD_* */
	__u32 reserved;
};

struct ckpt_sigaction {
	__u64 handler;		/* SIG_DFL (0), SIG_IGN (1) or an address */
	__u64 flags;		/* SA_* */
	__u64 restorer;
	__u64 mask;
};

/* SIGHAND: actions of signals 1..64 */
struct ckpt_hdr_sighand {
	struct ckpt_hdr h;
	__u32 ref;
	__u32 reserved;
	struct ckpt_sigaction action[CKPT_NSIG];
};

struct ckpt_rlimit {
	__u64 cur;
	__u64 max;
};

/* SIGNAL: per-task signal state and the process's resource limits */
struct ckpt_hdr_signal {
	struct ckpt_hdr h;
	__u64 blocked;
	__u64 sas_ss_sp;
	__u64 sas_ss_size;
	__u32 sas_ss_flags;
	__u32 nr_rlimits;	/* CKPT_RLIM_NLIMITS */
	struct ckpt_rlimit rlim[CKPT_RLIM_NLIMITS];
	__u32 ctty_ref;		/* the PTY of its controlling terminal, 0: */
				/* none */
	__u32 ctty_flags;	/* CKPT_CTTY_* */
};

/*
 * SIGNAL ctty_flags: a controlling terminal that is not a pty of the
 * image, of a session outside the tree: a restart puts the process in the
 * restarter's session, with the restarter's controlling terminal
 */
#define CKPT_CTTY_INHERIT	0x1
/* ... whose foreground process group was the process's */
#define CKPT_CTTY_FOREGROUND	0x2

/* A pending signal: the kernel's siginfo, its union kept as it is */
struct ckpt_siginfo {
	__s32 signo;
	__s32 err;
	__s32 code;
	__u32 reserved;
	__u8 fields[32];	/* union __sifields of x86_64 */
};

/* SIGPENDING: a queue of pending signals, in the order they were sent */
struct ckpt_hdr_sigpending {
	struct ckpt_hdr h;
	__u32 shared;		/* 0: the task's own, 1: its process's */
	__u32 nr;
	/* struct ckpt_siginfo info[nr]; */
};

/* ITIMERS: a process's interval timers, as getitimer() sees them */
#define CKPT_ITIMER_REAL	0
#define CKPT_ITIMER_VIRTUAL	1
#define CKPT_ITIMER_PROF	2
#define CKPT_NR_ITIMERS		3

struct ckpt_itimer {
	__s64 value_ns;		/* time left, 0: disarmed */
	__s64 interval_ns;	/* 0 when disarmed */
};

struct ckpt_hdr_itimers {
	struct ckpt_hdr h;
	struct ckpt_itimer it[CKPT_NR_ITIMERS];
};

/* A POSIX timer (timer_create()) on an hrtimer clock */
struct ckpt_posix_timer {
	__s32 id;		/* its timer_t, unique in the process */
	__s32 clockid;		/* CLOCK_REALTIME, _MONOTONIC, _BOOTTIME, _TAI */
	/* notify: SIGEV_SIGNAL or SIGEV_NONE, maybe with SIGEV_THREAD_ID */
	__s32 notify;
	__s32 signo;
	__u64 value;		/* sigev_value */
	__s32 tid;		/* the thread notified (SIGEV_THREAD_ID) */
	__s32 overrun;		/* what timer_getoverrun() returns */
	__s64 value_ns;		/* time left, 0: disarmed */
	__s64 interval_ns;
	__u32 flags;		/* CKPT_TIMER_* */
	__s32 sig_overrun;	/* CKPT_TIMER_SIGPENDING: its signal's */
				/* overrun count */
};

/* POSIX timer flags */
#define CKPT_TIMER_SIGPENDING	0x1	/* expired, its own signal pending */
					/* (not in the SIGPENDING records) */

/* POSIX_TIMERS: a process's POSIX timers */
struct ckpt_hdr_posix_timers {
	struct ckpt_hdr h;
	__u32 nr;
	__u32 reserved;
	/* struct ckpt_posix_timer timers[nr]; */
};

/* CPU: general registers, as in struct user_regs_struct of x86_64 */
struct ckpt_x86_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
	__u64 fs_base, gs_base, ds, es, fs, gs;
};

struct ckpt_hdr_cpu {
	struct ckpt_hdr h;
	struct ckpt_x86_regs regs;
};

/*
 * XSTATE: FPU/SSE/AVX state in the standard (non-compacted) XSAVE layout
 * that PTRACE_GETREGSET NT_X86_XSTATE uses; size bytes follow.
 */
struct ckpt_hdr_xstate {
	struct ckpt_hdr h;
	__u64 xfeatures;	/* features present in the buffer */
	__u32 size;
	__u32 reserved;
	/* __u8 xsave[size], padded to 8 bytes */
};

/* TRAILER: last record; CRC-32 (as zlib crc32()) of all bytes before it */
struct ckpt_hdr_trailer {
	struct ckpt_hdr h;
	char magic[8];		/* CKPT_MAGIC */
	__u64 nr_records;	/* records before the trailer */
	__u64 image_len;	/* bytes before the trailer */
	__u32 crc32;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_CHECKPOINT_HDR_H */
