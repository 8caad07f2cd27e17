/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Checkpoint/restart: system call interface.
 *
 *   long checkpoint(pid_t pid, int fd, unsigned long flags, int logfd);
 *   long restart(pid_t pid, int fd, unsigned long flags, int logfd);
 *
 * checkpoint() saves the process tree rooted at @pid (0: the caller) as a
 * stream of records (see checkpoint_hdr.h) written to @fd, which is never
 * seeked.  It returns a positive checkpoint id; a task restored from that
 * image returns 0 from the same call.
 *
 * restart() reads an image from @fd and rebuilds the tree as children of
 * the caller, all or nothing.  It returns the pid of the restored root.
 * @pid is reserved and must be 0.
 *
 * Both write a readable reason for any failure to @logfd (-1: none).
 */
#ifndef _UAPI_LINUX_CHECKPOINT_H
#define _UAPI_LINUX_CHECKPOINT_H

/* checkpoint() flags */
#define CKPT_KILL		0x1UL	/* kill the tree once it is saved */
#define CKPT_STOP		0x2UL	/* leave the tree stopped (SIGSTOP) */
/*
 * Save the descriptors of the terminal of the session the tree runs in
 * (that of the shell that started it), which is outside the tree, as
 * references to be replaced by the restarter's terminal
 */
#define CKPT_SHELL_JOB		0x4UL
#define CKPT_FLAGS_ALL		(CKPT_KILL | CKPT_STOP | CKPT_SHELL_JOB)

/* restart() flags */
#define RSTR_PIDNS		0x1UL	/* restore into a new pid namespace */
/*
 * Give the descriptors that CKPT_SHELL_JOB saved the caller's controlling
 * terminal, and put the restored tree in its foreground if it was in the
 * foreground of its own
 */
#define RSTR_SHELL_JOB		0x2UL
#define RSTR_FLAGS_ALL		(RSTR_PIDNS | RSTR_SHELL_JOB)

#endif /* _UAPI_LINUX_CHECKPOINT_H */
