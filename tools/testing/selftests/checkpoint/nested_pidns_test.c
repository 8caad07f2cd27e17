// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of a tree with pid namespaces below its own.
 *
 * The tree of P, in the test's pid namespace (plain) or as the init of a
 * namespace of its own (container):
 *
 *   P
 *   +- X      unshare(CLONE_NEWPID), then forks Y and D into namespace 1
 *   |  +- Y   init of namespace 1 (pid 1); forks a child that exits
 *   |  |  |   (pid 2), C, then unshares and forks G
 *   |  |  +- C   pid 3 in namespace 1, with a thread T (pid 4)
 *   |  |  +- G   init of namespace 2: pid 5 in namespace 1, 1 in 2
 *   |  +- D   pid 6 in namespace 1, its parent X outside it
 *   +- E      unshare(CLONE_NEWPID) and no child yet: an empty namespace
 *   +- F      created by clone(CLONE_NEWPID): init of a namespace, while
 *             P goes on creating its children in its own
 *
 * After checkpoint, kill and restart: every task has the same pids at
 * every level below the tree's (NSpid, and the same pid in the tree's
 * namespace in plain mode); each task's pid namespace and namespace for
 * children are the same ones relative to the others (compared as the
 * order in which their inode numbers first appear); E's namespace for
 * children is still one without an init (which /proc does not show),
 * and E, asked to, forks a child that is pid 1 there.
 *
 * Refused with EOPNOTSUPP and a message: C on its own (the other tasks
 * of namespace 1 are not in its tree), and a process whose namespace for
 * children lost its init.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_MS		20000

enum { R_P, R_X, R_Y, R_C, R_T, R_G, R_D, R_E, R_F, NR_ROLES };

static const char * const role_name[NR_ROLES] = {
	"P", "X", "Y", "C", "T", "G", "D", "E", "F",
};

/* NSpid below the tree's namespace, as restored; "" for none */
static const char * const want_below[NR_ROLES] = {
	"", "", "1", "3", "4", "5 1", "6", "", "1",
};

static const char *out_dir;

static void *thread_fn(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void on_usr1(int sig)
{
}

/* E, asked by SIGUSR1: fork a child that records its pid, and reap it */
static void e_serve(void)
{
	char path[128], line[16];
	sigset_t set, none;
	int fd, n, status;
	pid_t c;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&none);
	for (;;) {
		sigsuspend(&none);
		c = fork();
		if (c == 0) {
			snprintf(path, sizeof(path), "%s/E.child", out_dir);
			n = snprintf(line, sizeof(line), "%d\n", getpid());
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			_exit(fd < 0 || write(fd, line, n) != n);
		}
		if (c < 0 || waitpid(c, &status, 0) != c)
			_exit(30);
	}
}

/*
 * Fork (clone with @flags) a task that runs @fn, tells it is ready, then
 * runs @serve (pauses for ever if NULL); its pid or -1
 */
static pid_t role_clone(unsigned long flags, void (*fn)(void),
			void (*serve)(void))
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close(p[0]);
		fn();
		if (write(p[1], "r", 1) != 1)
			_exit(31);
		close(p[1]);
		if (serve)
			serve();
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1)
		pid = -1;
	close(p[0]);
	return pid;
}

static pid_t role_fork(void (*fn)(void), void (*serve)(void))
{
	return role_clone(0, fn, serve);
}

static void leaf_fn(void)
{
}

static void c_fn(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_fn, NULL))
		_exit(32);
}

/* Pid 2 of namespace 1 is used and freed: pids there are not dense */
static void y_fn(void)
{
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	if (gone != 2 || waitpid(gone, NULL, 0) != gone)
		_exit(33);
	if (role_fork(c_fn, NULL) < 0 || unshare(CLONE_NEWPID) ||
	    role_fork(leaf_fn, NULL) < 0)
		_exit(33);
}

static void x_fn(void)
{
	if (unshare(CLONE_NEWPID) || role_fork(y_fn, NULL) < 0 ||
	    role_fork(leaf_fn, NULL) < 0)
		_exit(34);
}

static void e_fn(void)
{
	if (unshare(CLONE_NEWPID))
		_exit(35);
}

static void p_setup(void)
{
	if (role_fork(x_fn, NULL) < 0 || role_fork(e_fn, e_serve) < 0 ||
	    role_clone(CLONE_NEWPID, leaf_fn, NULL) < 0)
		_exit(36);
}

static int plain_root(void *arg)
{
	out_dir = arg;
	if (ckpt_unmap_shared_anon() < 0)
		return 20;
	p_setup();
	ckpt_child_ready();
	for (;;)
		pause();
}

static void p_container_fn(void)
{
	p_setup();
}

/* The init of a namespace of its own is P */
static int container_root(void *arg)
{
	int status;
	pid_t p;

	out_dir = arg;
	if (ckpt_unmap_shared_anon() < 0 || unshare(CLONE_NEWPID))
		return 20;
	p = role_fork(p_container_fn, NULL);
	if (p < 0)
		return 21;
	ckpt_child_ready();
	if (waitpid(p, &status, 0) != p)
		return 22;
	return 0;
}

/* Q unshares, forks the init of the new namespace, which exits: reaped */
static int dead_ns_root(void *arg)
{
	pid_t c;

	if (ckpt_unmap_shared_anon() < 0 || unshare(CLONE_NEWPID))
		return 20;
	c = fork();
	if (c == 0)
		_exit(0);
	if (c < 0 || waitpid(c, NULL, 0) != c)
		return 21;
	ckpt_go_wait(1);
	return 0;
}

struct snap {
	pid_t pid[NR_ROLES];
	char nspid[NR_ROLES][128];
	unsigned long ino[NR_ROLES][2];
	char labels[NR_ROLES * 8];
};

/* The @n-th child of @pid (from 0), or -1 */
static pid_t nth_child(pid_t pid, int n)
{
	char name[40], buf[256], *p = buf;

	snprintf(name, sizeof(name), "task/%d/children", pid);
	if (ckpt_proc_read(pid, name, buf, sizeof(buf)) <= 0)
		return -1;
	while (n-- > 0 && p) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	return p && *p >= '0' && *p <= '9' ? atoi(p) : -1;
}

/* The thread of @pid other than its leader, or -1 */
static pid_t other_thread(pid_t pid)
{
	char path[40];
	struct dirent *d;
	pid_t tid = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (atoi(d->d_name) > 0 && atoi(d->d_name) != pid)
			tid = atoi(d->d_name);
	closedir(dir);
	return tid;
}

static unsigned long ns_ino(pid_t pid, pid_t tid, const char *name)
{
	char path[80];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/%s", pid, tid, name);
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * Each task's pid namespace and namespace for children, as numbers in
 * the order they first appear: equal strings, equal relations.
 */
static void make_labels(struct snap *s)
{
	unsigned long seen[NR_ROLES * 2];
	int i, j, k, n = 0;
	char *p = s->labels;

	for (i = 0; i < NR_ROLES; i++) {
		for (j = 0; j < 2; j++) {
			if (!s->ino[i][j]) {
				p += sprintf(p, "-%c", j ? ' ' : '/');
				continue;
			}
			for (k = 0; k < n && seen[k] != s->ino[i][j]; k++)
				;
			if (k == n)
				seen[n++] = s->ino[i][j];
			p += sprintf(p, "%d%c", k, j ? ' ' : '/');
		}
	}
}

/*
 * Find the tasks from P down and read their pids and namespaces; @skip:
 * the levels of NSpid above the tree's namespace, the tree's included.
 */
static int take_snap(pid_t p, int skip, struct snap *s)
{
	char status[2048], field[128], *sp;
	int i, l;

	memset(s, 0, sizeof(*s));
	s->pid[R_P] = p;
	s->pid[R_X] = nth_child(p, 0);
	s->pid[R_E] = nth_child(p, 1);
	s->pid[R_F] = nth_child(p, 2);
	s->pid[R_Y] = nth_child(s->pid[R_X], 0);
	s->pid[R_D] = nth_child(s->pid[R_X], 1);
	s->pid[R_C] = nth_child(s->pid[R_Y], 0);
	s->pid[R_G] = nth_child(s->pid[R_Y], 1);
	s->pid[R_T] = other_thread(s->pid[R_C]);
	for (i = 0; i < NR_ROLES; i++) {
		pid_t leader = i == R_T ? s->pid[R_C] : s->pid[i];
		char name[40];

		if (s->pid[i] <= 0) {
			printf("# %s not found\n", role_name[i]);
			return -1;
		}
		snprintf(name, sizeof(name), "task/%d/status", s->pid[i]);
		if (ckpt_proc_read(leader, name, status, sizeof(status)) <= 0 ||
		    ckpt_proc_field(status, "NSpid", field, sizeof(field))) {
			printf("# %s (%d): no NSpid\n", role_name[i], s->pid[i]);
			return -1;
		}
		sp = field;
		for (l = 0; l < skip && sp; l++) {
			sp = strchr(sp, '\t');
			sp = sp ? sp + 1 : NULL;
		}
		snprintf(s->nspid[i], sizeof(s->nspid[i]), "%s", sp ?: "");
		for (sp = s->nspid[i]; (sp = strchr(sp, '\t')); )
			*sp = ' ';
		s->ino[i][0] = ns_ino(leader, s->pid[i], "pid");
		s->ino[i][1] = ns_ino(leader, s->pid[i], "pid_for_children");
		/* Unreadable (0) while it has no init: only E's */
		if (!s->ino[i][0] || (!s->ino[i][1] && i != R_E)) {
			printf("# %s (%d): no pid namespace\n", role_name[i],
			       s->pid[i]);
			return -1;
		}
	}
	make_labels(s);
	return 0;
}

FIXTURE(nested) {
	char dir[64];
	char logpath[96];
	pid_t spawned;	/* the test's child: P, or the parent of P */
	pid_t p;
	pid_t restored;
};

FIXTURE_VARIANT(nested) {
	bool container;
};

FIXTURE_VARIANT_ADD(nested, plain) {
	.container = false,
};

FIXTURE_VARIANT_ADD(nested, container) {
	.container = true,
};

FIXTURE_SETUP(nested)
{
	strcpy(self->dir, "/tmp/ckpt-nested.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->logpath, sizeof(self->logpath), "%s/log", self->dir);
	self->spawned = -1;
	self->p = -1;
	self->restored = -1;
}

FIXTURE_TEARDOWN(nested)
{
	char cmd[128];

	if (self->restored > 0)
		kill(self->restored, SIGKILL);
	if (self->p > 0)
		kill(self->p, SIGKILL);
	if (self->spawned > 0)
		kill(self->spawned, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* Kill every task of the tree: the inits take their namespaces along */
static void kill_tree(const struct snap *s)
{
	kill(s->pid[R_Y], SIGKILL);
	kill(s->pid[R_X], SIGKILL);
	kill(s->pid[R_E], SIGKILL);
	kill(s->pid[R_F], SIGKILL);
	kill(s->pid[R_P], SIGKILL);
}

/* Are the pids and namespaces those of the tree described above? */
static bool snap_ok(const struct snap *s)
{
	bool ok = true;
	int i;

	for (i = 0; i < NR_ROLES; i++) {
		if (strcmp(want_below[i], s->nspid[i])) {
			printf("# %s: NSpid below the tree's: '%s', not '%s'\n",
			       role_name[i], s->nspid[i], want_below[i]);
			ok = false;
		}
	}
	/*
	 * P/X/E: the tree's namespace; X creates in 1, the namespace of Y,
	 * C, T and D; Y creates in 2, G's; E in an empty one, which
	 * /proc does not show until it has an init; F is in and creates
	 * in one of its own.
	 */
	if (strcmp("0/0 0/1 1/2 1/1 1/1 2/2 1/1 0/- 3/3 ", s->labels)) {
		printf("# namespaces: '%s'\n", s->labels);
		ok = false;
	}
	return ok;
}

TEST_F_TIMEOUT(nested, cycle, 120)
{
	char log[CKPT_LOG_MAX], path[128], buf[32];
	int skip = variant->container ? 2 : 1;
	struct snap before, after;
	int imgfd, fd, t, status;
	long ret;

	self->spawned = ckpt_spawn(variant->container ? container_root :
				   plain_root, self->dir, self->logpath);
	ASSERT_LT(0, self->spawned);
	ASSERT_EQ(0, ckpt_wait_ready(self->spawned, TMO_MS)) {
		ckpt_dump_log(self->logpath);
	}
	self->p = variant->container ? nth_child(self->spawned, 0) :
				       self->spawned;
	ASSERT_LT(0, self->p);
	ASSERT_EQ(0, take_snap(self->p, skip, &before));
	EXPECT_TRUE(snap_ok(&before));

	/* C alone: the rest of namespace 1 is not in its tree */
	ret = ckpt_checkpoint(before.pid[R_C], 0, &imgfd, log, sizeof(log));
	close(imgfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_NE(NULL, strstr(log, "not in the tree")) {
		TH_LOG("log: %s", log);
	}

	ret = ckpt_checkpoint(self->p, CKPT_KILL, &imgfd, log, sizeof(log));
	ASSERT_LT(0, ret) {
		TH_LOG("checkpoint: %s; log: %s", strerror(errno), log);
	}
	ASSERT_EQ(0, ckpt_ckptinfo(imgfd));
	if (variant->container) {
		ASSERT_EQ(self->spawned,
			  ckpt_waitpid(self->spawned, &status, TMO_MS));
		self->spawned = -1;
	} else {
		ASSERT_EQ(self->p, ckpt_waitpid(self->p, &status, TMO_MS));
		self->spawned = -1;
	}
	self->p = -1;

	self->restored = ckpt_restart(imgfd, variant->container ?
				      RSTR_PIDNS : 0, log, sizeof(log));
	close(imgfd);
	ASSERT_LT(0, self->restored) {
		TH_LOG("restart: %s; log: %s", strerror(errno), log);
	}
	if (!variant->container)
		EXPECT_EQ(before.pid[R_P], self->restored);
	ASSERT_EQ(0, take_snap(self->restored, skip, &after));
	EXPECT_TRUE(snap_ok(&after));
	if (!variant->container)
		EXPECT_EQ(0, memcmp(before.pid, after.pid, sizeof(before.pid)));

	/* E's next child is the init of E's namespace */
	ASSERT_EQ(0, kill(after.pid[R_E], SIGUSR1));
	snprintf(path, sizeof(path), "%s/E.child", self->dir);
	for (t = 0; t < TMO_MS / 10 && access(path, F_OK); t++)
		usleep(10000);
	usleep(50000);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	memset(buf, 0, sizeof(buf));
	ckpt_read_all(fd, buf, sizeof(buf));
	close(fd);
	EXPECT_STREQ("1\n", buf);

	kill_tree(&after);
	ckpt_waitpid(self->restored, NULL, TMO_MS);
	self->restored = -1;
}

TEST(dead_namespace_for_children)
{
	char log[CKPT_LOG_MAX], logpath[64];
	int imgfd;
	pid_t q;
	long ret;

	snprintf(logpath, sizeof(logpath), "/tmp/ckpt-deadns.%d.log",
		 getpid());
	q = ckpt_spawn(dead_ns_root, NULL, logpath);
	ASSERT_LT(0, q);
	ASSERT_EQ(0, ckpt_wait_ready(q, TMO_MS));
	ret = ckpt_checkpoint(q, 0, &imgfd, log, sizeof(log));
	close(imgfd);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_NE(NULL, strstr(log, "whose init has exited")) {
		TH_LOG("log: %s", log);
	}
	EXPECT_TRUE(ckpt_has_num(log, "pid ", q)) {
		TH_LOG("log: %s", log);
	}
	kill(q, SIGKILL);
	ckpt_waitpid(q, NULL, TMO_MS);
	unlink(logpath);
}

TEST_HARNESS_MAIN
