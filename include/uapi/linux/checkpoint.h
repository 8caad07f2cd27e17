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
#define CKPT_FLAGS_ALL		(CKPT_KILL | CKPT_STOP)

/* restart() flags */
#define RSTR_PIDNS		0x1UL	/* restore into a new pid namespace */
#define RSTR_FLAGS_ALL		(RSTR_PIDNS)

#endif /* _UAPI_LINUX_CHECKPOINT_H */
