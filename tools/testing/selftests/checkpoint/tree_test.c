// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of process trees: checkpoint() saves the process at
 * the given pid with all its descendants, restart() rebuilds the tree
 * with the original pids, parents, process groups and sessions.
 *
 * The test process is a child subreaper: the descendants of a root
 * killed by CKPT_KILL are reparented to it and it reaps every old pid
 * before restarting.  Processes of a tree report "ROLE PID PPID PGID SID"
 * in DIR/PID.GEN (written to a temporary file, then renamed): generation
 * 0 once they are set up, one more on every SIGUSR1.  On SIGUSR2 a
 * process sends SIGUSR2 to its children, reaps each of them with
 * waitpid(PID) and exits 0 only if each exited 0 (so the root's exit
 * status covers the whole tree).
 *
 * tree7: root (setsid) -> A (setpgid(0, 0)) -> A1, A2 (in A's group) and
 * root -> B -> B1, B2 (in the root's group), 7 processes.  The reports,
 * /proc/PID/stat and the rules above agree before the checkpoint;
 * CKPT_KILL kills all 7 (SIGKILL), the test reaps all 7 and restart()
 * returns the root's pid; every process is back with its parent, group
 * and session in /proc/PID/stat, and its report after the restart is the
 * same, byte for byte, as before; the root then exits 0 (every parent
 * reaped its children) and nothing is left.
 *
 * zombie: the root has two unreaped children, one exited with 42, one
 * killed by SIGTERM.  The image holds them with CKPT_TREE_ZOMBIE; after
 * CKPT_KILL the test reaps them with their original statuses; after the
 * restart they are zombie children of the root again (state Z, PPid),
 * and the root reaps them with waitid(WNOWAIT) and waitpid(PID): exit
 * status 42, killed by SIGTERM without core, and no other child.
 *
 * clone_files: a child created with clone(CLONE_FILES) shares the
 * root's fd table (CKPT_TREE_SHARE_FILES in the image); after the
 * restart the child dup2()s a new file to fd 77 and closes fd 76, and
 * the root sees fd 77 (F_GETFD 0, same inode, same contents) and no fd
 * 76 any more.
 *
 * pid_busy: restarting the image of a process that still runs fails with
 * EBUSY and a log naming its pid, and leaves nothing behind; once it has
 * exited the image restarts.  pid_busy_tree: the root's pid is free but
 * a child's pid is taken (clone3() with set_tid): EBUSY naming the
 * child's pid, no process of the tree left; once the pid is free the
 * whole tree restarts.
 *
 * ptraced: a grandchild PTRACE_SEIZEd by the test makes the checkpoint
 * of the tree fail with EBUSY (flags 0, CKPT_KILL, CKPT_STOP) naming it;
 * the tree keeps running unchanged.  vfork: a process waiting in vfork()
 * for its child (which pauses) cannot be checkpointed: EOPNOTSUPP,
 * "vfork" in the log; both keep running.
 *
 * fork_loop: a root that forks children that exit at once, reaps them
 * and counts them in a file is checkpointed 50 times without flags:
 * every call returns an increasing id or fails with EAGAIN, at least one
 * succeeds, every image's tree is the root plus at most one child.  Then
 * with CKPT_KILL (retried on EAGAIN): the tasks of the image are reaped,
 * the restored root counts on and exits 0 when told.
 */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/ptrace.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	20000
#define TMO_EXIT	30000
#define TMO_REAP	20000
#define TMO_CHILD	10000	/* a tree process waiting for its child */

#define MAX_NODES	8
#define MAX_PIDS	32
#define MAX_ENTRIES	64
#define REPORT_MAX	128

#ifndef __NR_clone3
#define __NR_clone3	435
#endif

/* --- the processes of a tree --- */

struct node_spec {
	const char *role;
	int parent;		/* index of the parent node; -1: the root */
	int new_session;	/* setsid() first */
	int new_pgrp;		/* setpgid(0, 0) first */
};

struct tree_spec {
	const char *dir;	/* reports: DIR/PID.GEN */
	const struct node_spec *nodes;
	int nr;
};

static const struct node_spec tree7_nodes[] = {
	{ "root", -1, 1, 0 },
	{ "A",     0, 0, 1 },
	{ "A1",    1, 0, 0 },
	{ "A2",    1, 0, 0 },
	{ "B",     0, 0, 0 },
	{ "B1",    4, 0, 0 },
	{ "B2",    4, 0, 0 },
};

static const struct node_spec chain3_nodes[] = {
	{ "P", -1, 0, 0 },
	{ "C",  0, 0, 0 },
	{ "G",  1, 0, 0 },
};

static const struct node_spec pair_nodes[] = {
	{ "R", -1, 0, 0 },
	{ "X",  0, 0, 0 },
};

static volatile sig_atomic_t nr_usr1, got_usr2;

static void usr1_handler(int sig)
{
	nr_usr1++;
}

static void usr2_handler(int sig)
{
	got_usr2 = 1;
}

/* Write "ROLE PID PPID PGID SID" to DIR/PID.GEN atomically; 0 or -1. */
static int write_report(const char *dir, const char *role, int gen)
{
	char path[PATH_MAX], tmp[PATH_MAX], buf[REPORT_MAX];
	int fd, len;

	len = snprintf(buf, sizeof(buf), "%s %d %d %d %d\n", role, getpid(),
		       getppid(), getpgid(0), getsid(0));
	snprintf(tmp, sizeof(tmp), "%s/.%d.tmp", dir, getpid());
	snprintf(path, sizeof(path), "%s/%d.%d", dir, getpid(), gen);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != len) {
		close(fd);
		return -1;
	}
	if (close(fd))
		return -1;
	return rename(tmp, path);
}

/*
 * One process of the tree: set up its group or session, fork its
 * children (they run node_run() of their own index), report, then
 * report again on every SIGUSR1 until SIGUSR2.  SIGUSR1 and SIGUSR2 are
 * blocked (the root blocked them) except in sigsuspend(), so that no
 * signal is lost and none is pending when the tree is checkpointed.
 */
static int node_run(const struct tree_spec *ts, int idx)
{
	const struct node_spec *me = &ts->nodes[idx];
	pid_t kids[MAX_NODES], r;
	int nkids = 0, gen = 0, seen = 0, ret = 0, i, st;
	sigset_t waitmask;

	if (me->new_session && setsid() < 0)
		return 90;
	if (me->new_pgrp && setpgid(0, 0))
		return 91;
	for (i = idx + 1; i < ts->nr; i++) {
		if (ts->nodes[i].parent != idx)
			continue;
		kids[nkids] = fork();
		if (kids[nkids] < 0)
			return 92;
		if (kids[nkids] == 0)
			_exit(node_run(ts, i));
		nkids++;
	}
	if (write_report(ts->dir, me->role, 0))
		return 93;

	sigprocmask(SIG_SETMASK, NULL, &waitmask);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGUSR2);
	while (!got_usr2) {
		sigsuspend(&waitmask);
		if (seen != nr_usr1) {
			seen = nr_usr1;
			if (write_report(ts->dir, me->role, ++gen))
				return 94;
		}
	}

	for (i = 0; i < nkids; i++)
		kill(kids[i], SIGUSR2);
	for (i = 0; i < nkids; i++) {
		st = 0;
		r = ckpt_waitpid(kids[i], &st, TMO_CHILD);
		if (r != kids[i]) {
			ckpt_child_log("%s: waitpid(%d) = %d (%s)", me->role,
				       kids[i], r, strerror(errno));
			if (!ret)
				ret = 10 + i;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			ckpt_child_log("%s: child %d: status %#x", me->role,
				       kids[i], st);
			if (!ret)
				ret = 20 + i;
		}
	}
	r = waitpid(-1, &st, WNOHANG | __WALL);
	if (r != -1 || errno != ECHILD) {
		ckpt_child_log("%s: unexpected child: waitpid(-1) = %d",
			       me->role, r);
		if (!ret)
			ret = 30;
	}
	return ret;
}

static int install_node_signals(void)
{
	struct sigaction sa = { .sa_handler = usr1_handler };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return -1;
	sa.sa_handler = usr2_handler;
	if (sigaction(SIGUSR2, &sa, NULL))
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

static int tree_root(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (install_node_signals())
		return 98;
	return node_run(arg, 0);
}

/* --- reading reports and /proc --- */

struct report {
	char role[16];
	pid_t pid, ppid, pgid, sid;
	char line[REPORT_MAX];
};

/* Parse DIR/PID.GEN into @r; 0, or -1 if absent or malformed. */
static int read_report(const char *dir, pid_t pid, int gen, struct report *r)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%d.%d", dir, pid, gen);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ckpt_read_all(fd, r->line, sizeof(r->line));
	close(fd);
	if (sscanf(r->line, "%15s %d %d %d %d", r->role, &r->pid, &r->ppid,
		   &r->pgid, &r->sid) != 5 || r->pid != pid)
		return -1;
	return 0;
}

/* The pids of the reports of generation 0 in @dir; their number. */
static int scan_first_reports(const char *dir, pid_t *pids, int max)
{
	struct dirent *d;
	int n = 0;
	DIR *dp;
	char *end;
	long v;

	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		v = strtol(d->d_name, &end, 10);
		if (end == d->d_name || strcmp(end, ".0") || v <= 0)
			continue;
		if (n < max)
			pids[n] = v;
		n++;
	}
	closedir(dp);
	return n;
}

/*
 * Wait up to @ms for the @nr first reports of the tree of @ts and store
 * them in @out in the order of the nodes; 0 or -1.
 */
static int wait_first_reports(const struct tree_spec *ts, struct report *out,
			      int ms)
{
	struct report r;
	pid_t pids[MAX_NODES + 1];
	int waited, n, i, k, found;

	for (waited = 0; waited <= ms; waited += 10) {
		n = scan_first_reports(ts->dir, pids, MAX_NODES + 1);
		if (n == ts->nr)
			break;
		usleep(10000);
	}
	if (n != ts->nr)
		return -1;
	for (k = 0; k < ts->nr; k++) {
		found = 0;
		for (i = 0; i < n; i++) {
			if (read_report(ts->dir, pids[i], 0, &r))
				return -1;
			if (!strcmp(r.role, ts->nodes[k].role)) {
				out[k] = r;
				found++;
			}
		}
		if (found != 1)
			return -1;
	}
	return 0;
}

/* Wait up to @ms for the report @gen of each of the @n pids. */
static int wait_reports(const char *dir, const pid_t *pids, int n, int gen,
			struct report *out, int ms)
{
	int waited, i;

	for (waited = 0; waited <= ms; waited += 10) {
		for (i = 0; i < n; i++)
			if (read_report(dir, pids[i], gen, &out[i]))
				break;
		if (i == n)
			return 0;
		usleep(10000);
	}
	return -1;
}

struct ids {
	char state;
	pid_t ppid, pgid, sid;
};

/* State, parent, group and session of @pid from /proc/PID/stat. */
static int proc_ids(pid_t pid, struct ids *ids)
{
	char buf[1024], *p;

	memset(ids, 0, sizeof(*ids));
	if (ckpt_proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d %d", &ids->state, &ids->ppid,
			 &ids->pgid, &ids->sid) != 4)
		return -1;
	return 0;
}

/* Is @pid gone (no such process)? */
static int gone(pid_t pid)
{
	return kill(pid, 0) == -1 && errno == ESRCH;
}

/*
 * The TREE record of the image in @fd: up to @max entries in @ent.
 * Returns the number of tasks, or -1 if the image does not start with a
 * HEADER of this version and a TREE.
 */
static int image_tree(int fd, struct ckpt_tree_entry *ent, int max)
{
	struct ckpt_hdr_header hdr;
	struct ckpt_hdr_tree tree;
	ssize_t len;
	off_t off;

	if (pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr) ||
	    hdr.h.type != CKPT_HDR_HEADER || hdr.version != CKPT_VERSION)
		return -1;
	off = (hdr.h.len + CKPT_ALIGN - 1) & ~(off_t)(CKPT_ALIGN - 1);
	if (pread(fd, &tree, sizeof(tree), off) != sizeof(tree) ||
	    tree.h.type != CKPT_HDR_TREE || tree.nr_tasks > (__u32)max)
		return -1;
	len = tree.nr_tasks * sizeof(*ent);
	if (pread(fd, ent, len, off + sizeof(tree)) != len)
		return -1;
	return tree.nr_tasks;
}

static const struct ckpt_tree_entry *
find_entry(const struct ckpt_tree_entry *ent, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (ent[i].pid == pid)
			return &ent[i];
	return NULL;
}

/* --- the fixture --- */

FIXTURE(tree) {
	char dir[64];
	char log[96];
	char klog[CKPT_LOG_MAX];
	struct tree_spec spec;
	struct report rep[MAX_NODES];	/* generation 0, in node order */
	pid_t node[MAX_NODES];		/* their pids */
	pid_t pids[MAX_PIDS];		/* every pid started, for cleanup */
	int nr_pids;
	int imgfd;
};

static void track(FIXTURE_DATA(tree) *self, pid_t pid)
{
	if (pid > 0 && self->nr_pids < MAX_PIDS)
		self->pids[self->nr_pids++] = pid;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

/* SIGKILL and reap whatever children the test process still has. */
static void kill_strays(void)
{
	char name[40], buf[4096], *p, *end;
	int round, st, any;
	long v;

	snprintf(name, sizeof(name), "task/%ld/children",
		 (long)syscall(SYS_gettid));
	for (round = 0; round < 200; round++) {
		any = 0;
		if (ckpt_proc_read(0, name, buf, sizeof(buf)) > 0) {
			for (p = buf; ; p = end) {
				v = strtol(p, &end, 10);
				if (end == p)
					break;
				kill(v, SIGKILL);
				any = 1;
			}
		}
		while (waitpid(-1, &st, WNOHANG | __WALL) > 0)
			any = 1;
		if (!any)
			break;
		usleep(10000);
	}
}

FIXTURE_SETUP(tree)
{
	self->nr_pids = 0;
	self->imgfd = -1;
	self->klog[0] = '\0';
	strcpy(self->dir, "/tmp/ckpt-tree.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s.log", self->dir);
	self->spec.dir = self->dir;
	ASSERT_EQ(0, ckpt_become_subreaper());
}

FIXTURE_TEARDOWN(tree)
{
	if (!_metadata->passed) {
		if (self->klog[0])
			TH_LOG("kernel log: %s", self->klog);
		ckpt_dump_log(self->log);
	}
	ckpt_kill_tree(self->pids, self->nr_pids, 10000);
	kill_strays();
	if (self->imgfd >= 0)
		close(self->imgfd);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unlink(self->log);
}

/*
 * The parent, group and session that node @k of the tree must have (by
 * the rules of struct node_spec), given the pids of the nodes.
 */
static void expected_ids(const struct tree_spec *ts, const pid_t *node,
			 int k, struct ids *want)
{
	const struct node_spec *n = &ts->nodes[k];
	struct ids parent;

	if (n->parent < 0) {
		parent.ppid = 0;
		parent.pgid = getpgid(0);
		parent.sid = getsid(0);
		want->ppid = getpid();
	} else {
		expected_ids(ts, node, n->parent, &parent);
		want->ppid = node[n->parent];
	}
	want->pgid = n->new_session || n->new_pgrp ? node[k] : parent.pgid;
	want->sid = n->new_session ? node[k] : parent.sid;
}

/*
 * Start the tree of @nodes: wait for its first reports, check them
 * against the rules and against /proc, and wait until every process
 * sleeps in rt_sigsuspend().
 */
static void start_tree(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tree) *self,
		       const struct node_spec *nodes, int nr)
{
	struct ids want, seen;
	pid_t root;
	int k;

	self->spec.nodes = nodes;
	self->spec.nr = nr;
	root = ckpt_spawn(tree_root, &self->spec, self->log);
	ASSERT_LT(0, root);
	track(self, root);
	ASSERT_EQ(0, wait_first_reports(&self->spec, self->rep, TMO_READY)) {
		TH_LOG("the tree did not report (%d processes expected)", nr);
	}
	for (k = 0; k < nr; k++) {
		self->node[k] = self->rep[k].pid;
		track(self, self->node[k]);
	}
	ASSERT_EQ(root, self->node[0]);
	for (k = 0; k < nr; k++) {
		expected_ids(&self->spec, self->node, k, &want);
		TH_LOG("%-4s %d: ppid %d pgid %d sid %d", nodes[k].role,
		       self->node[k], self->rep[k].ppid, self->rep[k].pgid,
		       self->rep[k].sid);
		ASSERT_EQ(want.ppid, self->rep[k].ppid);
		ASSERT_EQ(want.pgid, self->rep[k].pgid);
		ASSERT_EQ(want.sid, self->rep[k].sid);
		ASSERT_EQ(0, proc_ids(self->node[k], &seen));
		ASSERT_EQ(want.ppid, seen.ppid);
		ASSERT_EQ(want.pgid, seen.pgid);
		ASSERT_EQ(want.sid, seen.sid);
	}
	for (k = 0; k < nr; k++) {
		ASSERT_EQ(0, ckpt_wait_syscall(self->node[k],
					       __NR_rt_sigsuspend, TMO_READY)) {
			TH_LOG("%s (%d) does not sleep in sigsuspend",
			       nodes[k].role, self->node[k]);
		}
	}
}

/*
 * The tree runs with the same pids, parents, groups and sessions as in
 * its first reports; every process sleeps in rt_sigsuspend().
 */
static void check_tree_ids(struct __test_metadata *_metadata,
			   FIXTURE_DATA(tree) *self)
{
	struct ids seen;
	int k;

	for (k = 0; k < self->spec.nr; k++) {
		ASSERT_EQ(0, proc_ids(self->node[k], &seen)) {
			TH_LOG("%s (%d) is not there",
			       self->spec.nodes[k].role, self->node[k]);
		}
		EXPECT_EQ(self->rep[k].ppid, seen.ppid);
		EXPECT_EQ(self->rep[k].pgid, seen.pgid);
		EXPECT_EQ(self->rep[k].sid, seen.sid);
		ASSERT_EQ(0, ckpt_wait_syscall(self->node[k],
					       __NR_rt_sigsuspend, TMO_READY)) {
			TH_LOG("%s (%d) is in state %c, not in sigsuspend",
			       self->spec.nodes[k].role, self->node[k],
			       ckpt_proc_state(self->node[k]));
		}
	}
}

/* SIGUSR1 to every process: reports @gen must equal the first ones. */
static void check_reports(struct __test_metadata *_metadata,
			  FIXTURE_DATA(tree) *self, int gen)
{
	struct report now[MAX_NODES];
	int k;

	for (k = 0; k < self->spec.nr; k++) {
		ASSERT_EQ(0, kill(self->node[k], SIGUSR1));
	}
	ASSERT_EQ(0, wait_reports(self->dir, self->node, self->spec.nr, gen,
				  now, TMO_READY)) {
		TH_LOG("not every process wrote report %d", gen);
	}
	for (k = 0; k < self->spec.nr; k++) {
		EXPECT_STREQ(self->rep[k].line, now[k].line);
	}
}

/* SIGUSR2 to the root: it stops the tree and must exit 0. */
static void stop_tree(struct __test_metadata *_metadata,
		      FIXTURE_DATA(tree) *self)
{
	int status = 0, k;
	pid_t r;

	ASSERT_EQ(0, kill(self->node[0], SIGUSR2));
	r = ckpt_waitpid(self->node[0], &status, TMO_EXIT);
	ASSERT_EQ(self->node[0], r) {
		TH_LOG("the root did not exit");
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("root status %#x (exit code: see node_run())", status);
	}
	for (k = 0; k < self->spec.nr; k++) {
		EXPECT_TRUE(gone(self->node[k])) {
			TH_LOG("%s (%d) is still there",
			       self->spec.nodes[k].role, self->node[k]);
		}
	}
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno);
}

/* Checkpoint @root with @flags into self->imgfd; returns the id. */
static long checkpoint(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tree) *self, pid_t root,
		       unsigned long flags)
{
	long id;

	if (self->imgfd >= 0)
		close(self->imgfd);
	id = ckpt_checkpoint(root, flags, &self->imgfd, self->klog,
			     sizeof(self->klog));
	ASSERT_LT(0, id) {
		TH_LOG("checkpoint(%d, %#lx): %s", root, flags,
		       strerror(errno));
	}
	return id;
}

/*
 * Reap the @n pids of a tree killed by CKPT_KILL: each must have been
 * killed by SIGKILL, except where @status_ok accepts its status.
 */
static void reap_killed(struct __test_metadata *_metadata, const pid_t *pids,
			int n, int (*status_ok)(pid_t, int))
{
	int status[MAX_ENTRIES], i;

	ASSERT_GE(MAX_ENTRIES, n);
	ASSERT_EQ(0, ckpt_reap_pids(pids, n, status, TMO_REAP)) {
		TH_LOG("not every process of the killed tree was reaped");
	}
	for (i = 0; i < n; i++) {
		if (status_ok && status_ok(pids[i], status[i]))
			continue;
		EXPECT_TRUE(WIFSIGNALED(status[i]) &&
			    WTERMSIG(status[i]) == SIGKILL) {
			TH_LOG("pid %d: status %#x, not SIGKILL", pids[i],
			       status[i]);
		}
	}
	for (i = 0; i < n; i++) {
		EXPECT_TRUE(gone(pids[i]));
	}
}

static void restart(struct __test_metadata *_metadata,
		    FIXTURE_DATA(tree) *self, pid_t root)
{
	long ret;

	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	if (ret > 0)
		track(self, ret);
	ASSERT_EQ(root, ret) {
		TH_LOG("restart: %s", strerror(errno));
	}
}

TEST_F_TIMEOUT(tree, tree7, 120)
{
	struct ckpt_tree_entry ent[MAX_ENTRIES];
	const struct ckpt_tree_entry *e;
	int n, k;

	start_tree(_metadata, self, tree7_nodes, ARRAY_SIZE(tree7_nodes));
	checkpoint(_metadata, self, self->node[0], CKPT_KILL);

	/* the image lists the 7 processes, root first, with their ids */
	n = image_tree(self->imgfd, ent, MAX_ENTRIES);
	EXPECT_EQ(7, n);
	EXPECT_EQ(self->node[0], ent[0].pid);
	for (k = 0; n > 0 && k < 7; k++) {
		e = find_entry(ent, n, self->node[k]);
		ASSERT_NE(NULL, e) {
			TH_LOG("%s (%d) is not in the image", tree7_nodes[k].role,
			       self->node[k]);
		}
		EXPECT_EQ(self->node[k], e->tgid);
		EXPECT_EQ(k ? self->rep[k].ppid : 0, e->ppid);
		EXPECT_EQ(self->rep[k].pgid, e->pgid);
		EXPECT_EQ(self->rep[k].sid, e->sid);
		EXPECT_EQ(0U, e->flags & (CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE));
	}

	reap_killed(_metadata, self->node, 7, NULL);
	restart(_metadata, self, self->node[0]);
	check_tree_ids(_metadata, self);
	check_reports(_metadata, self, 1);
	stop_tree(_metadata, self);
}

/* --- zombies --- */

#define ZOMBIE_CODE	42

static int zombie_root(void *arg)
{
	const char *dir = arg;
	char path[PATH_MAX], buf[64];
	pid_t z[2];
	siginfo_t si;
	int i, st, fd, len, waited;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	z[0] = fork();
	if (z[0] == 0)
		_exit(ZOMBIE_CODE);
	z[1] = fork();
	if (z[1] == 0) {
		for (;;)
			pause();
	}
	if (z[0] < 0 || z[1] < 0 || kill(z[1], SIGTERM))
		return 98;
	/* both exited, not reaped */
	for (i = 0; i < 2; i++) {
		for (waited = 0; ; waited += 5) {
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, z[i], &si,
				   WEXITED | WNOHANG | WNOWAIT))
				return 97;
			if (si.si_pid == z[i])
				break;
			if (waited >= TMO_CHILD)
				return 96;
			usleep(5000);
		}
	}
	snprintf(path, sizeof(path), "%s/zombies", dir);
	len = snprintf(buf, sizeof(buf), "%d %d\n", z[0], z[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, len) != len || close(fd))
		return 95;
	ckpt_go_wait(1);

	memset(&si, 0, sizeof(si));
	CKPT_CHILD_CHECK(1, !waitid(P_PID, z[0], &si,
				    WEXITED | WNOHANG | WNOWAIT));
	ckpt_child_log("zombie %d: si_pid %d si_code %d si_status %d",
		       z[0], si.si_pid, si.si_code, si.si_status);
	CKPT_CHILD_CHECK(2, si.si_pid == z[0] && si.si_code == CLD_EXITED &&
			    si.si_status == ZOMBIE_CODE &&
			    si.si_uid == getuid());
	memset(&si, 0, sizeof(si));
	CKPT_CHILD_CHECK(3, !waitid(P_PID, z[1], &si,
				    WEXITED | WNOHANG | WNOWAIT));
	ckpt_child_log("zombie %d: si_pid %d si_code %d si_status %d",
		       z[1], si.si_pid, si.si_code, si.si_status);
	CKPT_CHILD_CHECK(4, si.si_pid == z[1] && si.si_code == CLD_KILLED &&
			    si.si_status == SIGTERM);
	CKPT_CHILD_CHECK(5, waitpid(z[0], &st, WNOHANG) == z[0]);
	CKPT_CHILD_CHECK(6, WIFEXITED(st) && WEXITSTATUS(st) == ZOMBIE_CODE);
	CKPT_CHILD_CHECK(7, waitpid(z[1], &st, WNOHANG) == z[1]);
	CKPT_CHILD_CHECK(8, WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM &&
			    !WCOREDUMP(st));
	CKPT_CHILD_CHECK(9, waitpid(-1, &st, WNOHANG | __WALL) == -1 &&
			    errno == ECHILD);
	ckpt_child_log("all checks passed");
	return 0;
}

/* The killed tree of zombie_root: the zombies keep their statuses. */
static pid_t zombie_pids[2];

static int zombie_status_ok(pid_t pid, int status)
{
	if (pid == zombie_pids[0])
		return WIFEXITED(status) && WEXITSTATUS(status) == ZOMBIE_CODE;
	if (pid == zombie_pids[1])
		return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	return 0;
}

TEST_F_TIMEOUT(tree, zombie, 120)
{
	struct ckpt_tree_entry ent[MAX_ENTRIES];
	const struct ckpt_tree_entry *e;
	char path[PATH_MAX], buf[64];
	pid_t root, z[2], all[3];
	struct ids ids;
	int fd, n, i, status = 0;

	root = ckpt_spawn(zombie_root, self->dir, self->log);
	ASSERT_LT(0, root);
	track(self, root);
	ASSERT_EQ(0, ckpt_wait_ready(root, TMO_READY));
	snprintf(path, sizeof(path), "%s/zombies", self->dir);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ckpt_read_all(fd, buf, sizeof(buf));
	close(fd);
	ASSERT_EQ(2, sscanf(buf, "%d %d", &z[0], &z[1]));
	zombie_pids[0] = z[0];
	zombie_pids[1] = z[1];
	for (i = 0; i < 2; i++) {
		track(self, z[i]);
		ASSERT_EQ(0, proc_ids(z[i], &ids));
		ASSERT_EQ('Z', ids.state);
		ASSERT_EQ(root, ids.ppid);
	}
	ASSERT_EQ(0, ckpt_wait_syscall(root, __NR_rt_sigsuspend, TMO_READY));

	checkpoint(_metadata, self, root, CKPT_KILL);
	n = image_tree(self->imgfd, ent, MAX_ENTRIES);
	ASSERT_EQ(3, n);
	EXPECT_EQ(root, ent[0].pid);
	EXPECT_EQ(0U, ent[0].flags & CKPT_TREE_ZOMBIE);
	for (i = 0; i < 2; i++) {
		e = find_entry(ent, n, z[i]);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(root, e->ppid);
		EXPECT_EQ((__u32)CKPT_TREE_ZOMBIE,
			  e->flags & (CKPT_TREE_ZOMBIE | CKPT_TREE_THREAD));
	}

	all[0] = root;
	all[1] = z[0];
	all[2] = z[1];
	reap_killed(_metadata, all, 3, zombie_status_ok);
	restart(_metadata, self, root);

	/* zombie children of the root again */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ('Z', ckpt_wait_state(z[i], 'Z', TMO_READY));
		ASSERT_EQ(0, proc_ids(z[i], &ids)) {
			TH_LOG("zombie %d was not restored", z[i]);
		}
		EXPECT_EQ('Z', ids.state);
		EXPECT_EQ(root, ids.ppid);
	}
	ASSERT_EQ(0, ckpt_wait_syscall(root, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, kill(root, SIGUSR1));
	ASSERT_EQ(root, ckpt_waitpid(root, &status, TMO_EXIT));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("root status %#x (exit code = failed check)", status);
	}
	EXPECT_TRUE(gone(z[0]));
	EXPECT_TRUE(gone(z[1]));
}

/* --- a child sharing the fd table --- */

#define FD_BEFORE	76
#define FD_AFTER	77
#define FILE_BEFORE	"before"
#define FILE_AFTER	"after"
#define TEXT_AFTER	"contents of the file opened after the restart\n"

static char clone_stack[256 * 1024] __attribute__((aligned(16)));

/* The CLONE_FILES child: fd 76 before the checkpoint, fd 77 after. */
static int cf_child(void *arg)
{
	const char *dir = arg;
	char path[PATH_MAX];
	sigset_t waitmask;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, FILE_BEFORE);
	fd = open(path, O_RDONLY);
	if (fd < 0 || dup2(fd, FD_BEFORE) != FD_BEFORE || close(fd))
		return 80;
	sigprocmask(SIG_SETMASK, NULL, &waitmask);
	sigdelset(&waitmask, SIGUSR1);
	while (!ckpt_go)
		sigsuspend(&waitmask);

	snprintf(path, sizeof(path), "%s/%s", dir, FILE_AFTER);
	fd = open(path, O_RDONLY);
	CKPT_CHILD_CHECK(41, fd >= 0 && fd != FD_AFTER);
	CKPT_CHILD_CHECK(42, dup2(fd, FD_AFTER) == FD_AFTER && !close(fd));
	CKPT_CHILD_CHECK(43, !close(FD_BEFORE));
	return 0;
}

static int cf_root(void *arg)
{
	const char *dir = arg;
	struct sigaction sa = { .sa_handler = ckpt_go_handler };
	char path[PATH_MAX], buf[128];
	struct stat st1, st2;
	sigset_t set, waitmask;
	int fd, len, waited, status = 0;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    sigprocmask(SIG_BLOCK, &set, &waitmask))
		return 98;
	sigdelset(&waitmask, SIGUSR1);
	if (fcntl(FD_BEFORE, F_GETFD) != -1 || fcntl(FD_AFTER, F_GETFD) != -1)
		return 97;
	c = clone(cf_child, clone_stack + sizeof(clone_stack),
		  CLONE_FILES | SIGCHLD, (void *)dir);
	if (c < 0)
		return 96;
	/* the child's fd shows up in our table */
	for (waited = 0; fcntl(FD_BEFORE, F_GETFD) < 0; waited += 5) {
		if (waited >= TMO_CHILD)
			return 95;
		usleep(5000);
	}
	snprintf(path, sizeof(path), "%s/child", dir);
	len = snprintf(buf, sizeof(buf), "%d\n", c);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, len) != len || close(fd))
		return 94;
	ckpt_child_ready();
	while (!ckpt_go)
		sigsuspend(&waitmask);

	/* the child exits once it changed the table we share */
	CKPT_CHILD_CHECK(1, ckpt_waitpid(c, &status, TMO_CHILD) == c);
	CKPT_CHILD_CHECK(2, WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CKPT_CHILD_CHECK(3, fcntl(FD_AFTER, F_GETFD) == 0);
	snprintf(path, sizeof(path), "%s/%s", dir, FILE_AFTER);
	CKPT_CHILD_CHECK(4, !fstat(FD_AFTER, &st1) && !stat(path, &st2));
	CKPT_CHILD_CHECK(5, st1.st_dev == st2.st_dev &&
			    st1.st_ino == st2.st_ino);
	len = strlen(TEXT_AFTER);
	CKPT_CHILD_CHECK(6, pread(FD_AFTER, buf, sizeof(buf), 0) == len &&
			    !memcmp(buf, TEXT_AFTER, len));
	CKPT_CHILD_CHECK(7, fcntl(FD_BEFORE, F_GETFD) == -1 && errno == EBADF);
	ckpt_child_log("all checks passed");
	return 0;
}

static int make_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd, len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* "FD -> TARGET" lines of /proc/PID/fd, in fd order. */
static int fd_list(pid_t pid, char *out, size_t size)
{
	char dir[64], link[96], target[PATH_MAX];
	size_t used = 0;
	ssize_t n;
	int fd;

	out[0] = '\0';
	for (fd = 0; fd < 128; fd++) {
		snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
		snprintf(link, sizeof(link), "%s/%d", dir, fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		target[n] = '\0';
		used += snprintf(out + used, used < size ? size - used : 0,
				 "%d -> %s\n", fd, target);
	}
	return used < size ? 0 : -1;
}

TEST_F_TIMEOUT(tree, clone_files, 120)
{
	struct ckpt_tree_entry ent[MAX_ENTRIES];
	const struct ckpt_tree_entry *e;
	char path[PATH_MAX], buf[64], fds_r[2048], fds_c[2048];
	char before[PATH_MAX + 16];
	pid_t root, c, all[2];
	struct ids ids;
	int fd, n, status = 0;

	ASSERT_EQ(0, make_file(self->dir, FILE_BEFORE, "before\n"));
	ASSERT_EQ(0, make_file(self->dir, FILE_AFTER, TEXT_AFTER));
	root = ckpt_spawn(cf_root, self->dir, self->log);
	ASSERT_LT(0, root);
	track(self, root);
	ASSERT_EQ(0, ckpt_wait_ready(root, TMO_READY));
	snprintf(path, sizeof(path), "%s/child", self->dir);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ckpt_read_all(fd, buf, sizeof(buf));
	close(fd);
	c = atoi(buf);
	ASSERT_LT(0, c);
	track(self, c);
	ASSERT_EQ(0, ckpt_wait_syscall(root, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, ckpt_wait_syscall(c, __NR_rt_sigsuspend, TMO_READY));

	/* one table: the same descriptors, fd 76 included */
	snprintf(before, sizeof(before), "%d -> %s/%s\n", FD_BEFORE,
		 self->dir, FILE_BEFORE);
	ASSERT_EQ(0, fd_list(root, fds_r, sizeof(fds_r)));
	ASSERT_EQ(0, fd_list(c, fds_c, sizeof(fds_c)));
	ASSERT_STREQ(fds_r, fds_c);
	ASSERT_NE(NULL, strstr(fds_r, before));

	checkpoint(_metadata, self, root, CKPT_KILL);
	n = image_tree(self->imgfd, ent, MAX_ENTRIES);
	ASSERT_EQ(2, n);
	EXPECT_EQ(root, ent[0].pid);
	e = find_entry(ent, n, c);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(root, e->ppid);
	EXPECT_EQ((__u32)CKPT_TREE_SHARE_FILES,
		  e->flags & (CKPT_TREE_SHARE_FILES | CKPT_TREE_SHARE_VM |
			      CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE));

	all[0] = root;
	all[1] = c;
	reap_killed(_metadata, all, 2, NULL);
	restart(_metadata, self, root);

	ASSERT_EQ(0, proc_ids(c, &ids)) {
		TH_LOG("the CLONE_FILES child %d was not restored", c);
	}
	EXPECT_EQ(root, ids.ppid);
	ASSERT_EQ(0, ckpt_wait_syscall(root, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, ckpt_wait_syscall(c, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, fd_list(root, fds_c, sizeof(fds_c)));
	EXPECT_STREQ(fds_r, fds_c);
	ASSERT_EQ(0, fd_list(c, fds_c, sizeof(fds_c)));
	EXPECT_STREQ(fds_r, fds_c);

	/* the child changes the table, then the root looks at it */
	ASSERT_EQ(0, kill(c, SIGUSR1));
	ASSERT_EQ(0, kill(root, SIGUSR1));
	ASSERT_EQ(root, ckpt_waitpid(root, &status, TMO_EXIT));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("root status %#x (exit code = failed check; 41-43: in the child)",
		       status);
	}
	EXPECT_TRUE(gone(c));
}

/* --- pids in use at restart --- */

static int plain_child(void *arg)
{
	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	ckpt_go_wait(1);
	return 0;
}

static void expect_exit0(struct __test_metadata *_metadata, pid_t pid)
{
	int status = 0;

	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("pid %d: status %#x", pid, status);
	}
}

TEST_F_TIMEOUT(tree, pid_busy, 120)
{
	pid_t pid;
	long ret;

	pid = ckpt_spawn(plain_child, NULL, self->log);
	ASSERT_LT(0, pid);
	track(self, pid);
	ASSERT_EQ(0, ckpt_wait_ready(pid, TMO_READY));
	ASSERT_EQ(0, ckpt_wait_syscall(pid, __NR_rt_sigsuspend, TMO_READY));
	checkpoint(_metadata, self, pid, 0);
	ASSERT_EQ(1, ckpt_nr_children());

	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	if (ret > 0 && ret != pid)
		track(self, ret);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBUSY, errno) {
		TH_LOG("restart: %s", strerror(errno));
	}
	TH_LOG("kernel log: %s", self->klog);
	EXPECT_TRUE(ckpt_has_num(self->klog, "", pid)) {
		TH_LOG("the log does not name pid %d", pid);
	}
	/* nothing new; the original runs on */
	EXPECT_EQ(1, ckpt_nr_children());
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ('S', ckpt_wait_state(pid, 'S', 1000));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_exit0(_metadata, pid);

	/* the pid is free now */
	restart(_metadata, self, pid);
	ASSERT_EQ(0, ckpt_wait_syscall(pid, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_exit0(_metadata, pid);
}

/* The clone3() arguments of Linux 5.5 (CLONE_ARGS_SIZE_VER1). */
struct clone_args_v1 {
	__u64 flags;
	__u64 pidfd;
	__u64 child_tid;
	__u64 parent_tid;
	__u64 exit_signal;
	__u64 stack;
	__u64 stack_size;
	__u64 tls;
	__u64 set_tid;
	__u64 set_tid_size;
};

/* A child of the caller with pid @pid that pauses; its pid or -1. */
static pid_t fork_with_pid(pid_t pid)
{
	struct clone_args_v1 args;
	pid_t tid = pid;
	long ret;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&tid;
	args.set_tid_size = 1;
	ret = syscall(__NR_clone3, &args, sizeof(args));
	if (ret == 0) {
		for (;;)
			pause();
	}
	return ret;
}

TEST_F_TIMEOUT(tree, pid_busy_tree, 120)
{
	pid_t busy;
	int status = 0;
	long ret;

	start_tree(_metadata, self, pair_nodes, ARRAY_SIZE(pair_nodes));
	checkpoint(_metadata, self, self->node[0], CKPT_KILL);
	reap_killed(_metadata, self->node, 2, NULL);

	/* the child's pid is taken, the root's is free */
	busy = fork_with_pid(self->node[1]);
	if (busy < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP(return, "clone3() with set_tid: %s", strerror(errno));
	ASSERT_EQ(self->node[1], busy) {
		TH_LOG("clone3() with set_tid %d: %s", self->node[1],
		       strerror(errno));
	}
	track(self, busy);
	ret = ckpt_restart(self->imgfd, 0, self->klog, sizeof(self->klog));
	if (ret > 0)
		track(self, ret);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBUSY, errno) {
		TH_LOG("restart: %s", strerror(errno));
	}
	TH_LOG("kernel log: %s", self->klog);
	EXPECT_TRUE(ckpt_has_num(self->klog, "", busy)) {
		TH_LOG("the log does not name pid %d", busy);
	}
	/* all or nothing: no root, no other child */
	EXPECT_TRUE(gone(self->node[0]));
	EXPECT_EQ(1, ckpt_nr_children());
	EXPECT_EQ(0, waitpid(-1, NULL, WNOHANG | __WALL));

	ASSERT_EQ(0, kill(busy, SIGKILL));
	ASSERT_EQ(busy, ckpt_waitpid(busy, &status, TMO_EXIT));
	restart(_metadata, self, self->node[0]);
	check_tree_ids(_metadata, self);
	check_reports(_metadata, self, 1);
	stop_tree(_metadata, self);
}

/* --- refused trees --- */

TEST_F_TIMEOUT(tree, ptraced, 120)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	int status = 0, imgfd, err, k;
	unsigned int i;
	pid_t g;
	long ret;

	start_tree(_metadata, self, chain3_nodes, ARRAY_SIZE(chain3_nodes));
	g = self->node[2];
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, g, 0, 0)) {
		TH_LOG("PTRACE_SEIZE %d: %s", g, strerror(errno));
	}
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(self->node[0], flags[i], &imgfd,
				      self->klog, sizeof(self->klog));
		err = errno;
		close(imgfd);
		ASSERT_EQ(-1, ret) {
			TH_LOG("flags %#lx: the checkpoint succeeded",
			       flags[i]);
		}
		EXPECT_EQ(EBUSY, err) {
			TH_LOG("flags %#lx: %s", flags[i], strerror(err));
		}
		EXPECT_TRUE(ckpt_has_num(self->klog, "", g)) {
			TH_LOG("flags %#lx: the log does not name pid %d: %s",
			       flags[i], g, self->klog);
		}
		/* all there, unchanged, not stopped */
		EXPECT_EQ(0, waitpid(self->node[0], &status,
				     WNOHANG | WUNTRACED));
		for (k = 0; k < 3; k++) {
			EXPECT_EQ('S', ckpt_wait_state(self->node[k], 'S', 1000));
		}
		check_tree_ids(_metadata, self);
	}
	TH_LOG("kernel log: %s", self->klog);
	self->klog[0] = '\0';

	ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, g, 0, 0));
	ASSERT_EQ(g, ckpt_waitpid(g, &status, TMO_EXIT));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, g, 0, 0));
	check_tree_ids(_metadata, self);
	check_reports(_metadata, self, 1);
	stop_tree(_metadata, self);
}

static int vfork_root(void *arg)
{
	int status = 0;
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	c = vfork();
	if (c == 0) {
		for (;;)
			syscall(SYS_pause);
	}
	if (c < 0)
		return 98;
	/* the test killed the vfork child */
	if (ckpt_waitpid(c, &status, TMO_CHILD) != c)
		return 1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return 2;
	return 0;
}

TEST_F_TIMEOUT(tree, vfork, 120)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	char name[40], buf[256];
	int imgfd, err, waited, status = 0;
	unsigned int i;
	pid_t v, c = 0;
	long ret;

	v = ckpt_spawn(vfork_root, NULL, self->log);
	ASSERT_LT(0, v);
	track(self, v);
	snprintf(name, sizeof(name), "task/%d/children", v);
	for (waited = 0; waited <= TMO_READY && c <= 0; waited += 10) {
		if (ckpt_proc_read(v, name, buf, sizeof(buf)) > 0)
			c = atoi(buf);
		if (c <= 0)
			usleep(10000);
	}
	ASSERT_LT(0, c) {
		TH_LOG("no vfork child of %d", v);
	}
	track(self, c);
	ASSERT_EQ(0, ckpt_wait_syscall(c, __NR_pause, TMO_READY));
	ASSERT_EQ('D', ckpt_wait_state(v, 'D', TMO_READY));

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(v, flags[i], &imgfd, self->klog,
				      sizeof(self->klog));
		err = errno;
		close(imgfd);
		ASSERT_EQ(-1, ret) {
			TH_LOG("flags %#lx: the checkpoint succeeded",
			       flags[i]);
		}
		EXPECT_EQ(EOPNOTSUPP, err) {
			TH_LOG("flags %#lx: %s", flags[i], strerror(err));
		}
		EXPECT_NE(NULL, strcasestr(self->klog, "vfork")) {
			TH_LOG("flags %#lx: the log does not say vfork: %s",
			       flags[i], self->klog);
		}
		EXPECT_TRUE(ckpt_has_num(self->klog, "", c) ||
			    ckpt_has_num(self->klog, "", v)) {
			TH_LOG("flags %#lx: the log names neither %d nor %d",
			       flags[i], v, c);
		}
		EXPECT_EQ(0, waitpid(v, &status, WNOHANG | WUNTRACED));
		EXPECT_EQ('D', ckpt_wait_state(v, 'D', 1000));
		EXPECT_EQ('S', ckpt_wait_state(c, 'S', 1000));
	}
	TH_LOG("kernel log: %s", self->klog);
	self->klog[0] = '\0';

	/* the vfork child dies: the parent resumes, reaps it, exits 0 */
	ASSERT_EQ(0, kill(c, SIGKILL));
	expect_exit0(_metadata, v);
	EXPECT_TRUE(gone(c));
}

/* --- a tree that changes all the time --- */

#define CNT_LEN		11	/* "%010lu\n" */
#define LOOP_CKPTS	50

static unsigned long loop_count;

static int loop_write(int fd)
{
	char buf[CNT_LEN + 1];

	snprintf(buf, sizeof(buf), "%010lu\n", loop_count);
	return pwrite(fd, buf, CNT_LEN, 0) == CNT_LEN ? 0 : -1;
}

/*
 * Fork a child that exits at once, reap it, count; until SIGUSR1.  The
 * blocking waitpid() is on purpose (checkpoints catch the root in it);
 * the test's waits on the counter are bounded.
 */
static int fork_loop_root(void *arg)
{
	const char *path = arg;
	struct sigaction sa = { .sa_handler = ckpt_go_handler };
	int fd, st;
	pid_t c, r;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	sigemptyset(&sa.sa_mask);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || sigaction(SIGUSR1, &sa, NULL) || loop_write(fd))
		return 98;
	ckpt_child_ready();
	while (!ckpt_go) {
		c = fork();
		if (c == 0)
			_exit(0);
		if (c < 0) {
			ckpt_child_log("fork: %s", strerror(errno));
			return 2;
		}
		do {
			r = waitpid(c, &st, 0);
		} while (r < 0 && errno == EINTR);
		if (r != c || !WIFEXITED(st) || WEXITSTATUS(st)) {
			ckpt_child_log("child %d: waitpid %d status %#x", c, r,
				       st);
			return 3;
		}
		loop_count++;
		if (loop_write(fd))
			return 4;
	}
	ckpt_child_log("stopped at %lu", loop_count);
	CKPT_CHILD_CHECK(5, waitpid(-1, &st, WNOHANG | __WALL) == -1 &&
			    errno == ECHILD);
	return 0;
}

static long loop_read(const char *path)
{
	char a[CNT_LEN + 1], b[CNT_LEN + 1];
	int fd, tries;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (tries = 0; tries < 100; tries++) {
		if (pread(fd, a, CNT_LEN, 0) != CNT_LEN ||
		    pread(fd, b, CNT_LEN, 0) != CNT_LEN)
			break;
		if (!memcmp(a, b, CNT_LEN)) {
			close(fd);
			a[CNT_LEN] = '\0';
			return strtol(a, NULL, 10);
		}
	}
	close(fd);
	return -1;
}

/* Wait up to @ms for the counter to reach @min; its last value. */
static long loop_wait(const char *path, long min, int ms)
{
	long v = -1;
	int waited;

	for (waited = 0; waited <= ms; waited += 5) {
		v = loop_read(path);
		if (v >= min)
			break;
		usleep(5000);
	}
	return v;
}

/*
 * The tree of an image of fork_loop_root: the root, then at most one
 * child (running or a zombie).  Returns the number of tasks or -1.
 */
static int check_loop_tree(struct __test_metadata *_metadata, int fd,
			   pid_t root, struct ckpt_tree_entry *ent)
{
	int n;

	n = image_tree(fd, ent, MAX_ENTRIES);
	EXPECT_TRUE(n == 1 || n == 2) {
		TH_LOG("%d tasks in the image", n);
	}
	if (n != 1 && n != 2)
		return -1;
	EXPECT_EQ(root, ent[0].pid);
	EXPECT_EQ(root, ent[0].tgid);
	EXPECT_EQ(0, ent[0].ppid);
	EXPECT_EQ(0U, ent[0].flags & (CKPT_TREE_THREAD | CKPT_TREE_ZOMBIE));
	if (n == 2) {
		EXPECT_NE(root, ent[1].pid);
		EXPECT_EQ(ent[1].pid, ent[1].tgid);
		EXPECT_EQ(root, ent[1].ppid);
		EXPECT_EQ(0U, ent[1].flags & CKPT_TREE_THREAD);
	}
	return n;
}

/* A child of the loop killed with the tree, or already exited (0). */
static int loop_status_ok(pid_t pid, int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F_TIMEOUT(tree, fork_loop, 200)
{
	struct ckpt_tree_entry ent[MAX_ENTRIES];
	char cnt[PATH_MAX];
	int i, n, ok = 0, again = 0, other = 0, imgfd, status = 0;
	pid_t root, pids[2];
	long id, last = 0, c0, c_kill, v;

	snprintf(cnt, sizeof(cnt), "%s/count", self->dir);
	root = ckpt_spawn(fork_loop_root, cnt, self->log);
	ASSERT_LT(0, root);
	track(self, root);
	ASSERT_EQ(0, ckpt_wait_ready(root, TMO_READY));
	ASSERT_LE(10, loop_wait(cnt, 10, TMO_READY));

	for (i = 0; i < LOOP_CKPTS; i++) {
		id = ckpt_checkpoint(root, 0, &imgfd, self->klog,
				     sizeof(self->klog));
		if (id > 0) {
			ok++;
			EXPECT_LT(last, id);
			last = id;
			check_loop_tree(_metadata, imgfd, root, ent);
		} else if (errno == EAGAIN) {
			again++;
		} else {
			if (!other++)
				TH_LOG("checkpoint %d: %s; kernel log: %s", i,
				       strerror(errno), self->klog);
		}
		close(imgfd);
	}
	TH_LOG("%d checkpoints: %d images, %d EAGAIN, %d other errors",
	       LOOP_CKPTS, ok, again, other);
	EXPECT_EQ(0, other);
	ASSERT_LE(1, ok);
	self->klog[0] = '\0';

	/* it runs on */
	ASSERT_EQ(0, waitpid(root, &status, WNOHANG)) {
		TH_LOG("the root exited: status %#x", status);
	}
	c0 = loop_read(cnt);
	ASSERT_LE(c0 + 10, loop_wait(cnt, c0 + 10, TMO_READY));

	/* the last one kills it */
	for (i = 0; i < 1000; i++) {
		id = ckpt_checkpoint(root, CKPT_KILL, &self->imgfd, self->klog,
				     sizeof(self->klog));
		if (id > 0 || errno != EAGAIN)
			break;
		close(self->imgfd);
		self->imgfd = -1;
		usleep(1000);
	}
	ASSERT_LT(0, id) {
		TH_LOG("checkpoint with CKPT_KILL (try %d): %s", i,
		       strerror(errno));
	}
	n = check_loop_tree(_metadata, self->imgfd, root, ent);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		pids[i] = ent[i].pid;
		track(self, pids[i]);
	}
	ASSERT_EQ(root, pids[0]);
	reap_killed(_metadata, pids, 1, NULL);
	if (n == 2)
		reap_killed(_metadata, pids + 1, 1, loop_status_ok);
	c_kill = loop_read(cnt);
	ASSERT_LE(0, c_kill);

	restart(_metadata, self, root);
	v = loop_wait(cnt, c_kill + 20, TMO_EXIT);
	ASSERT_LE(c_kill + 20, v) {
		TH_LOG("the counter went from %ld to %ld only", c_kill, v);
	}
	ASSERT_EQ(0, kill(root, SIGUSR1));
	ASSERT_EQ(root, ckpt_waitpid(root, &status, TMO_EXIT));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("root status %#x", status);
	}
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno);
}

TEST_HARNESS_MAIN
