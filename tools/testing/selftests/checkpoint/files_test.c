// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of open files, the working directory and the root.
 *
 * regular_files: a child opens files of a scratch directory in /tmp with
 * O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_NONBLOCK at chosen offsets,
 * with and without FD_CLOEXEC, at fd numbers with holes between them (up
 * to 1000), one open file twice through dup() (the copies keep their own
 * FD_CLOEXEC), one file opened twice independently, one with O_SYNC and
 * O_NOATIME, the directory itself, /dev/null, /dev/zero and /dev/urandom,
 * and moves to a subdirectory.
 * The parent records /proc/PID/fd, fdinfo and cwd, checkpoints the child
 * with CKPT_KILL and restarts it: the same fds must exist (no more), with
 * the same links and fdinfo (pos, flags, mnt_id, ino), and the files must
 * not have been truncated.  The restored child then checks every
 * descriptor itself: F_GETFL, F_GETFD, the offset, the data read at it,
 * that writes land where they should, that the dup()ed pair shares one
 * offset while the two independent opens do not, the directory listing
 * and its cwd.
 *
 * chroot: a chroot()ed child gets its root and cwd back.
 *
 * Both run twice: with the scratch directory on tmpfs, and as the root
 * of a fresh ext4 file system mounted from a loop device.  On ext4 the
 * child also holds a file open with O_DIRECT, which must still refuse
 * unaligned reads after the restart.
 *
 * refused: a child holding a userfaultfd, a socket (socketpair), a pidfd
 * or a block device (/dev/loop0) cannot be checkpointed: checkpoint()
 * fails with EOPNOTSUPP and a log that names the pid, the fd and the kind
 * of file, with flags 0, CKPT_KILL and CKPT_STOP, and the child is left
 * running (not killed, not stopped) with that file untouched.
 */
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define FILE_SIZE	8192
#define MAX_FD		1100	/* fds above the highest one used */
#define TMO_READY	10000
#define TMO_EXIT	20000
#define KO_LARGEFILE	0100000	/* the kernel's; glibc's is 0 on x86_64 */

/* Contents of the test files: byte @i of the file with @seed */
static unsigned char pat(int seed, long i)
{
	return (unsigned char)(i * 131 + seed * 17 + (i >> 8));
}

static int pat_ok(int seed, long off, const unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != pat(seed, off + i))
			return 0;
	return 1;
}

static int make_file(const char *path, int seed)
{
	unsigned char buf[FILE_SIZE];
	int fd, i;

	for (i = 0; i < FILE_SIZE; i++)
		buf[i] = pat(seed, i);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path);
}

/* --- regular files --- */

struct fd_spec {
	int fd;
	const char *path;	/* relative to the test directory or absolute */
	int flags;		/* open() flags */
	int seed;		/* contents pattern; -1: not a pattern file */
	long pos;		/* offset at the checkpoint (-1: not checked) */
	int cloexec;		/* FD_CLOEXEC */
	int dup_of;		/* a dup() of that fd (>= 0) instead of open() */
	int ext4_only;		/* tmpfs in 6.1 refuses O_DIRECT */
};

static const struct fd_spec specs[] = {
	{    4, "ro",     O_RDONLY,                 1, 1000, 0, -1, 0 },
	{    6, "wo",     O_WRONLY,                 2,   77, 0, -1, 0 },
	{    9, "rw",     O_RDWR,                   3, 4242, 0, -1, 0 },
	/* one byte is appended: the offset ends up at FILE_SIZE + 1 */
	{   10, "app",    O_WRONLY | O_APPEND,      4, FILE_SIZE + 1, 0, -1, 0 },
	{   13, "nb",     O_RDONLY | O_NONBLOCK,    5,    3, 0, -1, 0 },
	{   17, "cx",     O_RDWR | O_CLOEXEC,       6,    5, 1, -1, 0 },
	{   20, "ro",     O_RDONLY,                 1,   10, 0, -1, 0 },
	{   21, "ro",     O_RDONLY,                 1, 2000, 0, -1, 0 },
	{   40, "shared", O_RDWR,                   7,  300, 0, -1, 0 },
	{   41, NULL,     0,                        7,  300, 1, 40, 0 },
	{   50, ".",      O_RDONLY | O_DIRECTORY,  -1,   -1, 0, -1, 0 },
	{   60, "/dev/null",    O_RDWR,            -1,   -1, 0, -1, 0 },
	{   61, "/dev/zero",    O_RDONLY,          -1,   -1, 0, -1, 0 },
	{   62, "/dev/urandom", O_RDONLY,          -1,   -1, 1, -1, 0 },
	{   70, "direct", O_RDWR | O_DIRECT,       10, 4096, 0, -1, 1 },
	{   71, "sync",   O_WRONLY | O_SYNC | O_NOATIME, 11, 555, 0, -1, 0 },
	{  100, "high",   O_RDWR,                   8,  123, 0, -1, 0 },
	{ 1000, "ro",     O_RDONLY | O_CLOEXEC,     1, FILE_SIZE - 1, 1, -1, 0 },
};

#define NR_SPECS	((int)ARRAY_SIZE(specs))

/* The files of the test directory and their patterns */
static const struct { const char *name; int seed; } dir_files[] = {
	{ "ro", 1 }, { "wo", 2 }, { "rw", 3 }, { "app", 4 }, { "nb", 5 },
	{ "cx", 6 }, { "shared", 7 }, { "high", 8 }, { "direct", 10 },
	{ "sync", 11 },
};

/* The mode of the flags the checks look at */
#define CHECKED_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | \
			 O_SYNC | O_NOATIME)

/* Is the scratch directory on ext4 (set before the child is forked)? */
static int on_ext4;

static int spec_used(const struct fd_spec *s)
{
	return !s->ext4_only || on_ext4;
}

static int nr_used_specs(void)
{
	int i, n = 0;

	for (i = 0; i < NR_SPECS; i++)
		n += spec_used(&specs[i]);
	return n;
}

/* Per fd, what the child saw before the checkpoint */
struct fd_before {
	int getfl;
	int getfd;
	dev_t dev;
	ino_t ino;
};

static struct fd_before before[NR_SPECS];

static void spec_path(const char *dir, const struct fd_spec *s, char *buf,
		      size_t size)
{
	if (s->path[0] == '/')
		snprintf(buf, size, "%s", s->path);
	else if (!strcmp(s->path, "."))
		snprintf(buf, size, "%s", dir);
	else
		snprintf(buf, size, "%s/%s", dir, s->path);
}

static int is_spec_fd(int fd)
{
	int i;

	for (i = 0; i < NR_SPECS; i++)
		if (specs[i].fd == fd && spec_used(&specs[i]))
			return 1;
	return 0;
}

/* Open everything; returns 0 or a setup error code (>= 80). */
static int open_files(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int i, fd;

	for (i = 0; i < NR_SPECS; i++) {
		const struct fd_spec *s = &specs[i];
		int dflags = s->cloexec ? O_CLOEXEC : 0;

		if (!spec_used(s))
			continue;
		if (s->dup_of >= 0) {
			if (dup3(s->dup_of, s->fd, dflags) != s->fd)
				return 80;
		} else {
			spec_path(dir, s, path, sizeof(path));
			fd = open(path, s->flags);
			if (fd < 0)
				return 81;
			if (fd != s->fd) {
				if (dup3(fd, s->fd, dflags) != s->fd)
					return 82;
				close(fd);
			}
			if (s->flags & O_APPEND) {
				if (write(s->fd, "A", 1) != 1)
					return 83;
			} else if (s->pos >= 0 &&
				   lseek(s->fd, s->pos, SEEK_SET) != s->pos) {
				return 84;
			}
		}
		before[i].getfl = fcntl(s->fd, F_GETFL);
		before[i].getfd = fcntl(s->fd, F_GETFD);
		if (fstat(s->fd, &st))
			return 85;
		before[i].dev = st.st_dev;
		before[i].ino = st.st_ino;
		if (before[i].getfd != (s->cloexec ? FD_CLOEXEC : 0))
			return 86;
	}
	snprintf(path, sizeof(path), "%s/sub", dir);
	if (chdir(path))
		return 87;
	return 0;
}

/* Does the directory open at @fd list exactly the test files? */
static int dir_listing_ok(int fd)
{
	char buf[4096];
	unsigned int seen = 0, want;
	long n, off;
	int i;

	want = (1u << (ARRAY_SIZE(dir_files) + 3)) - 1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; ) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			int bit = -1;

			if (!strcmp(d->d_name, "."))
				bit = ARRAY_SIZE(dir_files);
			else if (!strcmp(d->d_name, ".."))
				bit = ARRAY_SIZE(dir_files) + 1;
			else if (!strcmp(d->d_name, "sub"))
				bit = ARRAY_SIZE(dir_files) + 2;
			for (i = 0; i < (int)ARRAY_SIZE(dir_files); i++)
				if (!strcmp(d->d_name, dir_files[i].name))
					bit = i;
			if (bit < 0 || (seen & (1u << bit))) {
				ckpt_child_log("unexpected entry %s", d->d_name);
				return 0;
			}
			seen |= 1u << bit;
			off += d->d_reclen;
		}
	}
	if (n < 0 || seen != want)
		ckpt_child_log("getdents64: %ld, seen %#x", n, seen);
	return n == 0 && seen == want;
}

static long pos_of(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

/* pread @n bytes at @off of the file @dir/@name into @buf */
static int pread_path(const char *dir, const char *name, void *buf, size_t n,
		      off_t off)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = pread(fd, buf, n, off);
	close(fd);
	return r == (ssize_t)n ? 0 : -1;
}

/* The restored O_DIRECT file at fd 70; 0, or -1 after logging why */
static int direct_ok(const char *dir)
{
	unsigned char *blk;
	int ok;

	if (posix_memalign((void **)&blk, 4096, 2 * 4096))
		return -1;
	ok = read(70, blk, 4096) == 4096 && pat_ok(10, 4096, blk, 4096);
	if (ok)
		ok = pos_of(70) == FILE_SIZE;
	/* the page cache is not in the way: misaligned I/O is refused */
	if (ok)
		ok = pread(70, blk + 1, 512, 0) < 0 && errno == EINVAL;
	if (ok) {
		memset(blk, 'D', 4096);
		ok = pwrite(70, blk, 4096, 0) == 4096;
	}
	if (ok)
		ok = !pread_path(dir, "direct", blk + 4096, 4096, 0) &&
		     !memcmp(blk, blk + 4096, 4096);
	if (!ok)
		ckpt_child_log("O_DIRECT fd 70: check failed (errno %d)",
			       errno);
	free(blk);
	return ok ? 0 : -1;
}

static int files_child(void *arg)
{
	const char *dir = arg;
	unsigned char buf[64], buf2[64];
	char path[PATH_MAX], cwd[PATH_MAX];
	struct stat st, st2;
	int i, ret;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	ret = open_files(dir);
	if (ret) {
		ckpt_child_log("setup failed: %d (errno %d)", ret, errno);
		return ret;
	}
	ckpt_go_wait(1);

	/* Every fd as before, with the expected flags and offset */
	for (i = 0; i < NR_SPECS; i++) {
		const struct fd_spec *s = &specs[i];
		int want = s->flags & CHECKED_FLAGS;

		if (!spec_used(s))
			continue;
		if (s->dup_of >= 0)
			want = specs[i - 1].flags & CHECKED_FLAGS;
		ckpt_child_log("fd %d: getfl %#o getfd %d pos %ld", s->fd,
			       fcntl(s->fd, F_GETFL), fcntl(s->fd, F_GETFD),
			       pos_of(s->fd));
		CKPT_CHILD_CHECK(1, fcntl(s->fd, F_GETFL) == before[i].getfl);
		CKPT_CHILD_CHECK(2, (fcntl(s->fd, F_GETFL) & CHECKED_FLAGS) ==
				    want);
		CKPT_CHILD_CHECK(3, fcntl(s->fd, F_GETFD) ==
				    (s->cloexec ? FD_CLOEXEC : 0));
		if (s->pos >= 0)
			CKPT_CHILD_CHECK(4, pos_of(s->fd) == s->pos);
		CKPT_CHILD_CHECK(5, !fstat(s->fd, &st));
		CKPT_CHILD_CHECK(6, st.st_dev == before[i].dev &&
				    st.st_ino == before[i].ino);
	}
	/* ... and no other fd */
	for (i = 3; i < MAX_FD; i++)
		if (!is_spec_fd(i))
			CKPT_CHILD_CHECK(7, fcntl(i, F_GETFD) < 0 &&
					    errno == EBADF);
	/* stdout and stderr are one open file */
	CKPT_CHILD_CHECK(8, !fstat(1, &st) && !fstat(2, &st2) &&
			    st.st_ino == st2.st_ino);
	CKPT_CHILD_CHECK(9, pos_of(1) == pos_of(2) && pos_of(1) > 0);

	/* fd 4: read-only at 1000 */
	CKPT_CHILD_CHECK(10, read(4, buf, 16) == 16 && pat_ok(1, 1000, buf, 16));
	CKPT_CHILD_CHECK(11, pos_of(4) == 1016);
	CKPT_CHILD_CHECK(12, write(4, "x", 1) < 0 && errno == EBADF);

	/* fd 20 and 21: the same file opened twice: separate offsets */
	CKPT_CHILD_CHECK(13, read(20, buf, 4) == 4 && pat_ok(1, 10, buf, 4));
	CKPT_CHILD_CHECK(14, pos_of(20) == 14 && pos_of(21) == 2000);
	CKPT_CHILD_CHECK(15, read(21, buf, 4) == 4 && pat_ok(1, 2000, buf, 4));
	CKPT_CHILD_CHECK(16, pos_of(4) == 1016 && pos_of(1000) == FILE_SIZE - 1);

	/* fd 1000: the last byte, then EOF */
	CKPT_CHILD_CHECK(17, read(1000, buf, 8) == 1 &&
			     pat_ok(1, FILE_SIZE - 1, buf, 1));

	/* fd 6: write-only at 77; the file was not truncated */
	CKPT_CHILD_CHECK(18, read(6, buf, 1) < 0 && errno == EBADF);
	CKPT_CHILD_CHECK(19, write(6, "WXYZ", 4) == 4 && pos_of(6) == 81);
	CKPT_CHILD_CHECK(20, !pread_path(dir, "wo", buf, 6, 76));
	CKPT_CHILD_CHECK(21, buf[0] == pat(2, 76) && !memcmp(buf + 1, "WXYZ", 4)
			     && buf[5] == pat(2, 81));
	CKPT_CHILD_CHECK(22, !fstat(6, &st) && st.st_size == FILE_SIZE);

	/* fd 9: read-write at 4242 */
	CKPT_CHILD_CHECK(23, read(9, buf, 8) == 8 && pat_ok(3, 4242, buf, 8));
	CKPT_CHILD_CHECK(24, write(9, "rw", 2) == 2 && pos_of(9) == 4252);
	CKPT_CHILD_CHECK(25, pread(9, buf, 3, 4249) == 3 &&
			     buf[0] == pat(3, 4249) && !memcmp(buf + 1, "rw", 2));

	/* fd 10: O_APPEND: a write goes to the end whatever the offset */
	CKPT_CHILD_CHECK(26, lseek(10, 5, SEEK_SET) == 5);
	CKPT_CHILD_CHECK(27, write(10, "Q", 1) == 1 &&
			     pos_of(10) == FILE_SIZE + 2);
	CKPT_CHILD_CHECK(28, !pread_path(dir, "app", buf, 3, FILE_SIZE - 1));
	CKPT_CHILD_CHECK(29, buf[0] == pat(4, FILE_SIZE - 1) &&
			     !memcmp(buf + 1, "AQ", 2));
	CKPT_CHILD_CHECK(30, !pread_path(dir, "app", buf, 8, 0) &&
			     pat_ok(4, 0, buf, 8));

	/* fd 13: O_NONBLOCK at 3 */
	CKPT_CHILD_CHECK(31, fcntl(13, F_GETFL) & O_NONBLOCK);
	CKPT_CHILD_CHECK(32, read(13, buf, 5) == 5 && pat_ok(5, 3, buf, 5));

	/* fd 17: close-on-exec, read-write at 5 */
	CKPT_CHILD_CHECK(33, read(17, buf, 3) == 3 && pat_ok(6, 5, buf, 3));

	/* fd 40, 41: one open file: one offset */
	CKPT_CHILD_CHECK(34, read(40, buf, 10) == 10 && pat_ok(7, 300, buf, 10));
	CKPT_CHILD_CHECK(35, pos_of(41) == 310);
	CKPT_CHILD_CHECK(36, read(41, buf, 10) == 10 && pat_ok(7, 310, buf, 10));
	CKPT_CHILD_CHECK(37, pos_of(40) == 320);
	CKPT_CHILD_CHECK(38, fcntl(40, F_GETFD) == 0 &&
			     fcntl(41, F_GETFD) == FD_CLOEXEC);

	/* fd 50: the directory */
	CKPT_CHILD_CHECK(39, dir_listing_ok(50));

	/* fd 60-62: character devices */
	CKPT_CHILD_CHECK(40, write(60, "hello", 5) == 5 && read(60, buf, 8) == 0);
	memset(buf, 0xff, sizeof(buf));
	CKPT_CHILD_CHECK(41, read(61, buf, 32) == 32);
	memset(buf2, 0, sizeof(buf2));
	CKPT_CHILD_CHECK(42, !memcmp(buf, buf2, 32));
	CKPT_CHILD_CHECK(43, read(62, buf, 32) == 32 && memcmp(buf, buf2, 32));
	CKPT_CHILD_CHECK(44, !fstat(60, &st) && S_ISCHR(st.st_mode) &&
			     st.st_rdev == (dev_t)makedev(1, 3));
	CKPT_CHILD_CHECK(45, !fstat(61, &st) && st.st_rdev == (dev_t)makedev(1, 5));
	CKPT_CHILD_CHECK(46, !fstat(62, &st) && st.st_rdev == (dev_t)makedev(1, 9));

	/* fd 100 */
	CKPT_CHILD_CHECK(47, read(100, buf, 4) == 4 && pat_ok(8, 123, buf, 4));

	/* fd 70: O_DIRECT at 4096: aligned I/O only */
	if (on_ext4 && direct_ok(dir) < 0)
		return 50;
	/* fd 71: O_SYNC | O_NOATIME, write-only at 555 */
	CKPT_CHILD_CHECK(51, write(71, "sync", 4) == 4 && pos_of(71) == 559);
	CKPT_CHILD_CHECK(52, !pread_path(dir, "sync", buf, 6, 554));
	CKPT_CHILD_CHECK(53, buf[0] == pat(11, 554) &&
			     !memcmp(buf + 1, "sync", 4) && buf[5] == pat(11, 559));

	/* cwd */
	snprintf(path, sizeof(path), "%s/sub", dir);
	CKPT_CHILD_CHECK(48, getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, path));
	CKPT_CHILD_CHECK(49, !pread_path(".", "inner", buf, 4, 0) &&
			     pat_ok(9, 0, buf, 4));
	ckpt_child_log("all checks passed");
	return 0;
}

/* The parent's view of the fds of a process */
#define SNAP_MAX	32

struct fd_snap {
	int n;
	int fd[SNAP_MAX];
	char link[SNAP_MAX][PATH_MAX];
	char info[SNAP_MAX][512];
	char cwd[PATH_MAX];
	char root[PATH_MAX];
};

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int snap_fds(pid_t pid, struct fd_snap *s)
{
	char path[64], name[24];
	struct dirent *d;
	DIR *dir;
	int i;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (s->n == SNAP_MAX) {
			closedir(dir);
			return -1;
		}
		s->fd[s->n++] = atoi(d->d_name);
	}
	closedir(dir);
	qsort(s->fd, s->n, sizeof(int), cmp_int);
	for (i = 0; i < s->n; i++) {
		snprintf(name, sizeof(name), "fd/%d", s->fd[i]);
		if (ckpt_proc_link(pid, name, s->link[i], sizeof(s->link[i])))
			return -1;
		snprintf(name, sizeof(name), "fdinfo/%d", s->fd[i]);
		if (ckpt_proc_read(pid, name, s->info[i],
				   sizeof(s->info[i])) <= 0)
			return -1;
	}
	if (ckpt_proc_link(pid, "cwd", s->cwd, sizeof(s->cwd)) ||
	    ckpt_proc_link(pid, "root", s->root, sizeof(s->root)))
		return -1;
	return 0;
}

/* The fdinfo value of @key for fd @fd in @s (static buffer), or "" */
static const char *snap_info(const struct fd_snap *s, int fd, const char *key)
{
	static char val[128];
	int i;

	val[0] = '\0';
	for (i = 0; i < s->n; i++)
		if (s->fd[i] == fd)
			ckpt_proc_field(s->info[i], key, val, sizeof(val));
	return val;
}

static const char *snap_link(const struct fd_snap *s, int fd)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->fd[i] == fd)
			return s->link[i];
	return "";
}

/* Compare two snapshots; returns the number of differences. */
static int snap_diff(struct __test_metadata *_metadata,
		     const struct fd_snap *a, const struct fd_snap *b)
{
	int i, bad = 0;

	if (a->n != b->n) {
		TH_LOG("%d fds before, %d after", a->n, b->n);
		bad++;
	}
	for (i = 0; i < a->n && i < b->n; i++) {
		if (a->fd[i] != b->fd[i]) {
			TH_LOG("fd #%d: %d before, %d after", i, a->fd[i],
			       b->fd[i]);
			bad++;
			continue;
		}
		if (strcmp(a->link[i], b->link[i])) {
			TH_LOG("fd %d: link '%s' before, '%s' after", a->fd[i],
			       a->link[i], b->link[i]);
			bad++;
		}
		if (strcmp(a->info[i], b->info[i])) {
			TH_LOG("fd %d: fdinfo before:\n%s# after:\n%s",
			       a->fd[i], a->info[i], b->info[i]);
			bad++;
		}
	}
	if (strcmp(a->cwd, b->cwd)) {
		TH_LOG("cwd '%s' before, '%s' after", a->cwd, b->cwd);
		bad++;
	}
	if (strcmp(a->root, b->root)) {
		TH_LOG("root '%s' before, '%s' after", a->root, b->root);
		bad++;
	}
	return bad;
}

static struct fd_snap snap_before, snap_after;

FIXTURE(files) {
	char dir[64];
	char log[80];
	char img[80];		/* the ext4 image, if mounted */
	int no_ext4;		/* the kernel has no ext4: skip */
	pid_t pid;
	int imgfd;
};

FIXTURE_VARIANT(files) {
	int ext4;
};

FIXTURE_VARIANT_ADD(files, tmpfs) {
	.ext4 = 0,
};

FIXTURE_VARIANT_ADD(files, ext4) {
	.ext4 = 1,
};

FIXTURE_SETUP(files)
{
	char path[PATH_MAX];
	unsigned int i;

	self->pid = -1;
	self->imgfd = -1;
	strcpy(self->dir, "/tmp/ckpt-files.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s.log", self->dir);
	on_ext4 = variant->ext4;
	if (variant->ext4) {
		self->no_ext4 = !ckpt_have_fs("ext4");
		if (self->no_ext4)
			return;
		snprintf(self->img, sizeof(self->img), "%s.img", self->dir);
		ASSERT_EQ(0, ckpt_mount_ext4(self->img, self->dir, 32)) {
			TH_LOG("cannot mount a fresh ext4 on %s", self->dir);
			self->img[0] = '\0';
		}
	}
	for (i = 0; i < ARRAY_SIZE(dir_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir,
			 dir_files[i].name);
		ASSERT_EQ(0, make_file(path, dir_files[i].seed));
	}
	snprintf(path, sizeof(path), "%s/sub", self->dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/sub/inner", self->dir);
	ASSERT_EQ(0, make_file(path, 9));
}

FIXTURE_TEARDOWN(files)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (self->img[0]) {
		ckpt_umount_ext4(self->img, self->dir);
		rmdir(self->dir);
	}
	unlink(self->log);
}

/* Wait for the child's exit; it must exit 0. */
static void expect_exit0(struct __test_metadata *_metadata, pid_t *pid,
			 const char *log)
{
	int status = 0;
	pid_t r;

	r = ckpt_waitpid(*pid, &status, TMO_EXIT);
	EXPECT_EQ(*pid, r);
	if (r == *pid)
		*pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("child status %#x (exit code = failed check)", status);
		ckpt_dump_log(log);
	}
}

TEST_F_TIMEOUT(files, regular_files, 120)
{
	char klog[CKPT_LOG_MAX], path[PATH_MAX], want[PATH_MAX];
	struct stat st;
	pid_t pid;
	int i, fl;

	if (self->no_ext4)
		SKIP(return, "the kernel has no ext4");
	self->pid = ckpt_spawn(files_child, self->dir, self->log);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(0, snap_fds(self->pid, &snap_before));

	/* The state really is what the test wants to see restored */
	ASSERT_EQ(nr_used_specs() + 3, snap_before.n);
	for (i = 0; i < NR_SPECS; i++) {
		const struct fd_spec *s = &specs[i];
		int flg = s->flags & ~O_CLOEXEC;

		if (!spec_used(s))
			continue;
		if (s->dup_of >= 0)
			flg = specs[i - 1].flags;
		if (s->pos >= 0)
			EXPECT_EQ(s->pos,
				  atol(snap_info(&snap_before, s->fd, "pos")));
		fl = strtol(snap_info(&snap_before, s->fd, "flags"), NULL, 8);
		EXPECT_EQ(flg | (s->cloexec ? O_CLOEXEC : 0),
			  fl & ~KO_LARGEFILE) {
			TH_LOG("fd %d: flags %#o", s->fd, fl);
		}
		if (s->dup_of >= 0)
			spec_path(self->dir, &specs[i - 1], want, sizeof(want));
		else
			spec_path(self->dir, s, want, sizeof(want));
		EXPECT_STREQ(want, snap_link(&snap_before, s->fd));
	}
	snprintf(want, sizeof(want), "%s/sub", self->dir);
	ASSERT_STREQ(want, snap_before.cwd);
	ASSERT_STREQ("/", snap_before.root);

	pid = ckpt_cycle(self->pid, &self->imgfd, klog, sizeof(klog));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart failed: %s; kernel log:\n%s",
		       strerror(errno), klog);
		ckpt_dump_log(self->log);
	}

	/* The restored child has the same files, offsets and flags */
	ASSERT_EQ(0, snap_fds(pid, &snap_after));
	EXPECT_EQ(0, snap_diff(_metadata, &snap_before, &snap_after));

	/* Nothing was truncated nor extended */
	for (i = 0; i < (int)ARRAY_SIZE(dir_files); i++) {
		snprintf(path, sizeof(path), "%s/%s", self->dir,
			 dir_files[i].name);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(FILE_SIZE + !strcmp(dir_files[i].name, "app"),
			  st.st_size) {
			TH_LOG("%s has %ld bytes", path, (long)st.st_size);
		}
	}

	/* The child checks its descriptors itself */
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_exit0(_metadata, &self->pid, self->log);
}

/* --- chroot --- */

static int chroot_child(void *arg)
{
	const char *dir = arg;
	unsigned char buf[16];
	char cwd[PATH_MAX];
	int fd;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (chroot(dir) || chdir("/sub"))
		return 80;
	fd = open("/sub/inner", O_RDONLY);
	if (fd < 0 || dup2(fd, 5) != 5 || close(fd))
		return 81;
	if (lseek(5, 10, SEEK_SET) != 10)
		return 82;
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/sub"));
	/* relative, rooted and ".." paths resolve in the chroot */
	CKPT_CHILD_CHECK(2, !pread_path("/", "ro", buf, 4, 0) &&
			    pat_ok(1, 0, buf, 4));
	CKPT_CHILD_CHECK(3, !pread_path("..", "rw", buf, 4, 8) &&
			    pat_ok(3, 8, buf, 4));
	CKPT_CHILD_CHECK(4, !pread_path("/../..", "high", buf, 4, 0) &&
			    pat_ok(8, 0, buf, 4));
	CKPT_CHILD_CHECK(5, access("/tmp", F_OK) && errno == ENOENT);
	CKPT_CHILD_CHECK(6, read(5, buf, 4) == 4 && pat_ok(9, 10, buf, 4));
	ckpt_child_log("all checks passed");
	return 0;
}

TEST_F_TIMEOUT(files, chroot, 120)
{
	char klog[CKPT_LOG_MAX], want[PATH_MAX], link[PATH_MAX];
	pid_t pid;

	if (geteuid())
		SKIP(return, "chroot needs root");
	if (self->no_ext4)
		SKIP(return, "the kernel has no ext4");
	self->pid = ckpt_spawn(chroot_child, self->dir, self->log);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(0, snap_fds(self->pid, &snap_before));
	ASSERT_STREQ(self->dir, snap_before.root);
	snprintf(want, sizeof(want), "%s/sub", self->dir);
	ASSERT_STREQ(want, snap_before.cwd);

	pid = ckpt_cycle(self->pid, &self->imgfd, klog, sizeof(klog));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart failed: %s; kernel log:\n%s",
		       strerror(errno), klog);
		ckpt_dump_log(self->log);
	}
	ASSERT_EQ(0, snap_fds(pid, &snap_after));
	EXPECT_EQ(0, snap_diff(_metadata, &snap_before, &snap_after));
	ASSERT_EQ(0, ckpt_proc_link(pid, "root", link, sizeof(link)));
	EXPECT_STREQ(self->dir, link);
	snprintf(want, sizeof(want), "%s/sub/inner", self->dir);
	EXPECT_STREQ(want, snap_link(&snap_after, 5));
	EXPECT_STREQ("10", snap_info(&snap_after, 5, "pos"));

	ASSERT_EQ(0, kill(pid, SIGUSR1));
	expect_exit0(_metadata, &self->pid, self->log);
}

/* --- files that cannot be checkpointed --- */

enum { REFUSE_UFFD, REFUSE_SOCKET, REFUSE_PIDFD, REFUSE_BLKDEV };

struct refuse_arg {
	const char *dir;
	int kind;
};

/* Move @fd to @to (closing @fd); 0 or -1. */
static int move_fd(int fd, int to)
{
	if (fd == to)
		return 0;
	if (dup2(fd, to) != to)
		return -1;
	return close(fd);
}

/* Put @a at fd 5 and @b (if >= 0) at fd 6; 0 or -1. */
static int place_fds(int a, int b)
{
	int ha, hb = -1;

	ha = fcntl(a, F_DUPFD, 20);
	close(a);
	if (b >= 0) {
		hb = fcntl(b, F_DUPFD, 20);
		close(b);
		if (hb < 0)
			return -1;
	}
	if (ha < 0 || move_fd(ha, 5))
		return -1;
	return hb < 0 ? 0 : move_fd(hb, 6);
}

/*
 * The child puts the unsupported file(s) at fds 5 (and 6) and a regular
 * file at fd 4, so fd 5 is the first file the kernel cannot save.
 */
static int refuse_child(void *arg)
{
	const struct refuse_arg *ra = arg;
	char path[PATH_MAX], buf[16];
	struct stat st;
	int fds[2];

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	snprintf(path, sizeof(path), "%s/ro", ra->dir);
	if (move_fd(open(path, O_RDONLY), 4) || lseek(4, 100, SEEK_SET) != 100)
		return 80;
	switch (ra->kind) {
	case REFUSE_UFFD:
		fds[0] = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fds[0] < 0 || place_fds(fds[0], -1))
			return 81;
		break;
	case REFUSE_SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) ||
		    place_fds(fds[0], fds[1]))
			return 83;
		if (send(6, "pre", 3, 0) != 3)
			return 84;
		break;
	case REFUSE_PIDFD:
		fds[0] = syscall(SYS_pidfd_open, getpid(), 0);
		if (fds[0] < 0 || place_fds(fds[0], -1))
			return 85;
		break;
	case REFUSE_BLKDEV:
		fds[0] = open("/dev/loop0", O_RDONLY);
		if (fds[0] < 0 || place_fds(fds[0], -1))
			return 86;
		break;
	}
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(1, pos_of(4) == 100);
	switch (ra->kind) {
	case REFUSE_UFFD:
		CKPT_CHILD_CHECK(2, read(5, buf, sizeof(buf)) < 0 &&
				    errno == EINVAL);
		break;
	case REFUSE_SOCKET:
		CKPT_CHILD_CHECK(4, recv(5, buf, sizeof(buf), 0) == 3 &&
				    !memcmp(buf, "pre", 3));
		CKPT_CHILD_CHECK(5, send(5, "back", 4, 0) == 4 &&
				    recv(6, buf, sizeof(buf), 0) == 4 &&
				    !memcmp(buf, "back", 4));
		break;
	case REFUSE_PIDFD:
		CKPT_CHILD_CHECK(6, syscall(SYS_pidfd_send_signal, 5, 0, NULL,
					    0) == 0);
		break;
	case REFUSE_BLKDEV:
		CKPT_CHILD_CHECK(8, !fstat(5, &st) && S_ISBLK(st.st_mode) &&
				    st.st_rdev == makedev(7, 0));
		break;
	}
	CKPT_CHILD_CHECK(7, fcntl(7, F_GETFD) < 0 && errno == EBADF);
	ckpt_child_log("all checks passed");
	return 0;
}

FIXTURE(refuse) {
	char dir[64];
	char log[80];
	pid_t pid;
};

FIXTURE_VARIANT(refuse) {
	int kind;
	const char *what;	/* in the kernel's message */
	int nr_fds;		/* unsupported fds: 5, 6 */
};

FIXTURE_VARIANT_ADD(refuse, userfaultfd) {
	.kind = REFUSE_UFFD, .what = "userfaultfd", .nr_fds = 1,
};

FIXTURE_VARIANT_ADD(refuse, socket) {
	.kind = REFUSE_SOCKET, .what = "socket", .nr_fds = 2,
};

FIXTURE_VARIANT_ADD(refuse, pidfd) {
	.kind = REFUSE_PIDFD, .what = "pidfd", .nr_fds = 1,
};

FIXTURE_VARIANT_ADD(refuse, blockdev) {
	.kind = REFUSE_BLKDEV, .what = "block device 7:0", .nr_fds = 1,
};

FIXTURE_SETUP(refuse)
{
	char path[PATH_MAX];

	self->pid = -1;
	strcpy(self->dir, "/tmp/ckpt-files.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->log, sizeof(self->log), "%s.log", self->dir);
	snprintf(path, sizeof(path), "%s/ro", self->dir);
	ASSERT_EQ(0, make_file(path, 1));
}

FIXTURE_TEARDOWN(refuse)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unlink(self->log);
}

TEST_F_TIMEOUT(refuse, checkpoint, 120)
{
	static const unsigned long flags[] = { 0, CKPT_KILL, CKPT_STOP };
	struct refuse_arg arg = { self->dir, variant->kind };
	char klog[CKPT_LOG_MAX];
	unsigned int i;
	int imgfd, status, err;
	long ret;

	if (variant->kind == REFUSE_BLKDEV && access("/dev/loop0", R_OK))
		SKIP(return, "no /dev/loop0 (a kernel without BLK_DEV_LOOP)");
	self->pid = ckpt_spawn(refuse_child, &arg, self->log);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->log);
	}

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ret = ckpt_checkpoint(self->pid, flags[i], &imgfd, klog,
				      sizeof(klog));
		err = errno;
		close(imgfd);
		ASSERT_EQ(-1, ret) {
			TH_LOG("flags %#lx: the checkpoint succeeded",
			       flags[i]);
		}
		EXPECT_EQ(EOPNOTSUPP, err) {
			TH_LOG("flags %#lx: %s", flags[i], strerror(err));
		}
		TH_LOG("flags %#lx: kernel log: %s", flags[i], klog);
		EXPECT_TRUE(ckpt_has_num(klog, "", self->pid)) {
			TH_LOG("the log does not name pid %d", self->pid);
		}
		EXPECT_TRUE(ckpt_has_num(klog, "fd ", 5) ||
			    (variant->nr_fds > 1 &&
			     ckpt_has_num(klog, "fd ", 6))) {
			TH_LOG("the log does not name the fd (5)");
		}
		EXPECT_NE(NULL, strcasestr(klog, variant->what)) {
			TH_LOG("the log does not say '%s'", variant->what);
		}
		/* still running, neither killed nor stopped */
		ASSERT_EQ(0, ckpt_waitpid(self->pid, &status, 0)) {
			TH_LOG("flags %#lx: child ended: %#x", flags[i],
			       status);
		}
		EXPECT_EQ('S', ckpt_wait_state(self->pid, 'S', 1000));
	}

	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit0(_metadata, &self->pid, self->log);
}

TEST_HARNESS_MAIN
