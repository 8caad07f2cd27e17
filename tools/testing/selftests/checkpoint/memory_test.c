// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of an address space.
 *
 * layout: a child builds mappings at fixed places separated by unmapped
 * pages: private anonymous memory with some pages written and others
 * never touched, PROT_NONE (untouched, and written before mprotect), a
 * read-only and an executable region, two mappings around a hole, a
 * private file mapping with one page modified (COW), a MAP_SHARED file
 * mapping and regions with madvise() flags; plus malloc()/sbrk() heap, a
 * big stack buffer, an edited argv[0] and environment string.  The parent
 * checks that /proc/PID/maps (every line; only addresses for [vdso] and
 * [vvar]), the mapping flags of /proc/PID/smaps, the mm fields of
 * /proc/PID/stat, cmdline, environ and auxv are the same after restart;
 * the restored child checks every byte it wrote, that untouched pages are
 * still not present (mincore), that protections fault as they should,
 * that brk() still grows and that the vdso clock works and is monotonic.
 * layout_private_file_changed: the privately mapped file is written
 * between checkpoint and restart.  Pages never written by the child come
 * from the file, so the restart must refuse the image (ESTALE, nothing
 * created, a message); with the file's contents and mtime put back, the
 * same image restarts.
 * layout_shared_file_changed: only the MAP_SHARED file is written
 * between checkpoint and restart; that is no reason to refuse: the
 * restored child sees the new contents through its shared mapping.
 *
 * sparse_256m: 256 MiB mapped, 3 pages touched: the image is small (only
 * present pages are saved) and the restored child has 3 pages there.
 *
 * random_16m: 16 MiB of pseudo-random data survives byte for byte.
 */
#include <setjmp.h>
#include <stdint.h>
#include <sys/auxv.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define NR_PAGES_RESERVED	64
#define MAPS_MAX		(256 * 1024)
#define STACK_BUF_SIZE		(256 * 1024)
#define NR_CHUNKS		64
#define CHUNK_SIZE		1000

/* Page offsets of the regions from the base of the layout */
#define A_OFF		0	/* anon RW, 16 pages, some written */
#define A_PAGES		16
#define NONE_OFF	17	/* PROT_NONE, never touched */
#define NONE_PAGES	4
#define HID_OFF		22	/* written, then PROT_NONE */
#define HID_PAGES	2
#define RO_OFF		25	/* written, then PROT_READ */
#define RO_PAGES	2
#define EXEC_OFF	28	/* code, then PROT_READ | PROT_EXEC */
#define HOLE_OFF	30	/* 3 pages, the middle one unmapped */
#define PRIV_OFF	34	/* MAP_PRIVATE file, 4 pages, page 1 written */
#define PRIV_PAGES	4
#define SHR_OFF		39	/* MAP_SHARED file, 2 pages, page 0 written */
#define SHR_PAGES	2
#define DD_OFF		42	/* MADV_DONTDUMP + MADV_DONTFORK */
#define WF_OFF		45	/* MADV_WIPEONFORK + MADV_RANDOM */
#define SEQ_OFF		48	/* MADV_SEQUENTIAL */
#define FLAG_PAGES	2

static const int a_written[] = { 0, 2, 5, 15 };

/* Which mapped file the parent writes between checkpoint and restart */
enum { CHANGE_NONE, CHANGE_PRIVATE, CHANGE_SHARED };

/* Shared by parent and child (set before the fork) */
static long psz;
static char priv_path[64], shr_path[64];
static uint8_t priv_orig[PRIV_PAGES];	/* fill byte of each file page */

static const uint8_t exec_code[] = {
	0xb8, 0x78, 0x56, 0x34, 0x12,	/* mov $0x12345678, %eax */
	0xc3,				/* ret */
};

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void __attribute__((noinline)) fill(void *buf, size_t len,
					   uint64_t seed)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = splitmix64(&seed);
}

/* Offset of the first word that differs from fill(), or -1. */
static long __attribute__((noinline)) check_fill(const void *buf, size_t len,
						 uint64_t seed)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != splitmix64(&seed))
			return i * 8;
	return -1;
}

static int all_bytes(const void *buf, size_t len, uint8_t val)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return 0;
	return 1;
}

/* --- the child --- */

static sigjmp_buf segv_env;

static void segv_handler(int sig)
{
	siglongjmp(segv_env, 1);
}

/* Does accessing @p fault? */
static int faults(volatile uint8_t *p, int write)
{
	if (sigsetjmp(segv_env, 1))
		return 1;
	if (write)
		*p = 1;
	else
		(void)*p;
	return 0;
}

/* madvise(), or nothing if the kernel has no madvise() (0 or -1) */
static int advise(void *p, size_t len, int advice)
{
	static int warned;

	if (!madvise(p, len, advice))
		return 0;
	if (errno != ENOSYS)
		return -1;
	if (!warned++)
		ckpt_child_log("no madvise(), mappings without madvise flags");
	return 0;
}

static void *map_at(uint8_t *addr, size_t len, int prot, int flags, int fd)
{
	void *p = mmap(addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);

	return p == addr ? p : NULL;
}

/* Is [vdso] mapped at @addr, as /proc/self/maps shows? */
static int vdso_at(unsigned long addr)
{
	char line[256];
	unsigned long start;
	int found = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx", &start) == 1)
			found = start == addr;
	fclose(f);
	return found;
}

/* Write known text into argv[0] and into the first environment string. */
static void edit_args(void)
{
	static const char tag[] = "ckpt-memory-argv";
	char *s;
	size_t i;

	s = program_invocation_name;
	for (i = 0; s[i]; i++)
		s[i] = tag[i % (sizeof(tag) - 1)];
	if (environ && environ[0]) {
		s = strchr(environ[0], '=');
		for (s = s ? s + 1 : environ[0]; *s; s++)
			*s = 'e';
	}
}

static int args_edited(void)
{
	static const char tag[] = "ckpt-memory-argv";
	const char *s = program_invocation_name;
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] != tag[i % (sizeof(tag) - 1)])
			return 0;
	return i > 0;
}

static int layout_child(void *arg)
{
	uint8_t stackbuf[STACK_BUF_SIZE];
	struct sigaction sa = { .sa_handler = segv_handler };
	struct timespec mono0, v1, v2, s;
	uint8_t *base, *a, *p, vec[A_PAGES], page[4096];
	uint8_t *chunks[NR_CHUNKS];
	void *brk0, *cur, *grown;
	int fd, i, j, (*fn)(void);
	int shr_changed = *(int *)arg == CHANGE_SHARED;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || psz != sizeof(page))
		return 1;

	/* find a free range, then place every region with gaps */
	base = mmap(NULL, NR_PAGES_RESERVED * psz, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED || munmap(base, NR_PAGES_RESERVED * psz))
		return 1;

	a = map_at(base + A_OFF * psz, A_PAGES * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(2, a);
	madvise(a, A_PAGES * psz, MADV_NOHUGEPAGE);
	for (i = 0; i < (int)ARRAY_SIZE(a_written); i++)
		fill(a + a_written[i] * psz, psz, 0xa000 + a_written[i]);

	CKPT_CHILD_CHECK(3, map_at(base + NONE_OFF * psz, NONE_PAGES * psz,
				   PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1));

	p = map_at(base + HID_OFF * psz, HID_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(4, p);
	fill(p, HID_PAGES * psz, 0xb000);
	CKPT_CHILD_CHECK(4, !mprotect(p, HID_PAGES * psz, PROT_NONE));

	p = map_at(base + RO_OFF * psz, RO_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(5, p);
	fill(p, RO_PAGES * psz, 0xc000);
	CKPT_CHILD_CHECK(5, !mprotect(p, RO_PAGES * psz, PROT_READ));

	p = map_at(base + EXEC_OFF * psz, psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(6, p);
	memcpy(p, exec_code, sizeof(exec_code));
	CKPT_CHILD_CHECK(6, !mprotect(p, psz, PROT_READ | PROT_EXEC));

	p = map_at(base + HOLE_OFF * psz, 3 * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(7, p);
	for (i = 0; i < 3; i++)
		fill(p + i * psz, psz, 0xd000 + i);
	CKPT_CHILD_CHECK(7, !munmap(p + psz, psz));

	/* private file mapping: read pages 0 and 2, write page 1 */
	fd = open(priv_path, O_RDWR);
	CKPT_CHILD_CHECK(8, fd >= 0);
	p = map_at(base + PRIV_OFF * psz, PRIV_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	CKPT_CHILD_CHECK(8, p);
	close(fd);
	CKPT_CHILD_CHECK(8, p[0] == priv_orig[0] && p[2 * psz] == priv_orig[2]);
	fill(p + psz, psz, 0xe000);

	/* shared file mapping: write page 0 */
	fd = open(shr_path, O_RDWR);
	CKPT_CHILD_CHECK(9, fd >= 0);
	p = map_at(base + SHR_OFF * psz, SHR_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	CKPT_CHILD_CHECK(9, p);
	close(fd);
	memset(p, 'S', psz);

	p = map_at(base + DD_OFF * psz, FLAG_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(10, p);
	CKPT_CHILD_CHECK(10, !advise(p, FLAG_PAGES * psz, MADV_DONTDUMP) &&
			 !advise(p, FLAG_PAGES * psz, MADV_DONTFORK));
	fill(p, FLAG_PAGES * psz, 0xf100);
	p = map_at(base + WF_OFF * psz, FLAG_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(10, p);
	CKPT_CHILD_CHECK(10, !advise(p, FLAG_PAGES * psz, MADV_WIPEONFORK) &&
			 !advise(p, FLAG_PAGES * psz, MADV_RANDOM));
	fill(p, FLAG_PAGES * psz, 0xf200);
	p = map_at(base + SEQ_OFF * psz, FLAG_PAGES * psz,
		   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	CKPT_CHILD_CHECK(10, p);
	CKPT_CHILD_CHECK(10, !advise(p, FLAG_PAGES * psz, MADV_SEQUENTIAL));
	fill(p, FLAG_PAGES * psz, 0xf300);

	/* heap: malloc() chunks, then raw sbrk() */
	for (i = 0; i < NR_CHUNKS; i++) {
		chunks[i] = malloc(CHUNK_SIZE);
		CKPT_CHILD_CHECK(11, chunks[i]);
		fill(chunks[i], CHUNK_SIZE, 0x10000 + i);
	}
	p = sbrk(2 * psz);
	CKPT_CHILD_CHECK(11, p != (void *)-1);
	fill(p, 2 * psz, 0x11000);
	brk0 = sbrk(0);

	fill(stackbuf, sizeof(stackbuf), 0x12000);
	edit_args();
	clock_gettime(CLOCK_MONOTONIC, &mono0);

	ckpt_child_log("layout at %p, brk %p", base, brk0);
	ckpt_go_wait(1);

	/* --- restored: first what must not have been touched --- */
	cur = sbrk(0);
	CKPT_CHILD_CHECK(20, cur == brk0);
	CKPT_CHILD_CHECK(21, !mincore(a, A_PAGES * psz, vec));
	for (i = 0, j = 0; i < A_PAGES; i++) {
		int written = j < (int)ARRAY_SIZE(a_written) &&
			      a_written[j] == i;

		if (!!(vec[i] & 1) != written)
			ckpt_child_log("page %d of A: resident %d", i, vec[i]);
		CKPT_CHILD_CHECK(22, !!(vec[i] & 1) == written);
		if (written)
			CKPT_CHILD_CHECK(23, check_fill(a + i * psz, psz,
							0xa000 + i) < 0);
		else
			CKPT_CHILD_CHECK(24, all_bytes(a + i * psz, psz, 0));
		j += written;
	}

	p = base + NONE_OFF * psz;
	CKPT_CHILD_CHECK(25, faults(p, 0) && faults(p + NONE_PAGES * psz - 1,
						    0));
	p = base + HID_OFF * psz;
	CKPT_CHILD_CHECK(26, faults(p, 0));
	CKPT_CHILD_CHECK(26, !mprotect(p, HID_PAGES * psz, PROT_READ));
	CKPT_CHILD_CHECK(27, check_fill(p, HID_PAGES * psz, 0xb000) < 0);
	p = base + RO_OFF * psz;
	CKPT_CHILD_CHECK(28, check_fill(p, RO_PAGES * psz, 0xc000) < 0);
	CKPT_CHILD_CHECK(29, faults(p, 1) && faults(p + psz, 1));
	CKPT_CHILD_CHECK(29, check_fill(p, RO_PAGES * psz, 0xc000) < 0);
	p = base + EXEC_OFF * psz;
	CKPT_CHILD_CHECK(30, !memcmp(p, exec_code, sizeof(exec_code)));
	CKPT_CHILD_CHECK(30, faults(p, 1));
	fn = (int (*)(void))p;
	CKPT_CHILD_CHECK(31, fn() == 0x12345678);

	p = base + HOLE_OFF * psz;
	CKPT_CHILD_CHECK(32, check_fill(p, psz, 0xd000) < 0);
	CKPT_CHILD_CHECK(33, check_fill(p + 2 * psz, psz, 0xd002) < 0);
	errno = 0;
	CKPT_CHILD_CHECK(34, mincore(p + psz, psz, vec) && errno == ENOMEM);
	CKPT_CHILD_CHECK(34, faults(p + psz, 0));

	/* private file mapping: COW page is ours, others are the file's */
	p = base + PRIV_OFF * psz;
	fd = open(priv_path, O_RDONLY);
	CKPT_CHILD_CHECK(35, fd >= 0);
	for (i = 0; i < PRIV_PAGES; i++) {
		CKPT_CHILD_CHECK(35, pread(fd, page, psz, i * psz) == psz);
		if (i == 1) {
			CKPT_CHILD_CHECK(36, check_fill(p + psz, psz, 0xe000) <
					 0);
			continue;
		}
		if (memcmp(p + i * psz, page, psz))
			ckpt_child_log("private page %d: %#x, file %#x", i,
				       p[i * psz], page[0]);
		CKPT_CHILD_CHECK(37, !memcmp(p + i * psz, page, psz));
	}
	close(fd);

	/* shared file mapping: our page 0, page 1 is the file's */
	p = base + SHR_OFF * psz;
	CKPT_CHILD_CHECK(38, all_bytes(p, psz, 'S'));
	CKPT_CHILD_CHECK(39, all_bytes(p + psz, psz, shr_changed ? 'T' : 0));
	memset(p, 'U', psz);
	CKPT_CHILD_CHECK(40, !msync(p, SHR_PAGES * psz, MS_SYNC));

	CKPT_CHILD_CHECK(41, check_fill(base + DD_OFF * psz, FLAG_PAGES * psz,
					0xf100) < 0);
	CKPT_CHILD_CHECK(41, check_fill(base + WF_OFF * psz, FLAG_PAGES * psz,
					0xf200) < 0);
	CKPT_CHILD_CHECK(41, check_fill(base + SEQ_OFF * psz,
					FLAG_PAGES * psz, 0xf300) < 0);

	for (i = 0; i < NR_CHUNKS; i++)
		CKPT_CHILD_CHECK(42, check_fill(chunks[i], CHUNK_SIZE,
						0x10000 + i) < 0);
	CKPT_CHILD_CHECK(43, check_fill((uint8_t *)brk0 - 2 * psz, 2 * psz,
					0x11000) < 0);
	/* brk still grows from where it was */
	grown = sbrk(16 * psz);
	CKPT_CHILD_CHECK(44, grown == brk0);
	fill(grown, 16 * psz, 0x13000);
	CKPT_CHILD_CHECK(44, sbrk(0) == (uint8_t *)brk0 + 16 * psz);
	CKPT_CHILD_CHECK(44, check_fill(grown, 16 * psz, 0x13000) < 0);

	CKPT_CHILD_CHECK(45, check_fill(stackbuf, sizeof(stackbuf),
					0x12000) < 0);
	CKPT_CHILD_CHECK(46, args_edited());

	/* vdso: where the auxv says, its clock agrees with the syscall's */
	CKPT_CHILD_CHECK(47, vdso_at(getauxval(AT_SYSINFO_EHDR)));
	CKPT_CHILD_CHECK(48, !clock_gettime(CLOCK_MONOTONIC, &v1));
	CKPT_CHILD_CHECK(48, !syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &s));
	CKPT_CHILD_CHECK(48, !clock_gettime(CLOCK_MONOTONIC, &v2));
	CKPT_CHILD_CHECK(49, ckpt_ts_ns(&mono0) <= ckpt_ts_ns(&v1));
	CKPT_CHILD_CHECK(50, ckpt_ts_ns(&v1) <= ckpt_ts_ns(&s) &&
			     ckpt_ts_ns(&s) <= ckpt_ts_ns(&v2));
	CKPT_CHILD_CHECK(51, !clock_gettime(CLOCK_REALTIME, &v1));
	CKPT_CHILD_CHECK(51, !syscall(SYS_clock_gettime, CLOCK_REALTIME, &s));
	CKPT_CHILD_CHECK(51, !clock_gettime(CLOCK_REALTIME, &v2));
	CKPT_CHILD_CHECK(52, ckpt_ts_ns(&v1) <= ckpt_ts_ns(&s) &&
			     ckpt_ts_ns(&s) <= ckpt_ts_ns(&v2));

	ckpt_child_log("layout intact");
	return 0;
}

#define SPARSE_SIZE	(256UL << 20)

static int sparse_child(void *arg)
{
	unsigned long i, nr = SPARSE_SIZE / psz, resident = 0;
	const unsigned long touched[] = { 0, nr / 2 + 3, nr - 1 };
	unsigned char *vec;
	uint8_t *p;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	vec = malloc(nr);
	p = mmap(NULL, SPARSE_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CKPT_CHILD_CHECK(2, vec && p != MAP_FAILED);
	madvise(p, SPARSE_SIZE, MADV_NOHUGEPAGE);
	for (i = 0; i < ARRAY_SIZE(touched); i++)
		fill(p + touched[i] * psz, psz, 0x5000 + i);
	ckpt_go_wait(1);

	CKPT_CHILD_CHECK(3, !mincore(p, SPARSE_SIZE, vec));
	for (i = 0; i < nr; i++)
		resident += vec[i] & 1;
	if (resident != ARRAY_SIZE(touched))
		ckpt_child_log("%lu pages resident", resident);
	CKPT_CHILD_CHECK(4, resident == ARRAY_SIZE(touched));
	for (i = 0; i < ARRAY_SIZE(touched); i++)
		CKPT_CHILD_CHECK(5, check_fill(p + touched[i] * psz, psz,
					       0x5000 + i) < 0);
	CKPT_CHILD_CHECK(6, all_bytes(p + psz, psz, 0) &&
			 all_bytes(p + (nr - 2) * psz, psz, 0));
	return 0;
}

#define RANDOM_SIZE	(16UL << 20)

static int random_child(void *arg)
{
	uint64_t seed = 0x16161616ULL ^ getpid();
	uint8_t *p;
	long off;

	if (ckpt_unmap_shared_anon() < 0)
		return 1;
	p = mmap(NULL, RANDOM_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CKPT_CHILD_CHECK(2, p != MAP_FAILED);
	fill(p, RANDOM_SIZE, seed);
	ckpt_go_wait(1);

	off = check_fill(p, RANDOM_SIZE, seed);
	if (off >= 0)
		ckpt_child_log("first difference at byte %ld of %p", off, p);
	CKPT_CHILD_CHECK(3, off < 0);
	return 0;
}

/* --- the parent --- */

/* What must not change in /proc/PID/ across checkpoint and restart */
struct proc_snap {
	char *maps;		/* normalised: see snap_maps() */
	char *flags;		/* "start-end vmflags" from smaps */
	char *cmdline, *environ, *auxv;
	ssize_t cmdline_len, environ_len, auxv_len;
	char stat_mm[512];	/* code, stack, data, brk, args, env */
};

/* Every line; for [vdso] and [vvar] only the range and the name. */
static void snap_maps(const char *in, char *out, size_t size)
{
	const char *nl, *name;
	size_t len, used = 0;

	for (; *in; in = nl + 1) {
		nl = strchr(in, '\n');
		if (!nl)
			nl = in + strlen(in);
		len = nl - in;
		name = strstr(in, "[vdso]");
		if (!name || name > nl)
			name = strstr(in, "[vvar]");
		if (name && name < nl)
			used += snprintf(out + used, size - used, "%.*s %.6s\n",
					 (int)strcspn(in, " "), in, name);
		else
			used += snprintf(out + used, size - used, "%.*s\n",
					 (int)len, in);
		if (used >= size || !*nl)
			break;
	}
}

/* The mapping flags kept in an image, per mapping, from smaps */
static void snap_flags(const char *in, char *out, size_t size)
{
	static const char * const keep[] = {
		"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf",
		"io", "sr", "rr", "dc", "de", "wf", "dd", "mm",
	};
	const char *nl, *f;
	size_t used = 0, i;
	unsigned long s, e;

	out[0] = '\0';
	for (; *in; in = nl + 1) {
		nl = strchr(in, '\n');
		if (!nl)
			break;
		if (sscanf(in, "%lx-%lx ", &s, &e) == 2 &&
		    strchr(in, ' ') < nl && strchr(in, '-') < strchr(in, ' ')) {
			used += snprintf(out + used, size - used, "%lx-%lx",
					 s, e);
		} else if (!strncmp(in, "VmFlags:", 8)) {
			for (f = in + 8; f < nl; f += 3) {
				while (*f == ' ')
					f++;
				if (f + 2 > nl)
					break;
				for (i = 0; i < ARRAY_SIZE(keep); i++)
					if (!strncmp(f, keep[i], 2))
						used += snprintf(out + used,
								 size - used,
								 " %.2s", f);
			}
			used += snprintf(out + used, size - used, "\n");
		}
		if (used >= size)
			break;
	}
}

/* Fields 26-28 and 45-51 of /proc/PID/stat */
static void snap_stat(pid_t pid, char *out, size_t size)
{
	char buf[2048], *tok, *save = NULL, *p;
	int field = 3;
	size_t used = 0;

	out[0] = '\0';
	if (ckpt_proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
		return;
	p = strrchr(buf, ')');
	if (!p)
		return;
	for (tok = strtok_r(p + 1, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save), field++)
		if ((field >= 26 && field <= 28) ||
		    (field >= 45 && field <= 51))
			used += snprintf(out + used, size - used, "%d=%s ",
					 field, tok);
}

static void snap_take(struct __test_metadata *_metadata, pid_t pid,
		      struct proc_snap *snap)
{
	char *raw = malloc(MAPS_MAX);

	ASSERT_NE(NULL, raw);
	snap->maps = malloc(MAPS_MAX);
	snap->flags = malloc(MAPS_MAX);
	snap->cmdline = malloc(MAPS_MAX);
	snap->environ = malloc(MAPS_MAX);
	snap->auxv = malloc(MAPS_MAX);
	ASSERT_TRUE(snap->maps && snap->flags && snap->cmdline &&
		    snap->environ && snap->auxv);
	ASSERT_LT(0, ckpt_proc_read(pid, "maps", raw, MAPS_MAX));
	snap_maps(raw, snap->maps, MAPS_MAX);
	ASSERT_LT(0, ckpt_proc_read(pid, "smaps", raw, MAPS_MAX));
	snap_flags(raw, snap->flags, MAPS_MAX);
	free(raw);
	snap->cmdline_len = ckpt_proc_read(pid, "cmdline", snap->cmdline,
					   MAPS_MAX);
	snap->environ_len = ckpt_proc_read(pid, "environ", snap->environ,
					   MAPS_MAX);
	snap->auxv_len = ckpt_proc_read(pid, "auxv", snap->auxv, MAPS_MAX);
	ASSERT_LT(0, snap->cmdline_len);
	ASSERT_LE(0, snap->environ_len);
	ASSERT_LT(0, snap->auxv_len);
	snap_stat(pid, snap->stat_mm, sizeof(snap->stat_mm));
}

static void snap_free(struct proc_snap *snap)
{
	free(snap->maps);
	free(snap->flags);
	free(snap->cmdline);
	free(snap->environ);
	free(snap->auxv);
	memset(snap, 0, sizeof(*snap));
}

/* Log the first line that differs between two texts. */
static void log_first_diff(struct __test_metadata *_metadata,
			   const char *what, const char *a, const char *b)
{
	size_t la, lb;

	while (*a || *b) {
		la = strcspn(a, "\n");
		lb = strcspn(b, "\n");
		if (la != lb || memcmp(a, b, la)) {
			TH_LOG("%s before: %.*s", what, (int)la, a);
			TH_LOG("%s after:  %.*s", what, (int)lb, b);
			return;
		}
		a += la + !!a[la];
		b += lb + !!b[lb];
	}
}

/* One line of a snapshot: range, file offset, and the rest of it */
struct snap_line {
	unsigned long s, e, off;
	char rest[160];
};

#define MAX_SNAP_LINES	512

/*
 * Parse the lines of snap_maps() ("s-e perms off dev inode name", or
 * "s-e [vdso]") or snap_flags() ("s-e flags") output.  Returns the count.
 */
static int snap_parse(const char *text, struct snap_line *l, int max)
{
	char line[512], perms[8], dev[16], name[128];
	unsigned long ino;
	size_t len;
	int n = 0, pos;

	for (; *text && n < max; text += len + !!text[len]) {
		len = strcspn(text, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		memset(&l[n], 0, sizeof(l[n]));
		pos = 0;
		if (sscanf(line, "%lx-%lx %n", &l[n].s, &l[n].e, &pos) < 2 ||
		    !pos)
			continue;
		name[0] = '\0';
		if (sscanf(line + pos, "%7s %lx %15s %lu %127[^\n]", perms,
			   &l[n].off, dev, &ino, name) >= 4)
			snprintf(l[n].rest, sizeof(l[n].rest), "%s %s %lu %s",
				 perms, dev, ino, name);
		else
			snprintf(l[n].rest, sizeof(l[n].rest), "%s",
				 line + pos);
		n++;
	}
	return n;
}

/*
 * Is every address of every range of @a covered by ranges of @b with the
 * same description (and, for file mappings, the same file offset)?  This
 * ignores how the ranges are split into lines.  Logs the first address
 * that differs.
 */
static int snap_covers(struct __test_metadata *_metadata, const char *what,
		       const struct snap_line *a, int na,
		       const struct snap_line *b, int nb)
{
	unsigned long addr, oa, ob;
	int i, j;

	for (i = 0; i < na; i++) {
		for (addr = a[i].s; addr < a[i].e; addr = b[j].e) {
			for (j = 0; j < nb; j++)
				if (b[j].s <= addr && addr < b[j].e)
					break;
			if (j == nb) {
				TH_LOG("%s: %lx (in %lx-%lx %s) is missing",
				       what, addr, a[i].s, a[i].e, a[i].rest);
				return 0;
			}
			oa = a[i].off + (addr - a[i].s);
			ob = b[j].off + (addr - b[j].s);
			if (strcmp(a[i].rest, b[j].rest) ||
			    ((a[i].off || b[j].off) && oa != ob)) {
				TH_LOG("%s: %lx is %lx-%lx %lx %s, then %lx-%lx %lx %s",
				       what, addr, a[i].s, a[i].e, a[i].off,
				       a[i].rest, b[j].s, b[j].e, b[j].off,
				       b[j].rest);
				return 0;
			}
		}
	}
	return 1;
}

/* Same ranges with the same description, however they are split */
static int snap_same_ranges(struct __test_metadata *_metadata,
			    const char *what, const char *before,
			    const char *after)
{
	struct snap_line *a = calloc(2 * MAX_SNAP_LINES, sizeof(*a));
	struct snap_line *b = a + MAX_SNAP_LINES;
	int na, nb, ok;

	if (!a)
		return 0;
	na = snap_parse(before, a, MAX_SNAP_LINES);
	nb = snap_parse(after, b, MAX_SNAP_LINES);
	ok = na > 0 && nb > 0 &&
	     snap_covers(_metadata, what, a, na, b, nb) &&
	     snap_covers(_metadata, what, b, nb, a, na);
	free(a);
	return ok;
}

static void snap_compare(struct __test_metadata *_metadata,
			 const struct proc_snap *a, const struct proc_snap *b)
{
	/* the same mappings: ranges, protections, files, offsets, flags */
	EXPECT_TRUE(snap_same_ranges(_metadata, "maps", a->maps, b->maps));
	EXPECT_TRUE(snap_same_ranges(_metadata, "smaps VmFlags", a->flags,
				     b->flags));
	/* and the very same lines: no mappings merged or split */
	EXPECT_EQ(0, strcmp(a->maps, b->maps)) {
		log_first_diff(_metadata, "maps", a->maps, b->maps);
	}
	EXPECT_STREQ(a->stat_mm, b->stat_mm);
	EXPECT_EQ(a->cmdline_len, b->cmdline_len);
	EXPECT_EQ(0, memcmp(a->cmdline, b->cmdline, a->cmdline_len));
	EXPECT_EQ(a->environ_len, b->environ_len);
	EXPECT_EQ(0, memcmp(a->environ, b->environ, a->environ_len));
	EXPECT_EQ(a->auxv_len, b->auxv_len);
	EXPECT_EQ(0, memcmp(a->auxv, b->auxv, a->auxv_len));
}

static long rss_anon_kb(pid_t pid)
{
	char buf[4096], *p;

	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "RssAnon:");
	return p ? atol(p + 8) : -1;
}

FIXTURE(mem) {
	pid_t pid;
	int img;
	char logpath[64];
	char klog[CKPT_LOG_MAX];
	struct proc_snap before, after;
};

static void write_file(struct __test_metadata *_metadata, const char *path,
		       int page, uint8_t val, int npages)
{
	uint8_t buf[4096];
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_LE(0, fd);
	memset(buf, val, sizeof(buf));
	for (i = 0; i < npages; i++)
		ASSERT_EQ(psz, pwrite(fd, buf, psz, (page + i) * psz));
	close(fd);
}

/* Does page @page of @path hold only @val? */
static int file_page_is(const char *path, int page, uint8_t val)
{
	uint8_t buf[4096];
	int fd, ok;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ok = pread(fd, buf, psz, page * psz) == psz &&
	     all_bytes(buf, psz, val);
	close(fd);
	return ok;
}

FIXTURE_SETUP(mem)
{
	int i;

	psz = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(4096, psz);
	self->pid = -1;
	self->img = -1;
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-mem-%d.log", getpid());
	snprintf(priv_path, sizeof(priv_path), "/tmp/ckpt-mem-%d.priv",
		 getpid());
	snprintf(shr_path, sizeof(shr_path), "/tmp/ckpt-mem-%d.shr",
		 getpid());
	for (i = 0; i < PRIV_PAGES; i++) {
		priv_orig[i] = 'a' + i;
		write_file(_metadata, priv_path, i, priv_orig[i], 1);
	}
	write_file(_metadata, shr_path, 0, 0, SHR_PAGES);
}

FIXTURE_TEARDOWN(mem)
{
	int status;

	if (!_metadata->passed) {
		if (self->klog[0])
			TH_LOG("kernel message: %s", self->klog);
		ckpt_dump_log(self->logpath);
	}
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		ckpt_waitpid(self->pid, &status, 5000);
	}
	if (self->img >= 0)
		close(self->img);
	snap_free(&self->before);
	snap_free(&self->after);
	unlink(self->logpath);
	unlink(priv_path);
	unlink(shr_path);
}

static void expect_exit(struct __test_metadata *_metadata, pid_t *pidp,
			int code, int timeout_ms)
{
	int status = 0;
	pid_t ret;

	ret = ckpt_waitpid(*pidp, &status, timeout_ms);
	ASSERT_EQ(*pidp, ret) {
		TH_LOG("child %d did not exit within %d ms", *pidp,
		       timeout_ms);
	}
	*pidp = -1;
	ASSERT_TRUE(WIFEXITED(status)) {
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	}
	ASSERT_EQ(code, WEXITSTATUS(status));
}

static void spawn_ready(struct __test_metadata *_metadata,
			FIXTURE_DATA(mem) *self, int (*fn)(void *), void *arg)
{
	self->pid = ckpt_spawn(fn, arg, self->logpath);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, 60000)) {
		TH_LOG("child not ready");
	}
	ASSERT_EQ(0, ckpt_wait_syscall(self->pid, __NR_rt_sigsuspend, 30000));
}

/* CKPT_KILL, reap; returns the image size */
static off_t checkpoint_kill(struct __test_metadata *_metadata,
			     FIXTURE_DATA(mem) *self)
{
	int status = 0;
	long id;

	id = ckpt_checkpoint(self->pid, CKPT_KILL, &self->img, self->klog,
			     sizeof(self->klog));
	ASSERT_LT(0, id) {
		TH_LOG("checkpoint failed: %s", strerror(errno));
	}
	ASSERT_EQ(self->pid, ckpt_waitpid(self->pid, &status, 30000));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	return ckpt_fd_size(self->img);
}

static void restart(struct __test_metadata *_metadata,
		    FIXTURE_DATA(mem) *self)
{
	pid_t ret;

	ret = ckpt_restart(self->img, 0, self->klog, sizeof(self->klog));
	ASSERT_EQ(self->pid, ret) {
		TH_LOG("restart failed: %s", strerror(errno));
		self->pid = -1;
	}
}

static void layout_test(struct __test_metadata *_metadata,
			FIXTURE_DATA(mem) *self, int change)
{
	static const char tag[] = "ckpt-memory-argv";
	struct timespec times[2];
	struct stat st;
	size_t n;
	int i, status;

	spawn_ready(_metadata, self, layout_child, &change);
	snap_take(_metadata, self->pid, &self->before);
	/* the child did edit its argv[0] */
	n = strlen(self->before.cmdline);
	n = n < sizeof(tag) - 1 ? n : sizeof(tag) - 1;
	ASSERT_TRUE(n > 0 && !strncmp(self->before.cmdline, tag, n));

	checkpoint_kill(_metadata, self);
	/* the child wrote the shared page through to the file */
	ASSERT_TRUE(file_page_is(shr_path, 0, 'S'));

	if (change == CHANGE_PRIVATE) {
		ASSERT_EQ(0, stat(priv_path, &st));
		/* page 0 was read by the child, page 3 never touched */
		write_file(_metadata, priv_path, 0, 'A', 1);
		write_file(_metadata, priv_path, 3, 'D', 1);
		errno = 0;
		EXPECT_EQ(-1, ckpt_restart(self->img, 0, self->klog,
					   sizeof(self->klog)));
		EXPECT_EQ(ESTALE, errno);
		EXPECT_NE(0, self->klog[0]);
		/* all or nothing: no child appeared */
		EXPECT_EQ(-1, waitpid(-1, &status, WNOHANG | __WALL));
		EXPECT_EQ(-1, kill(self->pid, 0));
		ASSERT_TRUE(_metadata->passed);
		TH_LOG("refused as expected: %s", self->klog);

		/* put contents and mtime back: the image is good again */
		write_file(_metadata, priv_path, 0, priv_orig[0], 1);
		write_file(_metadata, priv_path, 3, priv_orig[3], 1);
		times[0] = st.st_atim;
		times[1] = st.st_mtim;
		ASSERT_EQ(0, utimensat(AT_FDCWD, priv_path, times, 0));
	} else if (change == CHANGE_SHARED) {
		write_file(_metadata, shr_path, 1, 'T', 1);
	}
	restart(_metadata, self);

	snap_take(_metadata, self->pid, &self->after);
	snap_compare(_metadata, &self->before, &self->after);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 60000);

	/* the COW page never reached the file; the shared one did */
	for (i = 0; i < PRIV_PAGES; i++)
		EXPECT_TRUE(file_page_is(priv_path, i, priv_orig[i])) {
			TH_LOG("private file page %d changed", i);
		}
	EXPECT_TRUE(file_page_is(shr_path, 0, 'U'));
	EXPECT_TRUE(file_page_is(shr_path, 1,
				 change == CHANGE_SHARED ? 'T' : 0));
}

TEST_F_TIMEOUT(mem, layout, 180)
{
	layout_test(_metadata, self, CHANGE_NONE);
}

TEST_F_TIMEOUT(mem, layout_private_file_changed, 180)
{
	layout_test(_metadata, self, CHANGE_PRIVATE);
}

TEST_F_TIMEOUT(mem, layout_shared_file_changed, 180)
{
	layout_test(_metadata, self, CHANGE_SHARED);
}

TEST_F_TIMEOUT(mem, sparse_256m, 180)
{
	long rss_before, rss_after;
	off_t size;

	spawn_ready(_metadata, self, sparse_child, NULL);
	snap_take(_metadata, self->pid, &self->before);
	rss_before = rss_anon_kb(self->pid);
	ASSERT_LT(0, rss_before);

	size = checkpoint_kill(_metadata, self);
	TH_LOG("image %ld bytes, RssAnon %ld kB", (long)size, rss_before);
	/* every anonymous page present is saved, but only those */
	ASSERT_LE(rss_before * 1024, size);
	ASSERT_GT(8L << 20, size);

	restart(_metadata, self);
	snap_take(_metadata, self->pid, &self->after);
	snap_compare(_metadata, &self->before, &self->after);
	rss_after = rss_anon_kb(self->pid);
	ASSERT_GT(8L << 10, rss_after);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 60000);
}

TEST_F_TIMEOUT(mem, random_16m, 180)
{
	off_t size;

	spawn_ready(_metadata, self, random_child, NULL);
	size = checkpoint_kill(_metadata, self);
	ASSERT_LE((off_t)RANDOM_SIZE, size);
	restart(_metadata, self);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 60000);
}

TEST_HARNESS_MAIN
