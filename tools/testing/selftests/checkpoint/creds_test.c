// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of credentials and per-process attributes, and the
 * permission check of checkpoint().
 *
 * restore: a child (started as root) sets securebits, supplementary
 * groups, distinct real/effective/saved/fs gids and uids, drops some
 * capabilities from its bounding set, sets distinct inheritable,
 * permitted and effective sets and two ambient capabilities, a umask,
 * soft and hard limits of several resources, its name (PR_SET_NAME), a
 * nice value and a personality.  The parent compares /proc/PID/status
 * (Name, Umask, Uid, Gid, Groups, Cap*, NoNewPrivs), /proc/PID/limits,
 * the nice field of /proc/PID/stat and /proc/PID/personality with what
 * they were before the checkpoint and with the values set; the restored
 * child reads them back with getresuid() and friends and checks that
 * they work: files it creates get its fsuid, fsgid and umask, CAP_CHOWN
 * and CAP_KILL are effective and CAP_DAC_OVERRIDE (only permitted) is
 * not.
 *
 * permissions: an unprivileged process (uid 65534) cannot checkpoint a
 * root process nor a process of another uid (EPERM, with or without
 * CKPT_KILL; the target keeps running), while it can checkpoint a child
 * of its own (a sleep(1)) and root can checkpoint both targets.
 */
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <sys/fsuid.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	10000
#define TMO_EXIT	20000

#define CAP(c)		(1ULL << (c))

/* The state the child sets */
#define RUID		1001
#define EUID		1002
#define SUID		1003
#define FSUID		1004
#define RGID		1101
#define EGID		1102
#define SGID		1103
#define FSGID		1104
static const gid_t groups[] = { 2001, 2002, 2003 };

#define SECBITS		(SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | \
			 SECBIT_KEEP_CAPS)
#define CAPS_BSET_DROP	(CAP(CAP_SYS_BOOT) | CAP(CAP_MKNOD) | \
			 CAP(CAP_WAKE_ALARM) | CAP(CAP_BLOCK_SUSPEND))
#define CAPS_PRM	(CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | \
			 CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE) | \
			 CAP(CAP_SYS_NICE) | CAP(CAP_AUDIT_READ))
#define CAPS_EFF	(CAP(CAP_CHOWN) | CAP(CAP_KILL) | CAP(CAP_AUDIT_READ))
#define CAPS_INH	(CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE) | \
			 CAP(CAP_SYS_NICE) | CAP(CAP_AUDIT_READ))
#define CAPS_AMB	(CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_AUDIT_READ))
#define UMASK		027
#define COMM		"ckpt-creds-kid"
#define NICE		7
#define PERSONA		(PER_LINUX | UNAME26 | ADDR_NO_RANDOMIZE | \
			 WHOLE_SECONDS)

static const struct {
	int res;
	const char *name;	/* in /proc/PID/limits */
	rlim_t cur, max;
} limits[] = {
	{ RLIMIT_NOFILE, "Max open files",         200,       300 },
	{ RLIMIT_STACK,  "Max stack size",    6 << 20,  12 << 20 },
	{ RLIMIT_CORE,   "Max core file size",    4096,      8192 },
	{ RLIMIT_AS,     "Max address space", 1UL << 30, 2UL << 30 },
	{ RLIMIT_CPU,    "Max cpu time",          1000,      2000 },
	{ RLIMIT_MSGQUEUE, "Max msgqueue size",   4096,      8192 },
};

struct creds_arg {
	const char *dir;
	int last_cap;
	uint64_t bset;		/* bounding set wanted */
};

static int cap_last(void)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return CAP_LAST_CAP;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	return atoi(buf);
}

/* The bounding set of the caller */
static uint64_t own_bset(void)
{
	char buf[4096], val[64];

	if (ckpt_proc_read(0, "status", buf, sizeof(buf)) <= 0 ||
	    ckpt_proc_field(buf, "CapBnd", val, sizeof(val)))
		return 0;
	return strtoull(val, NULL, 16);
}

static int capset3(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ eff >> 32, prm >> 32, inh >> 32 },
	};

	return syscall(SYS_capset, &hdr, d);
}

static int capget3(uint64_t *eff, uint64_t *prm, uint64_t *inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d))
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

/* Set up everything; 0 or a setup error code (>= 80). */
static int set_creds(int last_cap)
{
	struct rlimit rl;
	unsigned int i;
	int c;

	if (prctl(PR_SET_SECUREBITS, SECBITS, 0, 0, 0))
		return 80;
	if (setgroups(ARRAY_SIZE(groups), groups))
		return 81;
	if (setresgid(RGID, EGID, SGID))
		return 82;
	setfsgid(FSGID);
	if (setfsgid(-1) != FSGID)
		return 83;
	if (setresuid(RUID, EUID, SUID))
		return 84;
	setfsuid(FSUID);
	if (setfsuid(-1) != FSUID)
		return 85;
	/* SECBIT_NO_SETUID_FIXUP kept every capability so far */
	for (c = 0; c <= last_cap; c++)
		if ((CAPS_BSET_DROP & CAP(c)) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0))
			return 86;
	if (setpriority(PRIO_PROCESS, 0, NICE))
		return 87;
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		rl.rlim_cur = limits[i].cur;
		rl.rlim_max = limits[i].max;
		if (setrlimit(limits[i].res, &rl))
			return 88;
	}
	if (capset3(CAPS_EFF, CAPS_PRM, CAPS_INH))
		return 89;
	for (c = 0; c <= last_cap; c++)
		if ((CAPS_AMB & CAP(c)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			return 90;
	umask(UMASK);
	if (prctl(PR_SET_NAME, COMM, 0, 0, 0))
		return 91;
	if (personality(PERSONA) < 0 || personality(0xffffffff) != PERSONA)
		return 92;
	return 0;
}

static int creds_child(void *arg)
{
	const struct creds_arg *ca = arg;
	uid_t r, e, s;
	gid_t rg, eg, sg, gl[16];
	uint64_t eff, prm, inh;
	char path[PATH_MAX], comm[17] = "";
	struct utsname uts;
	struct rlimit rl;
	struct stat st;
	unsigned int i;
	int c, fd, ret;
	mode_t um;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	ret = set_creds(ca->last_cap);
	if (ret) {
		ckpt_child_log("setup failed: %d (errno %d)", ret, errno);
		return ret;
	}
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, !getresuid(&r, &e, &s));
	ckpt_child_log("uids %d %d %d fsuid %d", r, e, s, setfsuid(-1));
	CKPT_CHILD_CHECK(2, r == RUID && e == EUID && s == SUID);
	CKPT_CHILD_CHECK(3, setfsuid(-1) == FSUID);
	CKPT_CHILD_CHECK(4, !getresgid(&rg, &eg, &sg));
	CKPT_CHILD_CHECK(5, rg == RGID && eg == EGID && sg == SGID);
	CKPT_CHILD_CHECK(6, setfsgid(-1) == FSGID);
	CKPT_CHILD_CHECK(7, getgroups(16, gl) == ARRAY_SIZE(groups));
	for (i = 0; i < ARRAY_SIZE(groups); i++)
		CKPT_CHILD_CHECK(8, gl[i] == groups[i]);

	CKPT_CHILD_CHECK(9, !capget3(&eff, &prm, &inh));
	ckpt_child_log("caps eff %#llx prm %#llx inh %#llx",
		       (unsigned long long)eff, (unsigned long long)prm,
		       (unsigned long long)inh);
	CKPT_CHILD_CHECK(10, eff == CAPS_EFF && prm == CAPS_PRM &&
			     inh == CAPS_INH);
	for (c = 0; c <= ca->last_cap; c++) {
		CKPT_CHILD_CHECK(11, prctl(PR_CAPBSET_READ, c, 0, 0, 0) ==
				     !!(ca->bset & CAP(c)));
		CKPT_CHILD_CHECK(12, prctl(PR_CAP_AMBIENT,
					   PR_CAP_AMBIENT_IS_SET, c, 0, 0) ==
				     !!(CAPS_AMB & CAP(c)));
	}
	CKPT_CHILD_CHECK(13, prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == SECBITS);

	um = umask(0);
	umask(um);
	CKPT_CHILD_CHECK(14, um == UMASK);
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		CKPT_CHILD_CHECK(15, !getrlimit(limits[i].res, &rl));
		CKPT_CHILD_CHECK(16, rl.rlim_cur == limits[i].cur &&
				     rl.rlim_max == limits[i].max);
	}
	CKPT_CHILD_CHECK(17, !prctl(PR_GET_NAME, comm, 0, 0, 0) &&
			     !strcmp(comm, COMM));
	errno = 0;
	CKPT_CHILD_CHECK(18, getpriority(PRIO_PROCESS, 0) == NICE && !errno);
	CKPT_CHILD_CHECK(19, personality(0xffffffff) == PERSONA);
	CKPT_CHILD_CHECK(20, !uname(&uts) && !strncmp(uts.release, "2.6.", 4));

	/* The credentials work: fsuid, fsgid and umask make new files */
	snprintf(path, sizeof(path), "%s/w/new", ca->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	CKPT_CHILD_CHECK(21, fd >= 0 && !fstat(fd, &st));
	CKPT_CHILD_CHECK(22, st.st_uid == FSUID && st.st_gid == FSGID &&
			     (st.st_mode & 07777) == (0666 & ~UMASK));
	/* CAP_CHOWN is effective */
	CKPT_CHILD_CHECK(23, !fchown(fd, 4321, -1));
	close(fd);
	/* CAP_DAC_OVERRIDE is permitted, not effective */
	snprintf(path, sizeof(path), "%s/secret", ca->dir);
	CKPT_CHILD_CHECK(24, open(path, O_RDONLY) < 0 && errno == EACCES);
	/* CAP_KILL is effective: the (root) parent can be signalled */
	CKPT_CHILD_CHECK(25, !kill(getppid(), 0));
	ckpt_child_log("all checks passed");
	return 0;
}

/* The lines of /proc/PID/status that hold credentials */
static const char * const status_keys[] = {
	"Name", "Umask", "Uid", "Gid", "Groups", "CapInh", "CapPrm",
	"CapEff", "CapBnd", "CapAmb", "NoNewPrivs",
};

#define NR_KEYS	ARRAY_SIZE(status_keys)

struct proc_creds {
	char status[NR_KEYS][128];
	char limits[4096];
	char personality[32];
	long nice;
};

static int read_creds(pid_t pid, struct proc_creds *pc)
{
	char buf[4096], *p;
	unsigned int i;
	int n;

	memset(pc, 0, sizeof(*pc));
	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0)
		return -1;
	for (i = 0; i < NR_KEYS; i++) {
		if (ckpt_proc_field(buf, status_keys[i], pc->status[i],
				    sizeof(pc->status[i])))
			return -1;
		/* "Groups:" ends with a blank */
		n = strlen(pc->status[i]);
		while (n && pc->status[i][n - 1] == ' ')
			pc->status[i][--n] = '\0';
	}
	if (ckpt_proc_read(pid, "limits", pc->limits, sizeof(pc->limits)) <= 0)
		return -1;
	if (ckpt_proc_read(pid, "personality", pc->personality,
			   sizeof(pc->personality)) <= 0)
		return -1;
	if (ckpt_proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	/* field 19; p points at field 3 */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;
	for (i = 3; i < 19 && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	pc->nice = strtol(p, NULL, 10);
	return 0;
}

static const char *status_of(const struct proc_creds *pc, const char *key)
{
	unsigned int i;

	for (i = 0; i < NR_KEYS; i++)
		if (!strcmp(status_keys[i], key))
			return pc->status[i];
	return "";
}

/* The "soft hard" numbers of the line @name of /proc/PID/limits */
static void limit_of(const struct proc_creds *pc, const char *name,
		     char *out, size_t size)
{
	const char *p = strstr(pc->limits, name);
	char soft[32] = "", hard[32] = "";

	if (p)
		sscanf(p + strlen(name), "%31s %31s", soft, hard);
	snprintf(out, size, "%s %s", soft, hard);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

FIXTURE(creds) {
	char dir[64];
	char log[80];
	pid_t pid;
	int imgfd;
};

FIXTURE_SETUP(creds)
{
	char path[PATH_MAX];
	int fd;

	self->pid = -1;
	self->imgfd = -1;
	strcpy(self->dir, "/tmp/ckpt-creds.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->log, sizeof(self->log), "%s.log", self->dir);
	snprintf(path, sizeof(path), "%s/w", self->dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, chmod(path, 01777));
	snprintf(path, sizeof(path), "%s/secret", self->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
}

FIXTURE_TEARDOWN(creds)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unlink(self->log);
}

TEST_F_TIMEOUT(creds, restore, 120)
{
	struct creds_arg arg = {
		self->dir, cap_last(), own_bset() & ~CAPS_BSET_DROP
	};
	static struct proc_creds pc0, pc1;
	char klog[CKPT_LOG_MAX], want[128], got[128];
	unsigned int i;
	int status = 0;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	self->pid = ckpt_spawn(creds_child, &arg, self->log);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(0, read_creds(self->pid, &pc0));

	/* The child did set what the test expects to see restored */
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d", RUID, EUID, SUID, FSUID);
	ASSERT_STREQ(want, status_of(&pc0, "Uid"));
	snprintf(want, sizeof(want), "%d\t%d\t%d\t%d", RGID, EGID, SGID, FSGID);
	ASSERT_STREQ(want, status_of(&pc0, "Gid"));
	snprintf(want, sizeof(want), "%d %d %d", groups[0], groups[1],
		 groups[2]);
	ASSERT_STREQ(want, status_of(&pc0, "Groups"));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)CAPS_INH);
	ASSERT_STREQ(want, status_of(&pc0, "CapInh"));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)CAPS_PRM);
	ASSERT_STREQ(want, status_of(&pc0, "CapPrm"));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)CAPS_EFF);
	ASSERT_STREQ(want, status_of(&pc0, "CapEff"));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)arg.bset);
	ASSERT_STREQ(want, status_of(&pc0, "CapBnd"));
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)CAPS_AMB);
	ASSERT_STREQ(want, status_of(&pc0, "CapAmb"));
	snprintf(want, sizeof(want), "%04o", UMASK);
	ASSERT_STREQ(want, status_of(&pc0, "Umask"));
	ASSERT_STREQ(COMM, status_of(&pc0, "Name"));
	snprintf(want, sizeof(want), "%08x\n", PERSONA);
	ASSERT_STREQ(want, pc0.personality);
	ASSERT_EQ(NICE, pc0.nice);
	for (i = 0; i < ARRAY_SIZE(limits); i++) {
		snprintf(want, sizeof(want), "%llu %llu",
			 (unsigned long long)limits[i].cur,
			 (unsigned long long)limits[i].max);
		limit_of(&pc0, limits[i].name, got, sizeof(got));
		ASSERT_STREQ(want, got);
	}

	pid = ckpt_cycle(self->pid, &self->imgfd, klog, sizeof(klog));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart failed: %s; kernel log:\n%s",
		       strerror(errno), klog);
		ckpt_dump_log(self->log);
	}

	/* The same as before, seen from outside */
	ASSERT_EQ(0, read_creds(pid, &pc1));
	for (i = 0; i < NR_KEYS; i++) {
		const char *key = status_keys[i];

		EXPECT_STREQ(pc0.status[i], pc1.status[i]) {
			TH_LOG("%s differs", key);
		}
	}
	EXPECT_STREQ(pc0.limits, pc1.limits);
	EXPECT_STREQ(pc0.personality, pc1.personality);
	EXPECT_EQ(pc0.nice, pc1.nice);

	/* ... and from inside */
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("child status %#x (exit code = failed check)", status);
		ckpt_dump_log(self->log);
	}
}

/* --- permissions --- */

#define NOBODY		65534
#define OTHER_UID	1234

/* Wait until @pid runs as @uid and sleeps; 0 or -1. */
static int wait_uid_asleep(pid_t pid, uid_t uid, int ms)
{
	char buf[4096], val[64], want[64];
	int waited;

	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	for (waited = 0; waited <= ms; waited += 10) {
		if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) > 0 &&
		    !ckpt_proc_field(buf, "Uid", val, sizeof(val)) &&
		    !strcmp(val, want) && ckpt_proc_state(pid) == 'S') {
			usleep(20000);	/* let it reach its wait */
			return 0;
		}
		usleep(10000);
	}
	return -1;
}

/* Wait up to a second for @pid to sleep; 0 or -1. */
static int wait_asleep(pid_t pid)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (ckpt_proc_state(pid) == 'S')
			return 0;
		usleep(10000);
	}
	return -1;
}

/* A target: optionally changes uid, then waits for SIGUSR1. */
static int target_child(void *arg)
{
	uid_t uid = (long)arg;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (uid) {
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			return 80;
		/* as if it had been started by that user */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			return 81;
	}
	ckpt_go_wait(1);
	CKPT_CHILD_CHECK(1, getuid() == uid && geteuid() == uid);
	return 0;
}

/*
 * A child of the attacker, of the same uid: sleep(1) (not this program,
 * which the attacker's uid may not be able to reach by its path), its
 * stdio on /dev/null.
 */
static void own_child(void)
{
	int fd = open("/dev/null", O_RDWR);

	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	syscall(SYS_close_range, 3, ~0U, 0);
	execlp("sleep", "sleep", "1000", (char *)NULL);
	_exit(127);
}

/* Wait until @pid runs sleep(1) and sleeps; 0 or -1. */
static int wait_sleep(pid_t pid)
{
	char comm[32];
	int i;

	for (i = 0; i < 1000; i++) {
		if (ckpt_proc_read(pid, "comm", comm, sizeof(comm)) > 0 &&
		    !strcmp(comm, "sleep\n") && ckpt_proc_state(pid) == 'S')
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * The attacker: as uid NOBODY, try to checkpoint @victims (EPERM expected
 * for each, with flags 0 and CKPT_KILL), then a child of its own (which
 * must work).  Exits 0 or with the number of the failed step.
 */
static int attacker(const pid_t *victims, int nr)
{
	char log[CKPT_LOG_MAX];
	static const unsigned long flags[] = { 0, CKPT_KILL };
	int i, j, imgfd, status;
	pid_t own;
	long ret;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 1;
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 2;
	for (i = 0; i < nr; i++) {
		for (j = 0; j < (int)ARRAY_SIZE(flags); j++) {
			ret = ckpt_checkpoint(victims[i], flags[j], &imgfd,
					      log, sizeof(log));
			close(imgfd);
			fprintf(stderr, "# uid %d: checkpoint(%d, %#lx): %ld (%s); kernel log: %s\n",
				NOBODY, victims[i], flags[j], ret,
				ret < 0 ? strerror(errno) : "",
				log);
			if (ret != -1 || errno != EPERM)
				return 10 + 2 * i + j;
			if (!log[0])
				return 20 + 2 * i + j;
		}
	}
	own = fork();
	if (own < 0)
		return 3;
	if (own == 0)
		own_child();
	if (wait_sleep(own)) {
		kill(own, SIGKILL);
		waitpid(own, &status, 0);
		return 5;
	}
	ret = ckpt_checkpoint(own, 0, &imgfd, log, sizeof(log));
	close(imgfd);
	if (ret <= 0)
		fprintf(stderr, "# uid %d: checkpoint(own child %d): %s; "
			"kernel log: %s\n", NOBODY, own, strerror(errno), log);
	kill(own, SIGKILL);
	waitpid(own, &status, 0);
	return ret > 0 ? 0 : 4;
}

TEST_F_TIMEOUT(creds, permissions, 120)
{
	pid_t victims[2], att;
	char klog[CKPT_LOG_MAX], log2[96];
	int i, status, imgfd;
	long ret;

	if (geteuid())
		SKIP(return, "needs root");
	snprintf(log2, sizeof(log2), "%s.2", self->log);
	victims[0] = self->pid = ckpt_spawn(target_child, (void *)0L,
					    self->log);
	ASSERT_GT(victims[0], 0);
	ASSERT_EQ(0, ckpt_wait_ready(victims[0], TMO_READY));
	victims[1] = ckpt_spawn(target_child, (void *)(long)OTHER_UID, log2);
	ASSERT_GT(victims[1], 0);
	/* it cannot signal root: wait for its uid and for it to sleep */
	EXPECT_EQ(0, wait_uid_asleep(victims[1], OTHER_UID, TMO_READY)) {
		ckpt_dump_log(log2);
	}

	att = fork();
	ASSERT_GE(att, 0);
	if (att == 0)
		_exit(attacker(victims, 2));
	ASSERT_EQ(att, ckpt_waitpid(att, &status, TMO_EXIT));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("attacker status %#x (see its messages above)",
		       status);
	}

	/* The victims are untouched; root can checkpoint them */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ckpt_waitpid(victims[i], &status, 0));
		EXPECT_EQ(0, wait_asleep(victims[i]));
		ret = ckpt_checkpoint(victims[i], 0, &imgfd, klog,
				      sizeof(klog));
		close(imgfd);
		EXPECT_GT(ret, 0) {
			TH_LOG("root: checkpoint(%d): %s; kernel log: %s",
			       victims[i], strerror(errno), klog);
		}
		EXPECT_EQ(0, kill(victims[i], SIGUSR1));
		EXPECT_EQ(victims[i], ckpt_waitpid(victims[i], &status,
						   TMO_EXIT));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("victim %d status %#x", i, status);
			ckpt_dump_log(i ? log2 : self->log);
		}
	}
	self->pid = -1;
	ckpt_kill_reap(victims[1]);
	unlink(log2);
}

TEST_HARNESS_MAIN
