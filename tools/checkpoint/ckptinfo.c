// SPDX-License-Identifier: GPL-2.0
/*
 * ckptinfo - decode and validate a checkpoint image.
 *
 *   ckptinfo [--json] FILE
 *
 * Reads the image sequentially (FILE may be "-" for standard input, so a
 * pipe works too) and prints one line per record, the TREE record
 * followed by a table of its tasks (one indented line per task), or with
 * --json a JSON array with one object per record.  Everything is checked
 * on the way against the image format of <linux/checkpoint_hdr.h>:
 * record lengths, alignment and zero padding, strings, counts against
 * their limits, the order of the records (the grammar), the tree (creation
 * order, threads, zombies, sessions and groups), the object references
 * (shared with the creator or new) and the trailer's CRC-32.  At the first
 * problem it stops and prints
 *
 *   ckptinfo: FILE: offset N: reason
 *
 * on standard error (N: the offset of the offending record) and exits
 * with 1.  Page contents are never printed, only counted.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/checkpoint.h>
#include <linux/checkpoint_hdr.h>

/* Images are little-endian and decoded in place. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ckptinfo decodes images on little-endian hosts only"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define ALIGN8(x)		(((x) + CKPT_ALIGN - 1) & ~(__u64)(CKPT_ALIGN - 1))

/* Sanity bounds that the header file leaves to the reader. */
#define X86_PAGE_SIZE		4096
#define USER_ADDR_END		0x00fffffffffff000ULL	/* 5-level paging */
#define PID_MAX			4194304			/* PID_MAX_LIMIT */
#define XSTATE_MIN		576			/* legacy area + header */
#define XSTATE_MAX		65536
#define XSAVE_HDR_OFFSET	512
#define MAX_FILES_PER_TASK	(CKPT_MAX_FDS + CKPT_MAX_VMAS + 1)
#define RLIM_INFINITY_U64	(~0ULL)
#define CAP_VALID_MASK		((1ULL << 41) - 1)	/* up to CAP_LAST_CAP 40 */
#define SECUREBITS_VALID	0xffU			/* bits and their locks */
#define ROBUST_LIST_HEAD_SIZE	24			/* struct robust_list_head */
#define RSEQ_AREA_SIZE		32			/* struct rseq, its alignment */
#define USER_CS			0x33
#define USER_DS			0x2b
#define SS_ONSTACK_BIT		1U
#define SS_DISABLE_BIT		2U
#define SS_AUTODISARM_BIT	(1U << 31)
/* O_* flags that a FILE record may carry, with the kernel's values */
#define FILE_VALID_FLAGS	(00000003 | 00002000 | 00004000 | 00010000 | \
				 00020000 | 00040000 | 00100000 | 00200000 | \
				 00400000 | 01000000 | 04000000 | 010000000)
/* ... and that of a pipe: access mode, nonblock, direct, largefile */
#define PIPE_VALID_FLAGS	(00000003 | 00004000 | 00020000 | 00040000 | \
				 00100000)
/* ... and that of an eventfd, signalfd, timerfd or epoll: access mode,
 * nonblock, cloexec
 */
#define EVENTFD_VALID_FLAGS	(00000003 | 00004000 | 00020000 | 02000000)
/* ... and that of a pty: access mode, nonblock, async, largefile */
#define PTY_VALID_FLAGS		(00000003 | 00004000 | 00020000 | 00100000)
/* ... and that of the shell's terminal: also append, dsync, sync */
#define SHELL_TTY_VALID_FLAGS	(PTY_VALID_FLAGS | 00002000 | 00010000 | \
				 04000000)
#define KO_PATH			010000000
/* The coredump filter bits of mm->flags (MMF_DUMP_FILTER_MASK) */
#define MM_VALID_FLAGS		0x7fcULL
/* SA_* flags that user space may set (UAPI_SA_FLAGS of x86) */
#define SA_VALID_FLAGS		0xdc000807ULL

/* Read at most this much at once, so a bogus length costs no memory. */
#define READ_CHUNK		(1U << 20)

static const char *progname = "ckptinfo";
static const char *fname;
static FILE *in;
static bool json;

/* ------------------------------------------------------------------ */
/* CRC-32 as zlib's crc32(): reflected, polynomial 0xedb88320.         */

static __u32 crc_table[256];

static void crc32_init(void)
{
	__u32 c, n, k;

	for (n = 0; n < 256; n++) {
		c = n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320U ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
}

/* Update @crc (0 to start, as zlib) with @len bytes of @buf. */
static __u32 crc32_update(__u32 crc, const unsigned char *buf,
			     size_t len)
{
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *buf++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ------------------------------------------------------------------ */
/* Output: one line per record, or a JSON array of objects.           */

#define MAX_DEPTH	8

static int depth;		/* nesting inside the current record */
static bool first[MAX_DEPTH];	/* nothing emitted yet at that depth */
static bool array_open;		/* JSON: "[" printed */
static bool any_record;

static bool utf8_seq(const unsigned char *s, size_t *len)
{
	unsigned char c = s[0];
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return false;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return false;
	*len = n;
	return true;
}

/*
 * Print the NUL-terminated @str: as a JSON string, or for people with
 * the control characters, backslashes and invalid UTF-8 escaped.
 */
static void put_str(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	if (json)
		putchar('"');
	else if (!*s)
		fputs("\"\"", stdout);
	while (*s) {
		if (*s >= 0x80) {
			if (utf8_seq(s, &n)) {
				fwrite(s, 1, n, stdout);
				s += n;
			} else {
				printf(json ? "\\u%04x" : "\\x%02x", *s++);
			}
			continue;
		}
		if (*s == '\\' || (json && *s == '"'))
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if (*s < 0x20 || *s == 0x7f)
			printf(json ? "\\u%04x" : "\\x%02x", *s);
		else
			putchar(*s);
		s++;
	}
	if (json)
		putchar('"');
}

/* Start an item at the current depth: separator and key. */
static void item(const char *key)
{
	if (!first[depth])
		fputs(json ? "," : " ", stdout);
	first[depth] = false;
	if (!key)
		return;
	if (json)
		printf("\"%s\":", key);
	else
		printf("%s ", key);
}

static void rec_out_begin(__u64 off, const char *type, __u32 len)
{
	if (json) {
		if (!array_open) {
			putchar('[');
			array_open = true;
		}
		printf("%s\n{\"offset\":%llu,\"type\":\"%s\",\"len\":%u",
		       any_record ? "," : "", off, type, len);
		first[0] = false;
	} else {
		printf("%10llu %-10s %7u ", off, type, len);
		first[0] = true;
	}
	any_record = true;
	depth = 0;
}

static void rec_out_end(void)
{
	putchar(json ? '}' : '\n');
}

/* Close the JSON array, if any: the output stays valid on errors. */
static void out_finish(void)
{
	if (json) {
		if (!array_open)
			putchar('[');
		puts("\n]");
		array_open = false;
	}
	fflush(stdout);
}

static void kv_u(const char *key, __u64 v)
{
	item(key);
	printf("%llu", v);
}

static void kv_d(const char *key, __s64 v)
{
	item(key);
	printf("%lld", v);
}

/* Hex: a string in JSON, where 64-bit numbers lose precision. */
static void kv_x(const char *key, __u64 v)
{
	item(key);
	printf(json ? "\"0x%llx\"" : "0x%llx", v);
}

static void kv_o(const char *key, __u64 v)
{
	item(key);
	printf(json ? "\"0%llo\"" : "0%llo", v);
}

static void kv_s(const char *key, const char *s)
{
	item(key);
	put_str(s);
}

static void kv_b(const char *key, bool v)
{
	item(key);
	fputs(json ? (v ? "true" : "false") : (v ? "yes" : "no"), stdout);
}

static void nest_begin(const char *key, char open)
{
	item(key);
	putchar(open);
	if (depth + 1 < MAX_DEPTH)
		depth++;
	first[depth] = true;
}

static void nest_end(char close)
{
	putchar(close);
	if (depth > 0)
		depth--;
}

static void arr_begin(const char *key)	{ nest_begin(key, '['); }
static void arr_end(void)		{ nest_end(']'); }
static void obj_begin(const char *key)	{ nest_begin(key, '{'); }
static void obj_end(void)		{ nest_end('}'); }

/* ------------------------------------------------------------------ */
/* Errors.                                                             */

static void __attribute__((noreturn, format(printf, 2, 3)))
fail_at(__u64 off, const char *fmt, ...)
{
	va_list ap;

	out_finish();
	fprintf(stderr, "%s: %s: offset %llu: ", progname, fname, off);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void __attribute__((noreturn)) out_of_memory(void)
{
	out_finish();
	fprintf(stderr, "%s: out of memory\n", progname);
	exit(1);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

/* ------------------------------------------------------------------ */
/* Names.                                                              */

static const char *const rec_names[CKPT_HDR_MAX] = {
	[CKPT_HDR_HEADER]	= "HEADER",
	[CKPT_HDR_TREE]		= "TREE",
	[CKPT_HDR_TASK]		= "TASK",
	[CKPT_HDR_CREDS]	= "CREDS",
	[CKPT_HDR_FILE]		= "FILE",
	[CKPT_HDR_MM]		= "MM",
	[CKPT_HDR_VMA]		= "VMA",
	[CKPT_HDR_PAGES]	= "PAGES",
	[CKPT_HDR_FS]		= "FS",
	[CKPT_HDR_FDTABLE]	= "FDTABLE",
	[CKPT_HDR_FD]		= "FD",
	[CKPT_HDR_SIGHAND]	= "SIGHAND",
	[CKPT_HDR_SIGNAL]	= "SIGNAL",
	[CKPT_HDR_CPU]		= "CPU",
	[CKPT_HDR_XSTATE]	= "XSTATE",
	[CKPT_HDR_TRAILER]	= "TRAILER",
	[CKPT_HDR_SIGPENDING]	= "SIGPENDING",
	[CKPT_HDR_ITIMERS]	= "ITIMERS",
	[CKPT_HDR_POSIX_TIMERS]	= "POSIX_TIMERS",
	[CKPT_HDR_PIPE]		= "PIPE",
	[CKPT_HDR_PIPE_BUF]	= "PIPE_BUF",
	[CKPT_HDR_EVENTFD]	= "EVENTFD",
	[CKPT_HDR_SIGNALFD]	= "SIGNALFD",
	[CKPT_HDR_LOCKS]	= "LOCKS",
	[CKPT_HDR_TIMERFD]	= "TIMERFD",
	[CKPT_HDR_INODE]	= "INODE",
	[CKPT_HDR_DATA]		= "DATA",
	[CKPT_HDR_EPOLL]	= "EPOLL",
	[CKPT_HDR_FOWNER]	= "FOWNER",
	[CKPT_HDR_INOTIFY]	= "INOTIFY",
	[CKPT_HDR_INOTIFY_WATCH] = "INOTIFY_WATCH",
	[CKPT_HDR_PTY]		= "PTY",
	[CKPT_HDR_TTY]		= "TTY",
	[CKPT_HDR_PIDNS]	= "PIDNS",
};

static const char *rec_name(__u32 type)
{
	return type < CKPT_HDR_MAX && rec_names[type] ? rec_names[type] : NULL;
}

static const char *const sig_names[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS",
};

/* (KTIME_MAX / NSEC_PER_SEC / 4) seconds in ns */
#define CLOCK_MAX_NS	(2305843009ULL * 1000000000ULL)

#define KSIGKILL	9
#define KSIGSTOP	19
#define KSIGTSTP	20
#define KSIGTTIN	21
#define KSIGTTOU	22

static const char *sig_name(unsigned int sig, char *buf, size_t size)
{
	if (sig < ARRAY_SIZE(sig_names) && sig_names[sig])
		return sig_names[sig];
	snprintf(buf, size, "SIG%u", sig);
	return buf;
}

static const char *const rlim_names[CKPT_RLIM_NLIMITS] = {
	"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio",
	"rttime",
};

struct flag_name {
	__u64 bit;
	const char *name;
};

/* "a|b|0x40", or "-" for none. */
static const char *flags_str(char *buf, size_t size, __u64 v,
			     const struct flag_name *names)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; names->name; names++) {
		if (!(v & names->bit))
			continue;
		v &= ~names->bit;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
				len ? "|" : "", names->name);
	}
	if (v)
		len += snprintf(buf + len, len < size ? size - len : 0,
				"%s0x%llx", len ? "|" : "", v);
	if (!len)
		snprintf(buf, size, "-");
	return buf;
}

/* O_* flags with the values of the x86_64 kernel (not glibc's). */
static const struct flag_name open_flags[] = {
	{ 00000100, "creat" },		{ 00000200, "excl" },
	{ 00000400, "noctty" },		{ 00001000, "trunc" },
	{ 00002000, "append" },		{ 00004000, "nonblock" },
	{ 00010000, "dsync" },		{ 00020000, "async" },
	{ 00040000, "direct" },		{ 00100000, "largefile" },
	{ 00200000, "directory" },	{ 00400000, "nofollow" },
	{ 01000000, "noatime" },	{ 02000000, "cloexec" },
	{ 04000000, "sync" },		{ 010000000, "path" },
	{ 020000000, "tmpfile" },	{ 0, NULL }
};

static const struct flag_name vma_flags[] = {
	{ CKPT_VMA_F_SHARED, "shared" },
	{ CKPT_VMA_F_GROWSDOWN, "growsdown" },
	{ CKPT_VMA_F_DONTDUMP, "dontdump" },
	{ CKPT_VMA_F_DONTFORK, "dontfork" },
	{ CKPT_VMA_F_WIPEONFORK, "wipeonfork" },
	{ CKPT_VMA_F_SEQ_READ, "seq_read" },
	{ CKPT_VMA_F_RAND_READ, "rand_read" },
	{ 0, NULL }
};

static const struct flag_name sa_flags[] = {
	{ 0x00000001, "nocldstop" },	{ 0x00000002, "nocldwait" },
	{ 0x00000004, "siginfo" },	{ 0x00000400, "unsupported" },
	{ 0x00000800, "expose_tagbits" }, { 0x04000000, "restorer" },
	{ 0x08000000, "onstack" },	{ 0x10000000, "restart" },
	{ 0x40000000, "nodefer" },	{ 0x80000000, "resethand" },
	{ 0, NULL }
};

static const struct flag_name ss_flags[] = {
	{ 1, "onstack" }, { 2, "disable" }, { 1U << 31, "autodisarm" },
	{ 0, NULL }
};

static const struct flag_name xfeature_names[] = {
	{ 1 << 0, "x87" },	{ 1 << 1, "sse" },	{ 1 << 2, "avx" },
	{ 1 << 3, "bndregs" },	{ 1 << 4, "bndcsr" },	{ 1 << 5, "opmask" },
	{ 1 << 6, "zmm_hi256" }, { 1 << 7, "hi16_zmm" }, { 1 << 8, "pt" },
	{ 1 << 9, "pkru" },	{ 1 << 10, "pasid" },	{ 1 << 11, "cet_u" },
	{ 1 << 12, "cet_s" },	{ 1 << 13, "hdc" },	{ 1 << 14, "uintr" },
	{ 1 << 15, "lbr" },	{ 1 << 16, "hwp" },	{ 1 << 17, "xtilecfg" },
	{ 1 << 18, "xtiledata" }, { 0, NULL }
};

static const struct flag_name ckpt_flags[] = {
	{ CKPT_KILL, "kill" }, { CKPT_STOP, "stop" }, { 0, NULL }
};

#define TASK_FLAGS_KNOWN	(CKPT_TASK_SELF | CKPT_TASK_SUBREAPER | \
				 CKPT_TASK_NANOSLEEP | CKPT_TASK_STOPPED | \
				 CKPT_TASK_STOP_UNREPORTED | CKPT_TASK_FUTEX_WAIT | \
				 CKPT_TASK_SIGTIMEDWAIT)

static const struct flag_name task_flags[] = {
	{ CKPT_TASK_SELF, "self" }, { CKPT_TASK_SUBREAPER, "subreaper" },
	{ CKPT_TASK_NANOSLEEP, "nanosleep" },
	{ CKPT_TASK_STOPPED, "stopped" },
	{ CKPT_TASK_STOP_UNREPORTED, "stop_unreported" },
	{ CKPT_TASK_FUTEX_WAIT, "futex_wait" },
	{ CKPT_TASK_SIGTIMEDWAIT, "sigtimedwait" },
	{ 0, NULL }
};

static const struct flag_name tree_flags[] = {
	{ CKPT_TREE_THREAD, "thread" },
	{ CKPT_TREE_ZOMBIE, "zombie" },
	{ CKPT_TREE_SHARE_VM, "share-vm" },
	{ CKPT_TREE_SHARE_FILES, "share-files" },
	{ CKPT_TREE_SHARE_FS, "share-fs" },
	{ CKPT_TREE_SHARE_SIGHAND, "share-sighand" },
	{ 0, NULL }
};

static const struct flag_name fd_flags[] = {
	{ CKPT_FD_CLOEXEC, "cloexec" }, { 0, NULL }
};

/* Date of a CLOCK_REALTIME time, UTC, ISO 8601. */
static const char *date_str(char *buf, size_t size, __s64 sec,
			    __u32 nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	n = 0;
	if (gmtime_r(&t, &tm))
		n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!n)
		snprintf(buf, size, "%lld.%09u", sec, nsec);
	else
		snprintf(buf + n, size - n, ".%09uZ", nsec);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Reading records.                                                    */

static struct {
	__u64 off;		/* offset of the record in the image */
	__u32 type;
	__u32 len;		/* from its header */
	unsigned char *buf;	/* its bytes read so far */
	size_t have, cap;
} rec;

static __u64 pos;		/* offset of the next record */
static __u32 crc;		/* of all the records before pos */
static __u64 nr_records;

#define recfail(fmt, ...) \
	fail_at(rec.off, "%s record: " fmt, rec_name(rec.type), ##__VA_ARGS__)

/* Try to have @n bytes of the record in rec.buf; false on end of file. */
static bool fetch_try(size_t n)
{
	size_t want, got, cap;

	while (rec.have < n) {
		want = n - rec.have;
		if (want > READ_CHUNK)
			want = READ_CHUNK;
		if (rec.have + want > rec.cap) {
			cap = rec.cap ? rec.cap : 4096;
			while (cap < rec.have + want)
				cap *= 2;
			if (cap > n)
				cap = n;
			rec.buf = xrealloc(rec.buf, cap);
			rec.cap = cap;
		}
		got = fread(rec.buf + rec.have, 1, want, in);
		rec.have += got;
		if (got < want) {
			if (ferror(in))
				fail_at(rec.off + rec.have, "read error: %s",
					strerror(errno));
			return false;
		}
	}
	return true;
}

/* Have @n bytes of the record, or fail: the image is truncated. */
static void fetch(size_t n)
{
	if (!fetch_try(n))
		fail_at(rec.off, "truncated %s record: %zu of %llu bytes present",
			rec_name(rec.type) ?: "?", rec.have,
			(__u64)ALIGN8(rec.len));
}

/* Read the header of the next record, which must be of type @expect. */
static void rec_begin(__u32 expect)
{
	struct ckpt_hdr h;
	const char *name;

	rec.off = pos;
	rec.have = 0;
	rec.type = expect;
	rec.len = 0;
	if (!fetch_try(sizeof(h))) {
		if (!rec.have)
			fail_at(pos, "unexpected end of image: expected %s record",
				rec_name(expect));
		fail_at(pos, "truncated record header: %zu of %zu bytes present",
			rec.have, sizeof(h));
	}
	memcpy(&h, rec.buf, sizeof(h));
	if (h.type != expect) {
		name = rec_name(h.type);
		if (name)
			fail_at(pos, "expected %s record, found %s",
				rec_name(expect), name);
		fail_at(pos, "expected %s record, found unknown record type %u",
			rec_name(expect), h.type);
	}
	rec.len = h.len;
}

/* The record must be at least @size bytes long; read them. */
static void rec_fixed(size_t size)
{
	if (rec.len < size)
		recfail("length %u too small, at least %zu expected", rec.len,
			size);
	fetch(size);
}

/* The record must be @len bytes long exactly; read all of it. */
static void rec_len(__u64 len)
{
	if (rec.len != len)
		recfail("length %u, expected %llu", rec.len, len);
	fetch(len);
}

/* Read and check the padding; account the record to the CRC. */
static void rec_end(bool in_crc)
{
	__u64 end = ALIGN8(rec.len);
	__u64 i;

	fetch(end);
	for (i = rec.len; i < end; i++)
		if (rec.buf[i])
			fail_at(rec.off + i, "%s record: non-zero padding byte",
				rec_name(rec.type));
	if (in_crc) {
		crc = crc32_update(crc, rec.buf, end);
		nr_records++;
	}
	pos += end;
}

/* Is the @size bytes field @s a NUL-terminated string? */
static bool has_nul(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/*
 * A path of @len bytes (NUL included) at @p: absolute, NUL-terminated
 * and without NUL before its end.
 */
static void check_path(const char *what, const char *p, __u32 len)
{
	if (len < 2 || len > CKPT_PATH_MAX)
		recfail("%s length %u out of range [2, %d]", what, len,
			CKPT_PATH_MAX);
	if (p[len - 1] != '\0')
		recfail("%s is not NUL-terminated", what);
	if (strlen(p) != len - 1)
		recfail("%s has a NUL byte inside", what);
	if (p[0] != '/')
		recfail("%s is not absolute", what);
}

static void check_zero(const char *what, const void *p, size_t size)
{
	const unsigned char *b = p;

	while (size--)
		if (*b++)
			recfail("%s is not zero", what);
}

/* ------------------------------------------------------------------ */
/* Object references: a hash of ref -> object.                         */

enum obj_kind { OBJ_FILE = 1, OBJ_MM, OBJ_FS, OBJ_FILES, OBJ_SIGHAND,
		OBJ_PIPE, OBJ_EVENTFD, OBJ_SIGNALFD, OBJ_TIMERFD,
		OBJ_INODE, OBJ_INOTIFY, OBJ_PTY };

static const char *const obj_kind_names[] = {
	[OBJ_FILE] = "FILE", [OBJ_MM] = "MM", [OBJ_FS] = "FS",
	[OBJ_FILES] = "FDTABLE", [OBJ_SIGHAND] = "SIGHAND",
	[OBJ_PIPE] = "PIPE", [OBJ_EVENTFD] = "EVENTFD",
	[OBJ_SIGNALFD] = "SIGNALFD", [OBJ_TIMERFD] = "TIMERFD",
	[OBJ_INODE] = "INODE", [OBJ_INOTIFY] = "INOTIFY", [OBJ_PTY] = "PTY",
};

struct obj {
	__u32 ref;		/* 0: free slot */
	__u32 kind;
	__u32 file_type;	/* OBJ_FILE */
	char *path;		/* OBJ_FILE */
};

static struct obj *objs;
static size_t objs_cap, objs_nr;

static size_t hash32(__u32 v, size_t cap)
{
	return (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static struct obj *obj_slot(struct obj *tab, size_t cap, __u32 ref)
{
	size_t i = hash32(ref, cap);

	while (tab[i].ref && tab[i].ref != ref)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct obj *obj_find(__u32 ref)
{
	struct obj *o;

	if (!objs_cap || !ref)
		return NULL;
	o = obj_slot(objs, objs_cap, ref);
	return o->ref ? o : NULL;
}

static struct obj *obj_add(__u32 ref, enum obj_kind kind)
{
	struct obj *o, *tab;
	size_t i, cap;

	if ((objs_nr + 1) * 2 > objs_cap) {
		cap = objs_cap ? objs_cap * 2 : 64;
		tab = calloc(cap, sizeof(*tab));
		if (!tab)
			out_of_memory();
		for (i = 0; i < objs_cap; i++)
			if (objs[i].ref)
				*obj_slot(tab, cap, objs[i].ref) = objs[i];
		free(objs);
		objs = tab;
		objs_cap = cap;
	}
	o = obj_slot(objs, objs_cap, ref);
	o->ref = ref;
	o->kind = kind;
	objs_nr++;
	return o;
}

/* A ref that a record introduces: positive and not used before. */
static void check_new_ref(const char *what, __u32 ref)
{
	struct obj *o;

	if (!ref)
		recfail("%s is 0", what);
	o = obj_find(ref);
	if (o)
		recfail("%s %u already names a %s", what, ref,
			obj_kind_names[o->kind]);
}

/* A ref to an existing object of @kind. */
static struct obj *check_ref(const char *what, __u32 ref,
			     enum obj_kind kind)
{
	struct obj *o = obj_find(ref);

	if (!o)
		recfail("%s %u names no object saved before", what, ref);
	if (o->kind != kind)
		recfail("%s %u names a %s, not a %s", what, ref,
			obj_kind_names[o->kind], obj_kind_names[kind]);
	return o;
}

/* ------------------------------------------------------------------ */
/* The records.                                                        */

static struct ckpt_hdr_header hdr;
static struct ckpt_tree_entry *tree;
static __u32 nr_tasks;

static void parse_header(void)
{
	const size_t fixed = offsetof(struct ckpt_hdr_header, page_size);
	char buf[64], date[64];
	struct ckpt_hdr h;

	rec.off = 0;
	rec.type = CKPT_HDR_HEADER;
	if (!fetch_try(offsetof(struct ckpt_hdr_header, version))) {
		if (!rec.have)
			fail_at(0, "empty file: not a checkpoint image");
		fail_at(0, "not a checkpoint image: only %zu bytes", rec.have);
	}
	memcpy(&h, rec.buf, sizeof(h));
	if (memcmp(rec.buf + sizeof(h), CKPT_MAGIC, sizeof(CKPT_MAGIC)))
		fail_at(0, "not a checkpoint image: bad magic");
	if (h.type != CKPT_HDR_HEADER)
		fail_at(0, "not a checkpoint image: first record type %u, expected HEADER",
			h.type);
	rec.len = h.len;
	/* The version first: another version may have another length. */
	if (rec.len >= fixed) {
		fetch(fixed);
		memcpy(&hdr, rec.buf, fixed);
		if (hdr.version != CKPT_VERSION)
			recfail("unsupported image version %u (%s reads version %d)",
				hdr.version, progname, CKPT_VERSION);
		if (hdr.arch != CKPT_ARCH_X86_64)
			recfail("unsupported architecture %u (only x86_64 is known)",
				hdr.arch);
	}
	rec_len(sizeof(hdr));
	memcpy(&hdr, rec.buf, sizeof(hdr));

	if (hdr.page_size != X86_PAGE_SIZE)
		recfail("page size %u, expected %d on x86_64", hdr.page_size,
			X86_PAGE_SIZE);
	if (hdr.flags & ~CKPT_FLAGS_ALL)
		recfail("unknown checkpoint flags 0x%x", hdr.flags);
	if ((hdr.flags & CKPT_KILL) && (hdr.flags & CKPT_STOP))
		recfail("flags kill and stop together");
	if ((__s64)hdr.ckpt_id <= 0)
		recfail("checkpoint id %lld is not positive",
			(__s64)hdr.ckpt_id);
	if (hdr.xstate_size < XSTATE_MIN || hdr.xstate_size > XSTATE_MAX)
		recfail("xstate size %u out of range [%d, %d]",
			hdr.xstate_size, XSTATE_MIN, XSTATE_MAX);
	check_zero("reserved", &hdr.reserved, sizeof(hdr.reserved));
	check_zero("padding", hdr.__pad, sizeof(hdr.__pad));
	/* The kernel's KTIME_SEC_MAX / 4 seconds */
	if (hdr.mono_ns > CLOCK_MAX_NS || hdr.boot_ns > CLOCK_MAX_NS)
		recfail("clocks out of range: monotonic %llu, boottime %llu ns",
			(unsigned long long)hdr.mono_ns,
			(unsigned long long)hdr.boot_ns);
	if (!has_nul(hdr.release, sizeof(hdr.release)))
		recfail("release is not NUL-terminated");
	if (!has_nul(hdr.machine, sizeof(hdr.machine)))
		recfail("machine is not NUL-terminated");

	rec_out_begin(rec.off, "HEADER", rec.len);
	kv_s("magic", hdr.magic);
	kv_u("version", hdr.version);
	kv_s("arch", "x86_64");
	kv_u("page_size", hdr.page_size);
	kv_s("flags", flags_str(buf, sizeof(buf), hdr.flags, ckpt_flags));
	kv_u("ckpt_id", hdr.ckpt_id);
	kv_s("time", date_str(date, sizeof(date),
			      (__s64)(hdr.time_ns / 1000000000ULL),
			      (__u32)(hdr.time_ns % 1000000000ULL)));
	kv_u("monotonic_ns", hdr.mono_ns);
	kv_u("boottime_ns", hdr.boot_ns);
	kv_s("release", hdr.release);
	kv_s("machine", hdr.machine);
	kv_x("xfeatures", hdr.xfeatures);
	kv_u("xstate_size", hdr.xstate_size);
	rec_out_end();
	rec_end(true);
}

/* Index + 1 of the tree entry with pid @pid, in a hash of pids. */
static __u32 *pid_tab;
static size_t pid_cap;

static __u32 *pid_slot(__s32 pid)
{
	size_t i = hash32((__u32)pid, pid_cap);

	while (pid_tab[i] && tree[pid_tab[i] - 1].pid != pid)
		i = (i + 1) & (pid_cap - 1);
	return &pid_tab[i];
}

/* The entry listed before with pid @pid, or NULL. */
static const struct ckpt_tree_entry *tree_find(__s32 pid)
{
	__u32 i = *pid_slot(pid);

	return i ? &tree[i - 1] : NULL;
}

/*
 * Per tree entry: the index of the task that creates it at restart (its
 * group leader for a thread, its parent thread for a process; -1 for the
 * root), and the object refs of its TASK record once read.
 */
static __s32 *creator;
static __u32 (*task_refs)[4];

/* The flags of entry @i on their own. */
static void check_tree_flags(__u32 i)
{
	const struct ckpt_tree_entry *e = &tree[i];
	bool thread = e->flags & CKPT_TREE_THREAD;
	char buf[128];

	if (thread == (e->tgid == e->pid))
		recfail("entry %u: pid %d tgid %d: %s", i, e->pid, e->tgid,
			e->tgid == e->pid ? "a group leader flagged thread" :
					    "a thread not flagged thread");
	if ((e->flags & CKPT_TREE_ZOMBIE) &&
	    (e->flags & ~CKPT_TREE_ZOMBIE))
		recfail("entry %u: zombie %d with flags %s", i, e->pid,
			flags_str(buf, sizeof(buf), e->flags, tree_flags));
	if ((e->flags & CKPT_TREE_SHARE_SIGHAND) &&
	    !(e->flags & CKPT_TREE_SHARE_VM))
		recfail("entry %u: pid %d shares its signal actions but not its mm",
			i, e->pid);
	if (thread && !(e->flags & CKPT_TREE_SHARE_SIGHAND))
		recfail("entry %u: thread %d does not share its leader's signal actions",
			i, e->pid);
	if (e->sid == e->pid && e->pgid != e->pid)
		recfail("entry %u: session leader %d in process group %d", i,
			e->pid, e->pgid);
}

/* Entry @i and the task @c that creates it at restart. */
static void check_tree_creator(__u32 i, const struct ckpt_tree_entry *c)
{
	const struct ckpt_tree_entry *e = &tree[i];

	if (c->flags & CKPT_TREE_ZOMBIE)
		recfail("entry %u: pid %d is created by zombie %d", i, e->pid,
			c->pid);
	if (!(e->flags & CKPT_TREE_THREAD))
		return;
	if (c->flags & CKPT_TREE_THREAD)
		recfail("entry %u: thread %d: its leader %d is a thread", i,
			e->pid, c->pid);
	if (e->ppid != c->ppid)
		recfail("entry %u: thread %d has parent %d, its leader %d has %d",
			i, e->pid, e->ppid, c->pid, c->ppid);
	if (e->pgid != c->pgid || e->sid != c->sid)
		recfail("entry %u: thread %d is not in its leader's process group and session",
			i, e->pid);
}

/*
 * A process can be put back in its session and group at restart: it
 * leads its session or inherits its creator's, and it leads its group,
 * inherits it or joins that of a process listed before it.
 */
static void check_tree_groups(__u32 i)
{
	const struct ckpt_tree_entry *e = &tree[i], *c;
	__u32 j;

	if (e->flags & CKPT_TREE_THREAD)
		return;
	c = &tree[creator[i]];
	if (e->sid != e->pid && e->sid != c->sid)
		recfail("entry %u: pid %d in session %d, neither its own nor its creator's (%d)",
			i, e->pid, e->sid, c->sid);
	if (e->pgid == e->pid || e->pgid == c->pgid)
		return;
	for (j = 0; j < i; j++)
		if (!(tree[j].flags & CKPT_TREE_THREAD) &&
		    tree[j].pgid == e->pgid && tree[j].sid == e->sid)
			return;
	recfail("entry %u: pid %d in process group %d, which no process listed before it is in",
		i, e->pid, e->pgid);
}

/*
 * PIDNS: the pid namespaces below the tree's, numbered from 1 (0 is the
 * tree's).  Checked by the rules restart() applies.
 */
static __u32 pidns_nr;
static __u32 pidns_parent[CKPT_MAX_PIDNS + 1];
static __u32 pidns_level[CKPT_MAX_PIDNS + 1];
static __s32 pidns_first[CKPT_MAX_PIDNS + 1];	/* its init's entry */
static __u32 pidns_users[CKPT_MAX_PIDNS + 1];	/* tasks creating in it */
static const struct ckpt_pidns_task *pidns_task;
static const __s32 *pidns_vpids;
static __u32 pidns_nr_vpids, *pidns_off;

/* Is namespace @a @b or below it? */
static bool ns_below(__u32 a, __u32 b)
{
	while (pidns_level[a] > pidns_level[b])
		a = pidns_parent[a];
	return a == b;
}

/* Is entry @i an ancestor of entry @j in the creation tree? */
static bool tree_ancestor(__u32 i, __u32 j)
{
	while (j > i)
		j = creator[j];
	return j == i;
}

static void check_pidns_task(__u32 i, __u32 *off)
{
	const struct ckpt_pidns_task *t = &pidns_task[i];
	const struct ckpt_tree_entry *e = &tree[i];
	__u32 cns;

	if (t->ns > pidns_nr || t->ns_children > pidns_nr)
		recfail("pid %d: namespace %u or %u, beyond the %u listed",
			e->pid, t->ns, t->ns_children, pidns_nr);
	if (!ns_below(t->ns_children, t->ns))
		recfail("pid %d creates its children in namespace %u, neither its own (%u) nor one below",
			e->pid, t->ns_children, t->ns);
	if (e->flags & CKPT_TREE_ZOMBIE && t->ns_children != t->ns)
		recfail("zombie %d creates its children in another namespace",
			e->pid);
	if (pidns_nr_vpids - *off < pidns_level[t->ns])
		recfail("pid %d: fewer pids than the levels of the namespaces need",
			e->pid);
	pidns_off[i] = *off;
	*off += pidns_level[t->ns];
	if (!i) {
		if (t->ns)
			recfail("the root is in namespace %u, not the tree's",
				t->ns);
		return;
	}
	cns = pidns_task[creator[i]].ns;
	if (e->flags & CKPT_TREE_THREAD && t->ns != cns)
		recfail("thread %d is in namespace %u, its leader in %u",
			e->pid, t->ns, cns);
	if (pidns_first[t->ns] >= 0) {
		if (!ns_below(t->ns, cns))
			recfail("pid %d is in namespace %u, where its creator (in %u) cannot create it",
				e->pid, t->ns, cns);
		return;
	}
	if (pidns_parent[t->ns] != cns)
		recfail("pid %d, first of namespace %u, is created from namespace %u, not its parent %u",
			e->pid, t->ns, cns, pidns_parent[t->ns]);
	if (pidns_vpids[pidns_off[i]] != 1)
		recfail("pid %d, first of namespace %u (its init), has pid %d there",
			e->pid, t->ns, pidns_vpids[pidns_off[i]]);
	pidns_first[t->ns] = i;
}

/* The namespace each task creates children in exists when it is done */
static void check_pidns_children(__u32 i)
{
	const struct ckpt_pidns_task *t = &pidns_task[i];
	__s32 j = pidns_first[t->ns_children];

	if (t->ns_children == t->ns)
		return;
	if (j > (__s32)i && !tree_ancestor(i, j))
		recfail("pid %d creates its children in namespace %u, whose init %d comes after it, not below it",
			tree[i].pid, t->ns_children, tree[j].pid);
	if (j < 0 && (pidns_users[t->ns_children] ||
		      pidns_parent[t->ns_children] != t->ns))
		recfail("pid %d creates its children in the empty namespace %u, which another task, or one outside its parent, uses",
			tree[i].pid, t->ns_children);
	if (j < 0)
		pidns_users[t->ns_children]++;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Each pid at each level is in (0, PID_MAX) and unique there */
static void check_pidns_vpids(void)
{
	__u64 *keys = xrealloc(NULL, (pidns_nr_vpids + 1) * sizeof(*keys));
	__u32 i, l, a, n = 0;
	__s32 nr;

	for (i = 0; i < nr_tasks; i++) {
		a = pidns_task[i].ns;
		for (l = 0; a; l++, a = pidns_parent[a]) {
			nr = pidns_vpids[pidns_off[i] + l];
			if (nr <= 0 || nr >= PID_MAX)
				recfail("pid %d: pid %d in namespace %u, out of range",
					tree[i].pid, nr, a);
			keys[n++] = (__u64)a << 32 | (__u32)nr;
		}
	}
	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (i = 1; i < n; i++)
		if (keys[i] == keys[i - 1])
			recfail("pid %u of namespace %llu is listed twice",
				(__u32)keys[i], keys[i] >> 32);
	free(keys);
}

static void check_pidns(void)
{
	__u32 i, k, off = 0;

	for (k = 0; k <= pidns_nr; k++) {
		pidns_first[k] = -1;
		pidns_users[k] = 0;
	}
	pidns_first[0] = 0;
	for (i = 0; i < nr_tasks; i++)
		check_pidns_task(i, &off);
	if (off != pidns_nr_vpids)
		recfail("%u pids, %u expected from the tasks' levels",
			pidns_nr_vpids, off);
	for (i = 0; i < nr_tasks; i++)
		check_pidns_children(i);
	for (k = 1; k <= pidns_nr; k++)
		if (pidns_first[k] < 0 && !pidns_users[k])
			recfail("namespace %u has no task and no task creates children in it",
				k);
	check_pidns_vpids();
}

static void put_pidns(void)
{
	__u32 i, l, k;

	arr_begin("namespaces");
	for (k = 1; k <= pidns_nr; k++) {
		obj_begin(NULL);
		kv_u("ns", k);
		kv_u("parent", pidns_parent[k]);
		kv_u("level", pidns_level[k]);
		kv_d("init", pidns_first[k] >= 0 ?
			     tree[pidns_first[k]].pid : 0);
		obj_end();
	}
	arr_end();
	arr_begin("tasks");
	for (i = 0; i < nr_tasks; i++) {
		obj_begin(NULL);
		kv_d("pid", tree[i].pid);
		kv_u("ns", pidns_task[i].ns);
		kv_u("ns_children", pidns_task[i].ns_children);
		arr_begin("pids_below");
		for (l = 0; l < pidns_level[pidns_task[i].ns]; l++)
			kv_d(NULL, pidns_vpids[pidns_off[i] + l]);
		arr_end();
		obj_end();
	}
	arr_end();
}

static void parse_pidns(void)
{
	struct ckpt_hdr_pidns h;
	const __u32 *parent;
	__u64 len;
	__u32 k;

	rec_begin(CKPT_HDR_PIDNS);
	rec_fixed(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	if (!h.nr_ns || h.nr_ns > CKPT_MAX_PIDNS)
		recfail("%u namespaces, not 1 to %d", h.nr_ns, CKPT_MAX_PIDNS);
	if (h.nr_vpids > nr_tasks * CKPT_MAX_PIDNS_DEPTH)
		recfail("%u pids, more than %u tasks can have", h.nr_vpids,
			nr_tasks);
	len = sizeof(h) + (__u64)h.nr_ns * sizeof(__u32) +
	      (__u64)nr_tasks * sizeof(struct ckpt_pidns_task) +
	      (__u64)h.nr_vpids * sizeof(__s32);
	rec_len(len);
	pidns_nr = h.nr_ns;
	pidns_nr_vpids = h.nr_vpids;
	parent = (const __u32 *)(rec.buf + sizeof(h));
	pidns_task = (const struct ckpt_pidns_task *)(parent + h.nr_ns);
	pidns_vpids = (const __s32 *)(pidns_task + nr_tasks);
	for (k = 1; k <= pidns_nr; k++) {
		if (parent[k - 1] >= k)
			recfail("namespace %u has parent %u, not listed before it",
				k, parent[k - 1]);
		pidns_parent[k] = parent[k - 1];
		pidns_level[k] = pidns_level[pidns_parent[k]] + 1;
		if (pidns_level[k] > CKPT_MAX_PIDNS_DEPTH)
			recfail("namespace %u is %u levels below the tree's, more than %d",
				k, pidns_level[k], CKPT_MAX_PIDNS_DEPTH);
	}
	pidns_off = xrealloc(NULL, nr_tasks * sizeof(*pidns_off));
	check_pidns();

	rec_out_begin(rec.off, "PIDNS", rec.len);
	kv_u("nr_ns", pidns_nr);
	kv_u("nr_vpids", pidns_nr_vpids);
	put_pidns();
	rec_out_end();
	free(pidns_off);
	rec_end(true);
}

static void put_tree_table(void)
{
	const struct ckpt_tree_entry *e;
	char buf[128];
	__u32 i;

	printf("%10s %8s %8s %8s %8s %8s  %s\n", "", "pid", "tgid", "ppid",
	       "pgid", "sid", "flags");
	for (i = 0; i < nr_tasks; i++) {
		e = &tree[i];
		printf("%10s %8d %8d %8d %8d %8d  %s\n", "", e->pid, e->tgid,
		       e->ppid, e->pgid, e->sid,
		       flags_str(buf, sizeof(buf), e->flags, tree_flags));
	}
}

static void parse_tree(void)
{
	const struct ckpt_tree_entry *e, *p;
	struct ckpt_hdr_tree t;
	__u32 i, *slot, depth = 0, *stack;
	char buf[128];

	rec_begin(CKPT_HDR_TREE);
	rec_fixed(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	if (!t.nr_tasks)
		recfail("no tasks");
	if (t.nr_tasks > CKPT_MAX_TASKS)
		recfail("%u tasks, more than %d", t.nr_tasks, CKPT_MAX_TASKS);
	if (t.flags & ~(CKPT_TREE_F_PIDNS | CKPT_TREE_F_NESTED))
		recfail("unknown TREE flags 0x%x",
			t.flags & ~(CKPT_TREE_F_PIDNS | CKPT_TREE_F_NESTED));
	rec_len(sizeof(t) + (__u64)t.nr_tasks * sizeof(*tree));

	nr_tasks = t.nr_tasks;
	tree = xrealloc(NULL, nr_tasks * sizeof(*tree));
	memcpy(tree, rec.buf + sizeof(t), nr_tasks * sizeof(*tree));
	creator = xrealloc(NULL, nr_tasks * sizeof(*creator));
	task_refs = xrealloc(NULL, nr_tasks * sizeof(*task_refs));
	stack = xrealloc(NULL, nr_tasks * sizeof(*stack));
	pid_cap = 16;
	while (pid_cap < 2 * (size_t)nr_tasks)
		pid_cap *= 2;
	pid_tab = calloc(pid_cap, sizeof(*pid_tab));
	if (!pid_tab)
		out_of_memory();

	for (i = 0; i < nr_tasks; i++) {
		e = &tree[i];
		if (e->pid <= 0 || e->tgid <= 0 || e->ppid < 0 ||
		    e->pgid < 0 || e->sid < 0)
			recfail("entry %u: negative or zero id", i);
		if (e->pid >= PID_MAX || e->tgid >= PID_MAX ||
		    e->ppid >= PID_MAX || e->pgid >= PID_MAX ||
		    e->sid >= PID_MAX)
			recfail("entry %u: id beyond the pid limit %d", i,
				PID_MAX);
		if (e->flags & ~CKPT_TREE_FLAGS)
			recfail("entry %u: pid %d: unknown flags 0x%x", i,
				e->pid, e->flags & ~CKPT_TREE_FLAGS);
		check_tree_flags(i);
		slot = pid_slot(e->pid);
		if (*slot)
			recfail("entry %u: pid %d listed twice", i, e->pid);
		if (e->ppid) {
			if (!tree_find(e->ppid))
				recfail("entry %u: pid %d: parent %d is not listed before it",
					i, e->pid, e->ppid);
		} else if (i && e->tgid == e->pid) {
			recfail("entry %u: pid %d has no parent in the tree",
				i, e->pid);
		}
		if (e->tgid != e->pid) {
			p = tree_find(e->tgid);
			if (!p || p->tgid != p->pid)
				recfail("entry %u: pid %d: thread group leader %d is not listed before it",
					i, e->pid, e->tgid);
			creator[i] = *pid_slot(e->tgid) - 1;
		} else {
			creator[i] = e->ppid ? (__s32)*pid_slot(e->ppid) - 1 : -1;
		}
		if (creator[i] >= 0)
			check_tree_creator(i, &tree[creator[i]]);

		/*
		 * Depth first: the creator of each task is the previous
		 * entry or one of the tasks that created it.
		 */
		if (i) {
			while (depth && (__s32)stack[depth - 1] != creator[i])
				depth--;
			if (!depth)
				recfail("entry %u: pid %d: not in depth-first order after its creator %d",
					i, e->pid, tree[creator[i]].pid);
		}
		stack[depth++] = i;
		*slot = i + 1;
	}
	free(stack);
	if (tree[0].ppid)
		recfail("the root (pid %d) has its parent %d in the tree",
			tree[0].pid, tree[0].ppid);
	/* The root is a live process that shares nothing with the restarter */
	if (tree[0].flags)
		recfail("the root (pid %d) has flags %s", tree[0].pid,
			flags_str(buf, sizeof(buf), tree[0].flags, tree_flags));
	for (i = 1; i < nr_tasks; i++)
		check_tree_groups(i);
	if (t.flags & CKPT_TREE_F_PIDNS && tree[0].pid != 1)
		recfail("a whole pid namespace whose init has pid %d",
			tree[0].pid);

	rec_out_begin(rec.off, "TREE", rec.len);
	kv_u("nr_tasks", nr_tasks);
	kv_b("pid_namespace", t.flags & CKPT_TREE_F_PIDNS);
	kv_b("nested_pid_namespaces", t.flags & CKPT_TREE_F_NESTED);
	if (json) {
		arr_begin("tasks");
		for (i = 0; i < nr_tasks; i++) {
			e = &tree[i];
			obj_begin(NULL);
			kv_d("pid", e->pid);
			kv_d("tgid", e->tgid);
			kv_d("ppid", e->ppid);
			kv_d("pgid", e->pgid);
			kv_d("sid", e->sid);
			kv_s("flags", flags_str(buf, sizeof(buf), e->flags,
						tree_flags));
			obj_end();
		}
		arr_end();
	}
	rec_out_end();
	if (!json)
		put_tree_table();
	rec_end(true);
	if (t.flags & CKPT_TREE_F_NESTED)
		parse_pidns();
}

static void parse_creds(void)
{
	struct ckpt_hdr_creds c;
	__u32 i, g;

	rec_begin(CKPT_HDR_CREDS);
	rec_fixed(sizeof(c));
	memcpy(&c, rec.buf, sizeof(c));
	if (c.ngroups > CKPT_MAX_GROUPS)
		recfail("%u groups, more than %d", c.ngroups, CKPT_MAX_GROUPS);
	rec_len(sizeof(c) + (__u64)c.ngroups * sizeof(__u32));
	if ((c.cap_inheritable | c.cap_permitted | c.cap_effective |
	     c.cap_bset | c.cap_ambient) & ~CAP_VALID_MASK)
		recfail("unknown capabilities");
	if (c.securebits & ~SECUREBITS_VALID)
		recfail("unknown securebits 0x%x", c.securebits);
	if (c.cap_effective & ~c.cap_permitted)
		recfail("effective capabilities not in the permitted set");
	if (c.cap_ambient & ~(c.cap_permitted & c.cap_inheritable))
		recfail("ambient capabilities not in the permitted and inheritable sets");

	rec_out_begin(rec.off, "CREDS", rec.len);
	kv_u("uid", c.uid);
	kv_u("euid", c.euid);
	kv_u("suid", c.suid);
	kv_u("fsuid", c.fsuid);
	kv_u("gid", c.gid);
	kv_u("egid", c.egid);
	kv_u("sgid", c.sgid);
	kv_u("fsgid", c.fsgid);
	arr_begin("groups");
	for (i = 0; i < c.ngroups; i++) {
		memcpy(&g, rec.buf + sizeof(c) + i * sizeof(g), sizeof(g));
		kv_u(NULL, g);
	}
	arr_end();
	kv_x("cap_inheritable", c.cap_inheritable);
	kv_x("cap_permitted", c.cap_permitted);
	kv_x("cap_effective", c.cap_effective);
	kv_x("cap_bset", c.cap_bset);
	kv_x("cap_ambient", c.cap_ambient);
	kv_x("securebits", c.securebits);
	rec_out_end();
	rec_end(true);
}

static const char *const file_type_names[CKPT_FILE_MAX] = {
	[CKPT_FILE_REG] = "reg", [CKPT_FILE_DIR] = "dir",
	[CKPT_FILE_CHR] = "chr", [CKPT_FILE_PIPE] = "pipe",
	[CKPT_FILE_FIFO] = "fifo", [CKPT_FILE_EVENTFD] = "eventfd",
	[CKPT_FILE_SIGNALFD] = "signalfd", [CKPT_FILE_TIMERFD] = "timerfd",
	[CKPT_FILE_MEMFD] = "memfd", [CKPT_FILE_UNLINKED] = "unlinked",
	[CKPT_FILE_EPOLL] = "epoll", [CKPT_FILE_INOTIFY] = "inotify",
	[CKPT_FILE_PTMX] = "ptmx", [CKPT_FILE_PTS] = "pts",
	[CKPT_FILE_SHELL_TTY] = "shell_tty",
};

/* Kinds saved with their contents (INODE and DATA records) */
static bool whole(__u32 type)
{
	return type == CKPT_FILE_MEMFD || type == CKPT_FILE_UNLINKED;
}

/* Kinds of anonymous files with an object of their own in every record */
static bool own_obj(__u32 type)
{
	return type == CKPT_FILE_EVENTFD || type == CKPT_FILE_SIGNALFD ||
	       type == CKPT_FILE_TIMERFD || type == CKPT_FILE_INOTIFY;
}

/* Kinds of pty files: their PTY object is shared by both sides */
static bool is_pty(__u32 type)
{
	return type == CKPT_FILE_PTMX || type == CKPT_FILE_PTS;
}

/* FILE refs of the epoll files of the root, for their EPOLL records */
static __u32 *epoll_refs;
static size_t nr_epolls;

#define KS_IFMT		0170000
#define KS_IFDIR	0040000
#define KS_IFCHR	0020000
#define KS_IFREG	0100000
#define KS_IFIFO	0010000

/* A PIPE record and its PIPE_BUF records, for the object @ref */
static void parse_pipe(__u32 ref)
{
	__u64 total = 0;
	struct ckpt_hdr_pipe p;
	struct ckpt_hdr_pipe_buf b;
	__u32 i;

	rec_begin(CKPT_HDR_PIPE);
	rec_len(sizeof(p));
	memcpy(&p, rec.buf, sizeof(p));
	if (p.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", p.ref,
			ref);
	if (p.size < CKPT_PIPE_BUF_MAX || p.size > CKPT_MAX_PIPE_SIZE ||
	    (p.size & (p.size - 1)))
		recfail("size %u is not a power of two in [%u, %u]", p.size,
			CKPT_PIPE_BUF_MAX, CKPT_MAX_PIPE_SIZE);
	if (p.nr_bufs > p.size / CKPT_PIPE_BUF_MAX)
		recfail("%u buffers do not fit a pipe of %u bytes", p.nr_bufs,
			p.size);
	check_zero("reserved", &p.reserved, sizeof(p.reserved));
	obj_add(ref, OBJ_PIPE);
	rec_out_begin(rec.off, "PIPE", rec.len);
	kv_u("ref", p.ref);
	kv_u("size", p.size);
	kv_u("nr_bufs", p.nr_bufs);
	rec_out_end();
	rec_end(true);

	for (i = 0; i < p.nr_bufs; i++) {
		rec_begin(CKPT_HDR_PIPE_BUF);
		rec_fixed(sizeof(b));
		memcpy(&b, rec.buf, sizeof(b));
		if (!b.len || b.len > CKPT_PIPE_BUF_MAX)
			recfail("length %u out of range [1, %u]", b.len,
				CKPT_PIPE_BUF_MAX);
		if (b.flags & ~CKPT_PIPE_BUF_PACKET)
			recfail("unknown flags %#x", b.flags);
		rec_len(sizeof(b) + (__u64)b.len);
		total += b.len;
		rec_out_begin(rec.off, "PIPE_BUF", rec.len);
		kv_u("len", b.len);
		kv_s("flags", b.flags ? "packet" : "-");
		kv_u("bytes_so_far", total);
		rec_out_end();
		rec_end(true);
	}
}

/* An EVENTFD record, for the object @ref */
static void parse_eventfd(__u32 ref)
{
	struct ckpt_hdr_eventfd e;

	rec_begin(CKPT_HDR_EVENTFD);
	rec_len(sizeof(e));
	memcpy(&e, rec.buf, sizeof(e));
	if (e.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", e.ref,
			ref);
	if (e.flags & ~CKPT_EVENTFD_SEMAPHORE)
		recfail("unknown flags %#x", e.flags);
	if (e.count == ~0ULL)
		recfail("count 2^64 - 1");
	obj_add(ref, OBJ_EVENTFD);
	rec_out_begin(rec.off, "EVENTFD", rec.len);
	kv_u("ref", e.ref);
	kv_u("count", e.count);
	kv_s("flags", e.flags ? "semaphore" : "-");
	rec_out_end();
	rec_end(true);
}

/* A SIGNALFD record, for the object @ref */
static void parse_signalfd(__u32 ref)
{
	const __u64 kill_stop = (1ULL << (9 - 1)) | (1ULL << (19 - 1));
	struct ckpt_hdr_signalfd sf;

	rec_begin(CKPT_HDR_SIGNALFD);
	rec_len(sizeof(sf));
	memcpy(&sf, rec.buf, sizeof(sf));
	if (sf.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", sf.ref,
			ref);
	if (sf.mask & kill_stop)
		recfail("mask %#llx has SIGKILL or SIGSTOP",
			(unsigned long long)sf.mask);
	check_zero("reserved", &sf.reserved, sizeof(sf.reserved));
	obj_add(ref, OBJ_SIGNALFD);
	rec_out_begin(rec.off, "SIGNALFD", rec.len);
	kv_u("ref", sf.ref);
	kv_x("mask", sf.mask);
	rec_out_end();
	rec_end(true);
}

/* A TIMERFD record, for the object @ref */
static void parse_timerfd(__u32 ref)
{
	struct ckpt_hdr_timerfd t;
	char buf[64];

	rec_begin(CKPT_HDR_TIMERFD);
	rec_len(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	if (t.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", t.ref,
			ref);
	/* REALTIME, MONOTONIC, BOOTTIME, REALTIME_ALARM, BOOTTIME_ALARM */
	if (t.clockid != 0 && t.clockid != 1 && t.clockid != 7 &&
	    t.clockid != 8 && t.clockid != 9)
		recfail("clock %d", t.clockid);
	if (t.flags & ~(CKPT_TIMERFD_ABSTIME | CKPT_TIMERFD_CANCEL_ON_SET))
		recfail("unknown flags %#x", t.flags);
	if (t.value_ns < 0 || t.interval_ns < 0)
		recfail("negative time");
	check_zero("reserved", &t.reserved, sizeof(t.reserved));
	obj_add(ref, OBJ_TIMERFD);
	rec_out_begin(rec.off, "TIMERFD", rec.len);
	kv_u("ref", t.ref);
	kv_d("clockid", t.clockid);
	snprintf(buf, sizeof(buf), "%s%s",
		 t.flags & CKPT_TIMERFD_ABSTIME ? "abstime " : "",
		 t.flags & CKPT_TIMERFD_CANCEL_ON_SET ? "cancel-on-set" : "");
	kv_s("flags", t.flags ? buf : "-");
	kv_d("value_ns", t.value_ns);
	kv_d("interval_ns", t.interval_ns);
	kv_u("ticks", t.ticks);
	rec_out_end();
	rec_end(true);
}

/* An INODE record and its DATA records, for the object @ref */
static void parse_inode(__u32 ref, __u32 type)
{
	__u64 next = 0, total = 0;
	struct ckpt_hdr_inode ino;
	struct ckpt_hdr_data d;
	const char *name;
	__u32 i;

	rec_begin(CKPT_HDR_INODE);
	rec_fixed(sizeof(ino));
	memcpy(&ino, rec.buf, sizeof(ino));
	if (ino.name_len < 2 || ino.name_len > CKPT_PATH_MAX)
		recfail("name length %u out of range", ino.name_len);
	rec_len(sizeof(ino) + (__u64)ino.name_len);
	name = (const char *)rec.buf + sizeof(ino);
	if (name[ino.name_len - 1] || strlen(name) != ino.name_len - 1)
		recfail("name is not a NUL-terminated string");
	if (ino.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", ino.ref,
			ref);
	if ((ino.mode & KS_IFMT) != KS_IFREG || ino.mode & ~(KS_IFMT | 07777))
		recfail("mode 0%o", ino.mode);
	if (ino.size > (__u64)LLONG_MAX)
		recfail("size %llu", (unsigned long long)ino.size);
	if (ino.seals & ~0x1fU || (type == CKPT_FILE_UNLINKED && ino.seals))
		recfail("seals %#x", ino.seals);
	if (type == CKPT_FILE_MEMFD && strncmp(name, "memfd:", 6))
		recfail("memfd name %s does not start with memfd:", name);
	if (type == CKPT_FILE_UNLINKED && name[0] != '/')
		recfail("directory %s is not absolute", name);
	if (ino.nr_data > (ino.size + hdr.page_size - 1) / hdr.page_size)
		recfail("%u DATA records for %llu bytes", ino.nr_data,
			(unsigned long long)ino.size);
	check_zero("reserved", &ino.reserved, sizeof(ino.reserved));
	obj_add(ref, OBJ_INODE);
	rec_out_begin(rec.off, "INODE", rec.len);
	kv_u("ref", ino.ref);
	kv_o("mode", ino.mode);
	kv_u("size", ino.size);
	kv_x("seals", ino.seals);
	kv_u("nr_data", ino.nr_data);
	kv_s(type == CKPT_FILE_MEMFD ? "name" : "directory", name);
	rec_out_end();
	rec_end(true);

	for (i = 0; i < ino.nr_data; i++) {
		rec_begin(CKPT_HDR_DATA);
		rec_fixed(sizeof(d));
		memcpy(&d, rec.buf, sizeof(d));
		if (!d.len || d.len > CKPT_DATA_MAX)
			recfail("length %u out of range [1, %u]", d.len,
				CKPT_DATA_MAX);
		if (d.offset % hdr.page_size || d.offset < next ||
		    d.offset > ino.size || d.len > ino.size - d.offset)
			recfail("offset %llu out of place",
				(unsigned long long)d.offset);
		check_zero("reserved", &d.reserved, sizeof(d.reserved));
		rec_len(sizeof(d) + (__u64)d.len);
		next = d.offset + d.len;
		total += d.len;
		rec_out_begin(rec.off, "DATA", rec.len);
		kv_u("offset", d.offset);
		kv_u("len", d.len);
		kv_u("bytes_so_far", total);
		rec_out_end();
		rec_end(true);
	}
}

/*
 * The object behind a FILE record: a pipe or an inode saved whole, made
 * here or before, or an eventfd's counter, a signalfd's mask or a
 * timerfd's timer, always new.
 */
static void parse_file_obj(const struct ckpt_hdr_file *f)
{
	bool want = f->type == CKPT_FILE_PIPE || own_obj(f->type) ||
		    whole(f->type) || is_pty(f->type) ||
		    (f->type == CKPT_FILE_FIFO && !(f->f_flags & KO_PATH));

	if (f->flags & ~(CKPT_FILE_OBJ_NEW | CKPT_FILE_OWNER))
		recfail("unknown flags %#x", f->flags);
	if (!want && (f->obj_ref || f->flags & CKPT_FILE_OBJ_NEW))
		recfail("a %s has no object", file_type_names[f->type]);
	if (!want)
		return;
	if (f->obj_ref == f->ref)
		recfail("obj_ref %u is the file's own ref", f->ref);
	if (own_obj(f->type) && !(f->flags & CKPT_FILE_OBJ_NEW))
		recfail("a %s's object is new in every FILE record",
			file_type_names[f->type]);
	if (f->flags & CKPT_FILE_OBJ_NEW)
		check_new_ref("obj_ref", f->obj_ref);
	else
		check_ref("obj_ref", f->obj_ref,
			  whole(f->type) ? OBJ_INODE :
			  is_pty(f->type) ? OBJ_PTY : OBJ_PIPE);
}

/* The open flags a FILE record of @type may carry */
static __u32 file_valid_flags(__u32 type)
{
	if (type == CKPT_FILE_PIPE)
		return PIPE_VALID_FLAGS;
	if (own_obj(type) || type == CKPT_FILE_EPOLL)
		return EVENTFD_VALID_FLAGS;
	if (is_pty(type))
		return PTY_VALID_FLAGS;
	if (type == CKPT_FILE_SHELL_TTY)
		return SHELL_TTY_VALID_FLAGS;
	return FILE_VALID_FLAGS;
}

static bool owner_in_tree(__u32 type, __s32 pid);

/* One side's TTY record of a pty pair */
static void parse_tty(const char *side)
{
	static const struct flag_name tty_flags[] = {
		{ CKPT_TTY_STOPPED, "stopped" },
		{ CKPT_TTY_TCO_STOPPED, "tco_stopped" },
		{ CKPT_TTY_LNEXT, "lnext" }, { CKPT_TTY_ERASING, "erasing" },
		{ CKPT_TTY_PUSH, "push" }, { CKPT_TTY_NO_ROOM, "no_room" },
		{ 0, NULL }
	};
	const unsigned char *data;
	struct ckpt_hdr_tty t;
	__u32 eol, i, lines = 0;
	char buf[128];

	rec_begin(CKPT_HDR_TTY);
	rec_fixed(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	if (t.count > CKPT_TTY_BUF_SIZE || t.nr_pending > CKPT_TTY_PENDING_MAX)
		recfail("%u bytes held, %u pending: more than %d and %d",
			t.count, t.nr_pending, CKPT_TTY_BUF_SIZE,
			CKPT_TTY_PENDING_MAX);
	eol = (t.count + 7) / 8;
	rec_len(sizeof(t) + (__u64)t.count + eol + t.nr_pending);
	data = rec.buf + sizeof(t);
	if (t.line != 0)
		recfail("line discipline %u, not N_TTY", t.line);
	if (t.flags & ~(__u32)(CKPT_TTY_STOPPED | CKPT_TTY_TCO_STOPPED |
			       CKPT_TTY_LNEXT | CKPT_TTY_ERASING |
			       CKPT_TTY_PUSH | CKPT_TTY_NO_ROOM))
		recfail("unknown flags %#x", t.flags);
	if (t.flags & CKPT_TTY_TCO_STOPPED && !(t.flags & CKPT_TTY_STOPPED))
		recfail("output stopped by tcflow() but not stopped");
	if (t.canon > t.count || t.commit > t.count || t.line_start > t.count)
		recfail("canon %u, commit %u or line_start %u beyond %u bytes",
			t.canon, t.commit, t.line_start, t.count);
	if (t.count % 8 && data[t.count + eol - 1] >> (t.count % 8))
		recfail("line end bits beyond %u bytes", t.count);
	for (i = 0; i < t.count; i++)
		lines += !!(data[t.count + i / 8] & (1 << (i % 8)));
	rec_out_begin(rec.off, "TTY", rec.len);
	kv_s("side", side);
	kv_x("iflag", t.iflag);
	kv_x("oflag", t.oflag);
	kv_x("cflag", t.cflag);
	kv_x("lflag", t.lflag);
	kv_u("ispeed", t.ispeed);
	kv_u("ospeed", t.ospeed);
	kv_s("flags", flags_str(buf, sizeof(buf), t.flags, tty_flags));
	kv_u("count", t.count);
	kv_u("canon", t.canon);
	kv_u("commit", t.commit);
	kv_u("line_ends", lines);
	kv_u("column", t.column);
	kv_u("nr_pending", t.nr_pending);
	rec_out_end();
	rec_end(true);
}

/* A PTY record and the TTY records of its two sides, for the object @ref */
static void parse_pty(__u32 ref)
{
	static const struct flag_name pty_flags[] = {
		{ CKPT_PTY_LOCKED, "locked" }, { CKPT_PTY_PACKET, "packet" },
		{ CKPT_PTY_SLAVE_CLOSED, "slave_closed" }, { 0, NULL }
	};
	struct ckpt_hdr_pty p;
	char buf[128];

	rec_begin(CKPT_HDR_PTY);
	rec_fixed(sizeof(p));
	memcpy(&p, rec.buf, sizeof(p));
	if (p.ptmx_len < 2 || p.ptmx_len > CKPT_PATH_MAX)
		recfail("ptmx path length %u out of range", p.ptmx_len);
	rec_len(sizeof(p) + (__u64)p.ptmx_len);
	check_path("ptmx", (const char *)rec.buf + sizeof(p), p.ptmx_len);
	if (p.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", p.ref,
			ref);
	if (p.index >= CKPT_MAX_PTYS)
		recfail("index %u, not below %d", p.index, CKPT_MAX_PTYS);
	if (p.flags & ~(__u32)(CKPT_PTY_LOCKED | CKPT_PTY_PACKET |
			       CKPT_PTY_SLAVE_CLOSED))
		recfail("unknown flags %#x", p.flags);
	if (p.pktstatus > 0xff)
		recfail("packet status %#x", p.pktstatus);
	if (p.fg_pgid < 0 || (p.fg_pgid && !owner_in_tree(CKPT_OWNER_PGRP,
							   p.fg_pgid)))
		recfail("foreground group %d is not a group of the tree",
			p.fg_pgid);
	obj_add(ref, OBJ_PTY);
	rec_out_begin(rec.off, "PTY", rec.len);
	kv_u("ref", p.ref);
	kv_u("index", p.index);
	kv_s("ptmx", (const char *)rec.buf + sizeof(p));
	kv_s("flags", flags_str(buf, sizeof(buf), p.flags, pty_flags));
	kv_x("pktstatus", p.pktstatus);
	kv_d("fg_pgid", p.fg_pgid);
	snprintf(buf, sizeof(buf), "%ux%u (%ux%u pixels)", p.ws_row, p.ws_col,
		 p.ws_xpixel, p.ws_ypixel);
	kv_s("winsize", buf);
	rec_out_end();
	rec_end(true);
	parse_tty("master");
	parse_tty("slave");
}

/* An INOTIFY record and its INOTIFY_WATCH records, for the object @ref */
static void parse_inotify(__u32 ref)
{
	struct ckpt_hdr_inotify_watch w;
	struct ckpt_hdr_inotify h;
	__s32 prev = 0;
	__u32 i;

	rec_begin(CKPT_HDR_INOTIFY);
	rec_len(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	if (h.ref != ref)
		recfail("ref %u is not the FILE record's obj_ref %u", h.ref,
			ref);
	if (h.nr_watches > CKPT_MAX_INOTIFY_WATCHES)
		recfail("%u watches, more than %d", h.nr_watches,
			CKPT_MAX_INOTIFY_WATCHES);
	obj_add(ref, OBJ_INOTIFY);
	rec_out_begin(rec.off, "INOTIFY", rec.len);
	kv_u("ref", h.ref);
	kv_u("nr_watches", h.nr_watches);
	rec_out_end();
	rec_end(true);

	for (i = 0; i < h.nr_watches; i++) {
		rec_begin(CKPT_HDR_INOTIFY_WATCH);
		rec_fixed(sizeof(w));
		memcpy(&w, rec.buf, sizeof(w));
		if (w.path_len < 2 || w.path_len > CKPT_PATH_MAX)
			recfail("path length %u out of range", w.path_len);
		rec_len(sizeof(w) + (__u64)w.path_len);
		check_path("path", (const char *)rec.buf + sizeof(w),
			   w.path_len);
		if (w.wd <= prev)
			recfail("watch descriptor %d after %d", w.wd, prev);
		prev = w.wd;
		/* IN_ALL_EVENTS, IN_EXCL_UNLINK, IN_ONESHOT */
		if (!(w.mask & 0xfffU) || w.mask & ~(0xfffU | 0x04000000U |
						     0x80000000U))
			recfail("mask %#x", w.mask);
		check_zero("reserved", &w.reserved, sizeof(w.reserved));
		rec_out_begin(rec.off, "INOTIFY_WATCH", rec.len);
		kv_d("wd", w.wd);
		kv_x("mask", w.mask);
		kv_s("path", (const char *)rec.buf + sizeof(w));
		rec_out_end();
		rec_end(true);
	}
}

/* Is @pid a tid, tgid or pgid (as @type says) of the TREE record? */
static bool owner_in_tree(__u32 type, __s32 pid)
{
	__u32 i;

	for (i = 0; i < nr_tasks; i++)
		if ((type == CKPT_OWNER_TID && tree[i].pid == pid) ||
		    (type == CKPT_OWNER_PID && tree[i].tgid == pid) ||
		    (type == CKPT_OWNER_PGRP && tree[i].pgid == pid))
			return true;
	return false;
}

/* An FOWNER record, after a FILE record with CKPT_FILE_OWNER */
static void parse_fowner(void)
{
	static const char *const types[CKPT_OWNER_MAX] = {
		[CKPT_OWNER_NONE] = "none", [CKPT_OWNER_TID] = "tid",
		[CKPT_OWNER_PID] = "pid", [CKPT_OWNER_PGRP] = "pgrp",
	};
	struct ckpt_hdr_fowner o;

	rec_begin(CKPT_HDR_FOWNER);
	rec_len(sizeof(o));
	memcpy(&o, rec.buf, sizeof(o));
	if (o.type >= CKPT_OWNER_MAX)
		recfail("unknown owner type %u", o.type);
	if ((o.type == CKPT_OWNER_NONE) != !o.pid || o.pid < 0)
		recfail("owner pid %d for type %s", o.pid, types[o.type]);
	if (o.signum > CKPT_NSIG)
		recfail("signal %u", o.signum);
	if (o.type != CKPT_OWNER_NONE && !owner_in_tree(o.type, o.pid))
		recfail("owner %s %d is not in the tree", types[o.type], o.pid);
	check_zero("reserved", &o.reserved, sizeof(o.reserved));
	rec_out_begin(rec.off, "FOWNER", rec.len);
	kv_s("type", types[o.type]);
	kv_d("pid", o.pid);
	kv_u("signum", o.signum);
	kv_u("uid", o.uid);
	kv_u("euid", o.euid);
	rec_out_end();
	rec_end(true);
}

/* The kernel's new_encode_dev() encoding of a device number */
static unsigned int rdev_major(__u32 rdev)
{
	return (rdev & 0xfff00) >> 8;
}

static unsigned int rdev_minor(__u32 rdev)
{
	return (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
}

/* A pty slave is opened as /dev/pts/N (majors 136 to 143) or /dev/tty */
static bool pts_rdev_ok(__u32 rdev)
{
	return (rdev_major(rdev) == 5 && rdev_minor(rdev) == 0) ||
	       (rdev_major(rdev) >= 136 && rdev_major(rdev) <= 143);
}

static void parse_file(void)
{
	static const __u32 ifmt[CKPT_FILE_MAX] = {
		[CKPT_FILE_REG] = KS_IFREG, [CKPT_FILE_DIR] = KS_IFDIR,
		[CKPT_FILE_CHR] = KS_IFCHR, [CKPT_FILE_PIPE] = KS_IFIFO,
		[CKPT_FILE_FIFO] = KS_IFIFO, [CKPT_FILE_MEMFD] = KS_IFREG,
		[CKPT_FILE_UNLINKED] = KS_IFREG, [CKPT_FILE_PTMX] = KS_IFCHR,
		[CKPT_FILE_PTS] = KS_IFCHR, [CKPT_FILE_SHELL_TTY] = KS_IFCHR,
		/* an eventfd's anonymous inode has no type bits */
	};
	static const char *const acc[] = { "r", "w", "rw", "acc3" };
	char buf[256], date[64];
	struct ckpt_hdr_file f;
	const char *path;
	bool is_pipe;
	struct obj *o;

	rec_begin(CKPT_HDR_FILE);
	rec_fixed(sizeof(f));
	memcpy(&f, rec.buf, sizeof(f));
	/* kinds without a path */
	is_pipe = f.type == CKPT_FILE_PIPE || own_obj(f.type) ||
		  whole(f.type) || f.type == CKPT_FILE_EPOLL ||
		  f.type == CKPT_FILE_SHELL_TTY;
	if (is_pipe ? f.path_len != 0 :
	    f.path_len < 2 || f.path_len > CKPT_PATH_MAX)
		recfail("path length %u out of range %s", f.path_len,
			is_pipe ? "[0, 0] for this kind" : "[2, CKPT_PATH_MAX]");
	rec_len(sizeof(f) + (__u64)f.path_len);
	path = is_pipe ? "" : (const char *)rec.buf + sizeof(f);
	if (!is_pipe)
		check_path("path", path, f.path_len);
	check_new_ref("ref", f.ref);
	if (!f.type || f.type >= CKPT_FILE_MAX)
		recfail("unknown file type %u", f.type);
	if ((f.mode & KS_IFMT) != ifmt[f.type])
		recfail("mode 0%o does not match file type %s", f.mode,
			file_type_names[f.type]);
	if (f.type < CKPT_FILE_MAX && f.f_flags & ~file_valid_flags(f.type))
		recfail("unexpected open flags 0%o",
			f.f_flags & ~file_valid_flags(f.type));
	if ((f.f_flags & 3) == 3)
		recfail("access mode 3");
	if (f.type == CKPT_FILE_PTMX && (f.f_flags & 3) != 2)
		recfail("a pty master not open for reading and writing");
	if (f.type == CKPT_FILE_PTS && !pts_rdev_ok(f.rdev))
		recfail("a pty slave opened as device %u:%u",
			rdev_major(f.rdev), rdev_minor(f.rdev));
	if (f.pos < 0)
		recfail("negative position %lld", (__s64)f.pos);
	if (f.mtime_nsec >= 1000000000U)
		recfail("mtime nanoseconds %u out of range", f.mtime_nsec);
	if ((f.type == CKPT_FILE_PIPE || own_obj(f.type) || is_pty(f.type) ||
	     f.type == CKPT_FILE_SHELL_TTY ||
	     f.type == CKPT_FILE_FIFO || f.type == CKPT_FILE_EPOLL) && f.pos)
		recfail("position %lld of a %s", (__s64)f.pos,
			file_type_names[f.type]);
	check_zero("reserved", &f.reserved, sizeof(f.reserved));
	parse_file_obj(&f);

	o = obj_add(f.ref, OBJ_FILE);
	o->file_type = f.type;
	o->path = strdup(path);
	if (!o->path)
		out_of_memory();

	rec_out_begin(rec.off, "FILE", rec.len);
	kv_u("ref", f.ref);
	kv_s("type", file_type_names[f.type]);
	kv_s("path", path);
	kv_s("access", acc[f.f_flags & 3]);
	kv_s("flags", flags_str(buf, sizeof(buf), f.f_flags & ~3U,
				open_flags));
	kv_o("mode", f.mode);
	kv_d("pos", f.pos);
	kv_u("size", f.size);
	kv_s("mtime", date_str(date, sizeof(date), f.mtime_sec,
			       f.mtime_nsec));
	if (f.type == CKPT_FILE_EPOLL) {
		epoll_refs = realloc(epoll_refs,
				     (nr_epolls + 1) * sizeof(*epoll_refs));
		if (!epoll_refs)
			out_of_memory();
		epoll_refs[nr_epolls++] = f.ref;
	}
	if (f.type == CKPT_FILE_CHR || is_pty(f.type) ||
	    f.type == CKPT_FILE_SHELL_TTY) {
		snprintf(buf, sizeof(buf), "%u:%u", rdev_major(f.rdev),
			 rdev_minor(f.rdev));
		kv_s("rdev", buf);
	}
	if (f.obj_ref)
		kv_u("obj_ref", f.obj_ref);
	rec_out_end();
	rec_end(true);
	if (f.flags & CKPT_FILE_OBJ_NEW && f.type == CKPT_FILE_EVENTFD)
		parse_eventfd(f.obj_ref);
	else if (f.flags & CKPT_FILE_OBJ_NEW && f.type == CKPT_FILE_SIGNALFD)
		parse_signalfd(f.obj_ref);
	else if (f.flags & CKPT_FILE_OBJ_NEW && f.type == CKPT_FILE_TIMERFD)
		parse_timerfd(f.obj_ref);
	else if (f.flags & CKPT_FILE_OBJ_NEW && whole(f.type))
		parse_inode(f.obj_ref, f.type);
	else if (f.flags & CKPT_FILE_OBJ_NEW && f.type == CKPT_FILE_INOTIFY)
		parse_inotify(f.obj_ref);
	else if (f.flags & CKPT_FILE_OBJ_NEW && is_pty(f.type))
		parse_pty(f.obj_ref);
	else if (f.flags & CKPT_FILE_OBJ_NEW)
		parse_pipe(f.obj_ref);
	if (f.flags & CKPT_FILE_OWNER)
		parse_fowner();
}

/* The VMAs of the MM being read, for the checks of its pages. */
struct vma {
	__u64 start, end;
	__u32 type, flags;
};

static struct vma *vmas;
static size_t vmas_cap;

static const char *const vma_type_names[CKPT_VMA_MAX] = {
	[CKPT_VMA_ANON] = "anon", [CKPT_VMA_FILE] = "file",
	[CKPT_VMA_VDSO] = "vdso", [CKPT_VMA_VVAR] = "vvar",
};

static void parse_vma(__u32 idx, __u64 *prev_end, int *seen)
{
	__u64 page_mask = hdr.page_size - 1;
	struct ckpt_hdr_vma v;
	char buf[128], prot[5];
	struct obj *o = NULL;

	rec_begin(CKPT_HDR_VMA);
	rec_len(sizeof(v));
	memcpy(&v, rec.buf, sizeof(v));
	if ((v.start & page_mask) || (v.end & page_mask))
		recfail("0x%llx-0x%llx not page aligned",
			v.start, v.end);
	if (v.start >= v.end)
		recfail("empty range 0x%llx-0x%llx", v.start, v.end);
	if (v.end > USER_ADDR_END)
		recfail("end 0x%llx beyond user space", v.end);
	if (v.start < *prev_end)
		recfail("0x%llx-0x%llx overlaps or precedes the previous mapping (ending at 0x%llx)",
			v.start, v.end, *prev_end);
	if (!v.type || v.type >= CKPT_VMA_MAX)
		recfail("unknown mapping type %u", v.type);
	if (v.prot & ~(CKPT_PROT_READ | CKPT_PROT_WRITE | CKPT_PROT_EXEC))
		recfail("unknown protection bits 0x%x", v.prot);
	if (v.flags & ~CKPT_VMA_F_ALL)
		recfail("unknown flags 0x%x", v.flags);
	if ((v.flags & CKPT_VMA_F_SHARED) && v.type != CKPT_VMA_FILE)
		recfail("shared %s mapping", vma_type_names[v.type]);
	if ((v.flags & CKPT_VMA_F_WIPEONFORK) && v.type != CKPT_VMA_ANON)
		recfail("wipeonfork %s mapping", vma_type_names[v.type]);
	if (v.type == CKPT_VMA_FILE) {
		o = check_ref("file_ref", v.file_ref, OBJ_FILE);
		if (v.pgoff > (~0ULL >> 12) - ((v.end - v.start) >> 12))
			recfail("file offset 0x%llx pages out of range",
				v.pgoff);
	} else if (v.file_ref || v.pgoff) {
		recfail("file_ref %u pgoff 0x%llx on a mapping of type %s",
			v.file_ref, v.pgoff, vma_type_names[v.type]);
	}
	if (v.type == CKPT_VMA_VDSO || v.type == CKPT_VMA_VVAR) {
		if (seen[v.type]++)
			recfail("second %s mapping", vma_type_names[v.type]);
	}
	*prev_end = v.end;
	if (idx >= vmas_cap) {
		vmas_cap = vmas_cap ? vmas_cap * 2 : 64;
		vmas = xrealloc(vmas, vmas_cap * sizeof(*vmas));
	}
	vmas[idx].start = v.start;
	vmas[idx].end = v.end;
	vmas[idx].type = v.type;
	vmas[idx].flags = v.flags;

	prot[0] = v.prot & CKPT_PROT_READ ? 'r' : '-';
	prot[1] = v.prot & CKPT_PROT_WRITE ? 'w' : '-';
	prot[2] = v.prot & CKPT_PROT_EXEC ? 'x' : '-';
	prot[3] = v.flags & CKPT_VMA_F_SHARED ? 's' : 'p';
	prot[4] = '\0';
	rec_out_begin(rec.off, "VMA", rec.len);
	if (json) {
		kv_x("start", v.start);
		kv_x("end", v.end);
		kv_s("prot", prot);
		kv_s("type", vma_type_names[v.type]);
	} else {
		item(NULL);
		printf("%012llx-%012llx %s %s", v.start, v.end,
		       prot, vma_type_names[v.type]);
	}
	if (o) {
		if (json)
			kv_u("file_ref", v.file_ref);
		kv_s(json ? "path" : NULL, o->path);
		kv_x("pgoff", v.pgoff);
	}
	if ((v.flags & ~CKPT_VMA_F_SHARED) || json)
		kv_s("flags", flags_str(buf, sizeof(buf), v.flags, vma_flags));
	rec_out_end();
	rec_end(true);
}

/* PAGES records up to the one with nr_pages == 0. */
static void parse_pages(__u32 nr_vmas)
{
	__u64 addr, first_addr, last = 0, total = 0;
	bool any = false;
	struct ckpt_hdr_pages p;
	size_t v = 0;
	__u32 i;

	for (;;) {
		rec_begin(CKPT_HDR_PAGES);
		rec_fixed(sizeof(p));
		memcpy(&p, rec.buf, sizeof(p));
		if (p.nr_pages > CKPT_PAGES_BATCH)
			recfail("%u pages, more than %d", p.nr_pages,
				CKPT_PAGES_BATCH);
		check_zero("reserved", &p.reserved, sizeof(p.reserved));
		rec_len(sizeof(p) + (__u64)p.nr_pages *
			(sizeof(__u64) + hdr.page_size));

		first_addr = 0;
		for (i = 0; i < p.nr_pages; i++) {
			memcpy(&addr, rec.buf + sizeof(p) + i * sizeof(addr),
			       sizeof(addr));
			if (addr & (hdr.page_size - 1))
				recfail("page 0x%llx not aligned", addr);
			if (any && addr <= last)
				recfail("page 0x%llx not after page 0x%llx",
					addr, last);
			while (v < nr_vmas && vmas[v].end <= addr)
				v++;
			if (v == nr_vmas || vmas[v].start > addr)
				recfail("page 0x%llx outside any mapping",
					addr);
			if (vmas[v].flags & CKPT_VMA_F_SHARED)
				recfail("page 0x%llx of a shared mapping",
					addr);
			if (vmas[v].type == CKPT_VMA_VDSO ||
			    vmas[v].type == CKPT_VMA_VVAR)
				recfail("page 0x%llx of the %s", addr,
					vma_type_names[vmas[v].type]);
			if (!i)
				first_addr = addr;
			last = addr;
			any = true;
		}
		total += p.nr_pages;

		rec_out_begin(rec.off, "PAGES", rec.len);
		kv_u("nr_pages", p.nr_pages);
		if (p.nr_pages) {
			kv_x("first", first_addr);
			kv_x("end", last + hdr.page_size);
		} else {
			kv_u("total_pages", total);
		}
		rec_out_end();
		rec_end(true);
		if (!p.nr_pages)
			return;
	}
}

static void parse_mm(__u32 ref)
{
	static const char *const ranges[][3] = {
		{ "code", "start_code", "end_code" },
		{ "data", "start_data", "end_data" },
		{ "brk", "start_brk", "brk" },
		{ "args", "arg_start", "arg_end" },
		{ "env", "env_start", "env_end" },
	};
	__u64 prev_end = 0, mm_off, r[ARRAY_SIZE(ranges)][2];
	int seen[CKPT_VMA_MAX] = { 0 };
	struct ckpt_hdr_mm m;
	struct obj *exe = NULL;
	bool ok, ok_vvar;
	__u32 i;

	rec_begin(CKPT_HDR_MM);
	rec_len(sizeof(m));
	memcpy(&m, rec.buf, sizeof(m));
	mm_off = rec.off;
	if (m.ref != ref)
		recfail("ref %u, but the TASK names mm_ref %u", m.ref, ref);
	check_new_ref("ref", m.ref);
	if (m.nr_vmas > CKPT_MAX_VMAS)
		recfail("%u mappings, more than %d", m.nr_vmas, CKPT_MAX_VMAS);
	if (m.exe_ref)
		exe = check_ref("exe_ref", m.exe_ref, OBJ_FILE);
	if (m.vdso ? !m.vdso_size : m.vdso_size || m.vdso_csum)
		recfail("vdso 0x%llx with size %u and checksum 0x%x", m.vdso,
			m.vdso_size, m.vdso_csum);
	if (m.nr_auxv > CKPT_AUXV_WORDS || m.nr_auxv % 2)
		recfail("%u auxv words: odd or more than %d", m.nr_auxv,
			CKPT_AUXV_WORDS);
	if (m.flags & ~MM_VALID_FLAGS)
		recfail("flags 0x%llx beyond the coredump filter bits",
			m.flags);
	r[0][0] = m.start_code;
	r[0][1] = m.end_code;
	r[1][0] = m.start_data;
	r[1][1] = m.end_data;
	r[2][0] = m.start_brk;
	r[2][1] = m.brk;
	r[3][0] = m.arg_start;
	r[3][1] = m.arg_end;
	r[4][0] = m.env_start;
	r[4][1] = m.env_end;
	for (i = 0; i < ARRAY_SIZE(ranges); i++)
		if (r[i][0] > r[i][1])
			recfail("%s 0x%llx above %s 0x%llx",
				ranges[i][1], r[i][0], ranges[i][2], r[i][1]);
	obj_add(m.ref, OBJ_MM);

	rec_out_begin(rec.off, "MM", rec.len);
	kv_u("ref", m.ref);
	kv_u("nr_vmas", m.nr_vmas);
	kv_u("exe_ref", m.exe_ref);
	if (exe)
		kv_s("exe", exe->path);
	for (i = 0; i < ARRAY_SIZE(ranges); i++) {
		if (json) {
			kv_x(ranges[i][1], r[i][0]);
			kv_x(ranges[i][2], r[i][1]);
		} else {
			item(ranges[i][0]);
			printf("0x%llx-0x%llx", r[i][0], r[i][1]);
		}
	}
	kv_x("start_stack", m.start_stack);
	kv_x("vdso", m.vdso);
	kv_u("vdso_size", m.vdso_size);
	kv_x("vdso_csum", m.vdso_csum);
	kv_x("flags", m.flags);
	kv_u("nr_auxv", m.nr_auxv);
	if (json) {
		arr_begin("auxv");
		for (i = 0; i < m.nr_auxv; i++)
			kv_x(NULL, m.auxv[i]);
		arr_end();
	}
	rec_out_end();
	rec_end(true);

	for (i = 0; i < m.nr_vmas; i++)
		parse_vma(i, &prev_end, seen);

	/*
	 * The [vdso] mapping is the vdso text, right above the [vvar] one;
	 * both are there if and only if the mm has a vdso.
	 */
	ok = ok_vvar = !m.vdso;
	for (i = 0; i < m.nr_vmas; i++) {
		if (vmas[i].type == CKPT_VMA_VDSO)
			ok = vmas[i].start == m.vdso &&
			     vmas[i].end - vmas[i].start == m.vdso_size;
		else if (vmas[i].type == CKPT_VMA_VVAR)
			ok_vvar = vmas[i].end == m.vdso;
	}
	if (!ok || !ok_vvar)
		fail_at(mm_off, "MM record: vdso 0x%llx (%u bytes) does not match the [vdso] and [vvar] mappings",
			m.vdso, m.vdso_size);

	parse_pages(m.nr_vmas);
}

static void parse_fs(__u32 ref)
{
	struct ckpt_hdr_fs f;
	const char *cwd, *root;

	rec_begin(CKPT_HDR_FS);
	rec_fixed(sizeof(f));
	memcpy(&f, rec.buf, sizeof(f));
	if (f.cwd_len < 2 || f.cwd_len > CKPT_PATH_MAX ||
	    f.root_len < 2 || f.root_len > CKPT_PATH_MAX)
		recfail("path lengths %u and %u out of range [2, %d]",
			f.cwd_len, f.root_len, CKPT_PATH_MAX);
	rec_len(sizeof(f) + (__u64)f.cwd_len + f.root_len);
	cwd = (const char *)rec.buf + sizeof(f);
	root = cwd + f.cwd_len;
	check_path("cwd", cwd, f.cwd_len);
	check_path("root", root, f.root_len);
	if (f.ref != ref)
		recfail("ref %u, but the TASK names fs_ref %u", f.ref, ref);
	check_new_ref("ref", f.ref);
	if (f.umask & ~0777U)
		recfail("umask 0%o out of range", f.umask);
	obj_add(f.ref, OBJ_FS);

	rec_out_begin(rec.off, "FS", rec.len);
	kv_u("ref", f.ref);
	item("umask");
	printf(json ? "\"%04o\"" : "%04o", f.umask);
	kv_s("cwd", cwd);
	kv_s("root", root);
	rec_out_end();
	rec_end(true);
}

static void parse_fd(__s64 *prev_fd)
{
	char buf[64];
	struct ckpt_hdr_fd d;
	struct obj *o;

	rec_begin(CKPT_HDR_FD);
	rec_len(sizeof(d));
	memcpy(&d, rec.buf, sizeof(d));
	if (d.fd >= CKPT_MAX_FDS)
		recfail("fd %u out of range", d.fd);
	if ((__s64)d.fd <= *prev_fd)
		recfail("fd %u not after fd %lld", d.fd, *prev_fd);
	o = check_ref("file_ref", d.file_ref, OBJ_FILE);
	if (d.flags & ~CKPT_FD_CLOEXEC)
		recfail("unknown flags 0x%x", d.flags);
	check_zero("reserved", &d.reserved, sizeof(d.reserved));
	*prev_fd = d.fd;

	rec_out_begin(rec.off, "FD", rec.len);
	kv_u("fd", d.fd);
	kv_u("file_ref", d.file_ref);
	kv_s("path", o->path);
	kv_s("flags", flags_str(buf, sizeof(buf), d.flags, fd_flags));
	rec_out_end();
	rec_end(true);
}

static void parse_locks(bool posix);

/* An EPOLL record, for the epoll FILE @ref */
static void parse_epoll(__u32 ref)
{
	struct ckpt_hdr_epoll h;
	struct ckpt_epoll_watch w;
	char key[32], val[96];
	__u32 i;

	rec_begin(CKPT_HDR_EPOLL);
	rec_fixed(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	if (h.ref != ref)
		recfail("ref %u, but the epoll FILE in this place is %u", h.ref,
			ref);
	if (h.nr > CKPT_MAX_EPOLL_WATCHES)
		recfail("%u watches, more than %d", h.nr,
			CKPT_MAX_EPOLL_WATCHES);
	rec_len(sizeof(h) + (__u64)h.nr * sizeof(w));
	rec_out_begin(rec.off, "EPOLL", rec.len);
	kv_u("ref", h.ref);
	kv_u("nr", h.nr);
	for (i = 0; i < h.nr; i++) {
		memcpy(&w, rec.buf + sizeof(h) + i * sizeof(w), sizeof(w));
		check_ref("file_ref", w.file_ref, OBJ_FILE);
		if (w.fd < 0 || w.fd >= CKPT_MAX_FDS)
			recfail("watch %u: fd %d", i, w.fd);
		/* the EPOLL* events and flags of the x86_64 kernel */
		if (w.events & ~0xf00027ffU)
			recfail("watch %u: unknown events %#x", i, w.events);
		check_zero("reserved", &w.reserved, sizeof(w.reserved));
		snprintf(key, sizeof(key), "watch%u", i);
		snprintf(val, sizeof(val), "file %u fd %d events %#x data %#llx",
			 w.file_ref, w.fd, w.events,
			 (unsigned long long)w.data);
		kv_s(key, val);
	}
	rec_out_end();
	rec_end(true);
}

static void parse_fdtable(__u32 ref)
{
	struct ckpt_hdr_fdtable t;
	__s64 prev_fd = -1;
	__u32 i;

	rec_begin(CKPT_HDR_FDTABLE);
	rec_len(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	if (t.ref != ref)
		recfail("ref %u, but the TASK names files_ref %u", t.ref, ref);
	check_new_ref("ref", t.ref);
	if (t.nr_fds > CKPT_MAX_FDS)
		recfail("%u fds, more than %d", t.nr_fds, CKPT_MAX_FDS);
	obj_add(t.ref, OBJ_FILES);

	rec_out_begin(rec.off, "FDTABLE", rec.len);
	kv_u("ref", t.ref);
	kv_u("nr_fds", t.nr_fds);
	rec_out_end();
	rec_end(true);

	for (i = 0; i < t.nr_fds; i++)
		parse_fd(&prev_fd);
	parse_locks(true);
}

/* A LOCKS record: an fd table's POSIX locks, or the files' other ones */
static void parse_locks(bool posix)
{
	static const char *const kinds[CKPT_LOCK_MAX] = {
		[CKPT_LOCK_FLOCK] = "flock", [CKPT_LOCK_OFD] = "ofd",
		[CKPT_LOCK_POSIX] = "posix", [CKPT_LOCK_LEASE] = "lease",
	};
	struct ckpt_hdr_locks h;
	struct ckpt_lock e;
	char key[32], val[96];
	__u32 i;

	rec_begin(CKPT_HDR_LOCKS);
	rec_fixed(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	if (h.nr > CKPT_MAX_LOCKS)
		recfail("%u locks, more than %d", h.nr, CKPT_MAX_LOCKS);
	rec_len(sizeof(h) + (__u64)h.nr * sizeof(e));
	check_zero("reserved", &h.reserved, sizeof(h.reserved));
	rec_out_begin(rec.off, "LOCKS", rec.len);
	kv_u("nr", h.nr);
	for (i = 0; i < h.nr; i++) {
		memcpy(&e, rec.buf + sizeof(h) + i * sizeof(e), sizeof(e));
		check_ref("file_ref", e.file_ref, OBJ_FILE);
		if (posix ? e.kind != CKPT_LOCK_POSIX :
		    e.kind != CKPT_LOCK_FLOCK && e.kind != CKPT_LOCK_OFD &&
		    e.kind != CKPT_LOCK_LEASE)
			recfail("lock %u: kind %u in the wrong place", i, e.kind);
		if (e.flags & ~CKPT_LOCK_WRITE)
			recfail("lock %u: unknown flags %#x", i, e.flags);
		if (e.start < 0 || e.end < e.start)
			recfail("lock %u: range %lld-%lld", i,
				(long long)e.start, (long long)e.end);
		snprintf(key, sizeof(key), "lock%u", i);
		snprintf(val, sizeof(val), "%s %s file %u %lld-%s%lld",
			 kinds[e.kind], e.flags ? "write" : "read", e.file_ref,
			 (long long)e.start, e.end == CKPT_LOCK_EOF ? "eof" : "",
			 e.end == CKPT_LOCK_EOF ? 0LL : (long long)e.end);
		kv_s(key, val);
	}
	rec_out_end();
	rec_end(true);
}

static void parse_sighand(__u32 ref)
{
	const struct ckpt_sigaction *a;
	struct ckpt_hdr_sighand s;
	char buf[128], name[16];
	unsigned int sig;

	rec_begin(CKPT_HDR_SIGHAND);
	rec_len(sizeof(s));
	memcpy(&s, rec.buf, sizeof(s));
	if (s.ref != ref)
		recfail("ref %u, but the TASK names sighand_ref %u", s.ref,
			ref);
	check_new_ref("ref", s.ref);
	check_zero("reserved", &s.reserved, sizeof(s.reserved));
	for (sig = 1; sig <= CKPT_NSIG; sig++) {
		a = &s.action[sig - 1];
		if ((sig == KSIGKILL || sig == KSIGSTOP) &&
		    (a->handler || a->flags || a->restorer || a->mask))
			recfail("%s has an action",
				sig_name(sig, name, sizeof(name)));
		if (a->flags & ~SA_VALID_FLAGS)
			recfail("%s: unknown flags 0x%llx",
				sig_name(sig, name, sizeof(name)),
				a->flags & ~SA_VALID_FLAGS);
		if (a->handler >= USER_ADDR_END || a->restorer >= USER_ADDR_END)
			recfail("%s: handler 0x%llx or restorer 0x%llx beyond user space",
				sig_name(sig, name, sizeof(name)), a->handler,
				a->restorer);
	}
	obj_add(s.ref, OBJ_SIGHAND);

	rec_out_begin(rec.off, "SIGHAND", rec.len);
	kv_u("ref", s.ref);
	arr_begin("actions");
	for (sig = 1; sig <= CKPT_NSIG; sig++) {
		a = &s.action[sig - 1];
		if (!a->handler && !a->flags && !a->mask && !a->restorer)
			continue;
		obj_begin(NULL);
		kv_s("sig", sig_name(sig, name, sizeof(name)));
		if (a->handler == 0)
			kv_s("handler", "default");
		else if (a->handler == 1)
			kv_s("handler", "ignore");
		else
			kv_x("handler", a->handler);
		kv_s("flags", flags_str(buf, sizeof(buf), a->flags, sa_flags));
		kv_x("mask", a->mask);
		kv_x("restorer", a->restorer);
		obj_end();
	}
	arr_end();
	rec_out_end();
	rec_end(true);
}

static void put_sigset(const char *key, __u64 set)
{
	char name[16];
	unsigned int sig;

	arr_begin(key);
	for (sig = 1; sig <= CKPT_NSIG; sig++)
		if (set & (1ULL << (sig - 1)))
			kv_s(NULL, sig_name(sig, name, sizeof(name)));
	arr_end();
}

static void put_rlim(const char *key, __u64 v)
{
	item(key);
	if (v == RLIM_INFINITY_U64)
		fputs(json ? "\"unlimited\"" : "unlimited", stdout);
	else
		printf("%llu", v);
}

static void parse_signal(void)
{
	struct ckpt_hdr_signal s;
	char buf[64];
	__u32 i;

	rec_begin(CKPT_HDR_SIGNAL);
	rec_len(sizeof(s));
	memcpy(&s, rec.buf, sizeof(s));
	if (s.nr_rlimits != CKPT_RLIM_NLIMITS)
		recfail("%u resource limits, expected %d", s.nr_rlimits,
			CKPT_RLIM_NLIMITS);
	if ((s.sas_ss_flags & ~(SS_ONSTACK_BIT | SS_DISABLE_BIT |
				SS_AUTODISARM_BIT)) ||
	    (s.sas_ss_flags & SS_ONSTACK_BIT && s.sas_ss_flags & SS_DISABLE_BIT))
		recfail("invalid alternate stack flags 0x%x", s.sas_ss_flags);
	if (s.sas_ss_sp >= USER_ADDR_END ||
	    s.sas_ss_size > USER_ADDR_END - s.sas_ss_sp)
		recfail("alternate stack 0x%llx size %llu beyond user space",
			s.sas_ss_sp, s.sas_ss_size);
	if (s.blocked & ((1ULL << (KSIGKILL - 1)) | (1ULL << (KSIGSTOP - 1))))
		recfail("SIGKILL or SIGSTOP blocked");
	for (i = 0; i < s.nr_rlimits; i++)
		if (s.rlim[i].cur > s.rlim[i].max)
			recfail("%s limit %llu above its maximum %llu",
				rlim_names[i], s.rlim[i].cur, s.rlim[i].max);
	if (s.ctty_flags & ~(__u32)(CKPT_CTTY_INHERIT | CKPT_CTTY_FOREGROUND) ||
	    (s.ctty_flags && !(s.ctty_flags & CKPT_CTTY_INHERIT)) ||
	    (s.ctty_flags && s.ctty_ref))
		recfail("controlling terminal flags %#x with ref %u",
			s.ctty_flags, s.ctty_ref);
	if (s.ctty_ref)
		check_ref("ctty_ref", s.ctty_ref, OBJ_PTY);

	rec_out_begin(rec.off, "SIGNAL", rec.len);
	kv_x("blocked", s.blocked);
	if (s.blocked)
		put_sigset(json ? "blocked_signals" : NULL, s.blocked);
	kv_x("sas_ss_sp", s.sas_ss_sp);
	kv_u("sas_ss_size", s.sas_ss_size);
	kv_s("sas_ss_flags", flags_str(buf, sizeof(buf), s.sas_ss_flags,
				       ss_flags));
	if (s.ctty_ref)
		kv_u("ctty_ref", s.ctty_ref);
	if (s.ctty_flags)
		kv_s("ctty", s.ctty_flags & CKPT_CTTY_FOREGROUND ?
			     "inherited, foreground" : "inherited");
	kv_u("nr_rlimits", s.nr_rlimits);
	obj_begin("rlimits");
	for (i = 0; i < s.nr_rlimits; i++) {
		if (json) {
			obj_begin(rlim_names[i]);
			put_rlim("cur", s.rlim[i].cur);
			put_rlim("max", s.rlim[i].max);
			obj_end();
		} else {
			put_rlim(rlim_names[i], s.rlim[i].cur);
			putchar('/');
			first[depth] = true;
			put_rlim(NULL, s.rlim[i].max);
			first[depth] = false;
		}
	}
	obj_end();
	rec_out_end();
	rec_end(true);
}

/* si_code values of signals sent from user space (<asm-generic/siginfo.h>) */
#define KSI_USER	0
#define KSI_KERNEL	0x80
#define KSI_QUEUE	(-1)
#define KSI_TIMER	(-2)
#define KSI_MESGQ	(-3)
#define KSI_ASYNCIO	(-4)
#define KSI_SIGIO	(-5)
#define KSI_TKILL	(-6)

static const char *si_code_name(__s32 code)
{
	switch (code) {
	case KSI_USER:		return "user";
	case KSI_KERNEL:	return "kernel";
	case KSI_QUEUE:		return "queue";
	case KSI_TIMER:		return "timer";
	case KSI_MESGQ:		return "mesgq";
	case KSI_ASYNCIO:	return "asyncio";
	case KSI_SIGIO:		return "sigio";
	case KSI_TKILL:		return "tkill";
	default:		return NULL;
	}
}

/* SIGPENDING: the task's own queue (@shared 0) or its process's (1). */
static void parse_sigpending(__u32 shared)
{
	struct ckpt_hdr_sigpending p;
	struct ckpt_siginfo si;
	char name[16];
	__s32 pid;
	__u32 i, uid;
	__u64 value;

	rec_begin(CKPT_HDR_SIGPENDING);
	rec_fixed(sizeof(p));
	memcpy(&p, rec.buf, sizeof(p));
	if (p.shared != shared)
		recfail("shared %u, expected the %s queue (%u)", p.shared,
			shared ? "process's" : "task's own", shared);
	if (p.nr > CKPT_MAX_SIGPENDING)
		recfail("%u signals, more than %d", p.nr, CKPT_MAX_SIGPENDING);
	rec_len(sizeof(p) + (__u64)p.nr * sizeof(si));
	for (i = 0; i < p.nr; i++) {
		memcpy(&si, rec.buf + sizeof(p) + i * sizeof(si), sizeof(si));
		if (si.signo < 1 || si.signo > CKPT_NSIG)
			recfail("signal %u: invalid signal number %d", i,
				si.signo);
		check_zero("reserved", &si.reserved, sizeof(si.reserved));
	}

	rec_out_begin(rec.off, "SIGPENDING", rec.len);
	kv_s("queue", shared ? "process" : "task");
	kv_u("nr", p.nr);
	arr_begin("signals");
	for (i = 0; i < p.nr; i++) {
		memcpy(&si, rec.buf + sizeof(p) + i * sizeof(si), sizeof(si));
		obj_begin(NULL);
		kv_s("sig", sig_name(si.signo, name, sizeof(name)));
		if (si_code_name(si.code))
			kv_s("code", si_code_name(si.code));
		else
			kv_d("code", si.code);
		if (si.err)
			kv_d("errno", si.err);
		/* Sent by a process: the sender, and a value if queued */
		if (si.code == KSI_USER || si.code == KSI_TKILL ||
		    si.code == KSI_QUEUE) {
			memcpy(&pid, si.fields, sizeof(pid));
			memcpy(&uid, si.fields + 4, sizeof(uid));
			kv_d("pid", pid);
			kv_u("uid", uid);
		}
		if (si.code == KSI_QUEUE) {
			memcpy(&value, si.fields + 8, sizeof(value));
			kv_x("value", value);
		}
		obj_end();
	}
	arr_end();
	rec_out_end();
	rec_end(true);
}

static void parse_cpu(void)
{
	struct ckpt_hdr_cpu c;
	const struct ckpt_x86_regs *r = &c.regs;

	rec_begin(CKPT_HDR_CPU);
	rec_len(sizeof(c));
	memcpy(&c, rec.buf, sizeof(c));
	if (r->cs != USER_CS || r->ss != USER_DS)
		recfail("cs 0x%llx ss 0x%llx: not a 64-bit user task", r->cs,
			r->ss);
	if ((r->ds && r->ds != USER_DS) || (r->es && r->es != USER_DS) ||
	    (r->fs && r->fs != USER_DS) || (r->gs && r->gs != USER_DS))
		recfail("invalid segment selectors ds 0x%llx es 0x%llx fs 0x%llx gs 0x%llx",
			r->ds, r->es, r->fs, r->gs);
	if (r->fs_base >= USER_ADDR_END || r->gs_base >= USER_ADDR_END)
		recfail("fs_base 0x%llx or gs_base 0x%llx beyond user space",
			r->fs_base, r->gs_base);

	rec_out_begin(rec.off, "CPU", rec.len);
	kv_x("ip", r->ip);
	kv_x("sp", r->sp);
	kv_x("flags", r->flags);
	kv_x("ax", r->ax);
	kv_x("orig_ax", r->orig_ax);
	kv_x("bx", r->bx);
	kv_x("cx", r->cx);
	kv_x("dx", r->dx);
	kv_x("si", r->si);
	kv_x("di", r->di);
	kv_x("bp", r->bp);
	kv_x("r8", r->r8);
	kv_x("r9", r->r9);
	kv_x("r10", r->r10);
	kv_x("r11", r->r11);
	kv_x("r12", r->r12);
	kv_x("r13", r->r13);
	kv_x("r14", r->r14);
	kv_x("r15", r->r15);
	kv_x("cs", r->cs);
	kv_x("ss", r->ss);
	kv_x("ds", r->ds);
	kv_x("es", r->es);
	kv_x("fs", r->fs);
	kv_x("gs", r->gs);
	kv_x("fs_base", r->fs_base);
	kv_x("gs_base", r->gs_base);
	rec_out_end();
	rec_end(true);
}

static void parse_xstate(void)
{
	__u64 xstate_bv = 0, xcomp_bv = 0;
	struct ckpt_hdr_xstate x;
	const unsigned char *buf;
	__u32 mxcsr = 0;
	char names[256];

	rec_begin(CKPT_HDR_XSTATE);
	rec_fixed(sizeof(x));
	memcpy(&x, rec.buf, sizeof(x));
	if (x.size != hdr.xstate_size)
		recfail("size %u, but the HEADER says %u", x.size,
			hdr.xstate_size);
	check_zero("reserved", &x.reserved, sizeof(x.reserved));
	if (x.xfeatures & ~hdr.xfeatures)
		recfail("features 0x%llx not enabled in the HEADER (0x%llx)",
			x.xfeatures, hdr.xfeatures);
	rec_len(sizeof(x) + (__u64)x.size);
	buf = rec.buf + sizeof(x);
	memcpy(&mxcsr, buf + 24, sizeof(mxcsr));
	memcpy(&xstate_bv, buf + XSAVE_HDR_OFFSET, sizeof(xstate_bv));
	memcpy(&xcomp_bv, buf + XSAVE_HDR_OFFSET + 8, sizeof(xcomp_bv));
	if (xcomp_bv)
		recfail("compacted XSAVE layout (xcomp_bv 0x%llx)", xcomp_bv);
	if (xstate_bv != x.xfeatures)
		recfail("features 0x%llx, but the XSAVE header says 0x%llx",
			x.xfeatures, xstate_bv);

	rec_out_begin(rec.off, "XSTATE", rec.len);
	kv_u("size", x.size);
	kv_x("xfeatures", x.xfeatures);
	kv_s("features", flags_str(names, sizeof(names), x.xfeatures,
				   xfeature_names));
	kv_x("mxcsr", mxcsr);
	rec_out_end();
	rec_end(true);
}

/*
 * A zombie's wait status: exited (code << 8) or killed by a signal
 * (with 0x80 if it dumped core).  Describe it in @buf; false if invalid.
 */
static bool wait_status_str(__u32 status, char *buf, size_t size)
{
	unsigned int sig = status & 0x7f;
	char name[16];

	if (!sig) {
		if (status & ~0xff00U)
			return false;
		snprintf(buf, size, "exited(%u)", status >> 8);
		return true;
	}
	if (sig > CKPT_NSIG || (status & ~0xffU))
		return false;
	snprintf(buf, size, "killed(%s%s)", sig_name(sig, name, sizeof(name)),
		 status & 0x80 ? ",core" : "");
	return true;
}

/* The clocks of a relative sleep that a restart continues */
static const char *sleep_clock_name(__s32 clockid)
{
	switch (clockid) {
	case 0:		return "realtime";
	case 1:		return "monotonic";
	case 7:		return "boottime";
	case 11:	return "tai";
	default:	return NULL;
	}
}

/* A wait in progress other than a sleep: its time left, no rmtp */
static void check_task_wait(const struct ckpt_hdr_task *t, bool zombie,
			    const char *what)
{
	if (zombie)
		recfail("zombie in %s", what);
	if (t->sleep_ns < 0)
		recfail("negative time left to wait %lld",
			(long long)t->sleep_ns);
	if (t->sleep_rmtp_set || t->sleep_rmtp)
		recfail("%s with a remaining-time pointer", what);
}

/* A FUTEX_WAIT in progress: its word, clock and time left */
static void check_task_futex(const struct ckpt_hdr_task *t, bool zombie)
{
	check_task_wait(t, zombie, "a futex wait");
	if (t->flags & CKPT_TASK_NANOSLEEP)
		recfail("both in a nanosleep and in a futex wait");
	if (t->sleep_clockid != 0 && t->sleep_clockid != 1)
		recfail("futex wait on clock %d", t->sleep_clockid);
	if (t->futex_flags & ~CKPT_FUTEX_PRIVATE)
		recfail("unknown futex flags 0x%x", t->futex_flags);
	if (t->futex_uaddr >= USER_ADDR_END || t->futex_uaddr % 4)
		recfail("futex word address 0x%llx",
			(unsigned long long)t->futex_uaddr);
}

/* An rt_sigtimedwait() in progress: its time left on CLOCK_MONOTONIC */
static void check_task_sigwait(const struct ckpt_hdr_task *t, bool zombie)
{
	check_task_wait(t, zombie, "rt_sigtimedwait()");
	if (t->flags & (CKPT_TASK_NANOSLEEP | CKPT_TASK_FUTEX_WAIT))
		recfail("both in rt_sigtimedwait() and in a sleep or futex wait");
	if (t->sleep_clockid != 1)
		recfail("rt_sigtimedwait() on clock %d", t->sleep_clockid);
}

/* The stop and the sleep in progress of a task; all zero without one. */
static void check_task_sleep(const struct ckpt_hdr_task *t, bool zombie)
{
	if (zombie && t->flags & CKPT_TASK_STOPPED)
		recfail("stopped zombie");
	if (t->flags & CKPT_TASK_STOPPED ?
	    t->stop_signal != KSIGSTOP && t->stop_signal != KSIGTSTP &&
	    t->stop_signal != KSIGTTIN && t->stop_signal != KSIGTTOU :
	    t->stop_signal || t->flags & CKPT_TASK_STOP_UNREPORTED)
		recfail("stop signal %u, flags 0x%x", t->stop_signal,
			t->flags & (CKPT_TASK_STOPPED |
				    CKPT_TASK_STOP_UNREPORTED));
	if (!(t->flags & CKPT_TASK_FUTEX_WAIT) &&
	    (t->futex_flags || t->futex_uaddr || t->futex_val))
		recfail("futex fields set without the futex_wait flag");
	if (t->flags & CKPT_TASK_SIGTIMEDWAIT) {
		check_task_sigwait(t, zombie);
		return;
	}
	if (t->flags & CKPT_TASK_FUTEX_WAIT) {
		check_task_futex(t, zombie);
		return;
	}
	if (!(t->flags & CKPT_TASK_NANOSLEEP)) {
		if (t->sleep_clockid || t->sleep_rmtp_set || t->sleep_ns ||
		    t->sleep_rmtp)
			recfail("sleep fields set without the nanosleep flag");
		return;
	}
	if (zombie)
		recfail("zombie in nanosleep");
	if (!sleep_clock_name(t->sleep_clockid))
		recfail("sleep on clock %d, not one a restart continues",
			t->sleep_clockid);
	if (t->sleep_ns < 0)
		recfail("negative time left to sleep %lld",
			(long long)t->sleep_ns);
	if (t->sleep_rmtp_set > 1 || t->sleep_rmtp >= USER_ADDR_END ||
	    (!t->sleep_rmtp_set && t->sleep_rmtp))
		recfail("sleep remaining-time pointer 0x%llx (set %u)",
			t->sleep_rmtp, t->sleep_rmtp_set);
}

static void put_task_sleep(const struct ckpt_hdr_task *t)
{
	if (t->flags & CKPT_TASK_SIGTIMEDWAIT) {
		kv_d("sigtimedwait_ns_left", t->sleep_ns);
		return;
	}
	if (t->flags & CKPT_TASK_FUTEX_WAIT) {
		kv_x("futex_uaddr", t->futex_uaddr);
		kv_u("futex_val", t->futex_val);
		kv_b("futex_private", t->futex_flags & CKPT_FUTEX_PRIVATE);
		kv_s("futex_clock", sleep_clock_name(t->sleep_clockid));
		kv_d("futex_ns_left", t->sleep_ns);
		return;
	}
	if (!(t->flags & CKPT_TASK_NANOSLEEP))
		return;
	kv_s("sleep_clock", sleep_clock_name(t->sleep_clockid));
	kv_d("sleep_ns", t->sleep_ns);
	if (t->sleep_rmtp_set)
		kv_x("sleep_rmtp", t->sleep_rmtp);
}

/* A process's interval timers: time left and interval, 0 if disarmed */
static void parse_itimers(void)
{
	static const char *const names[CKPT_NR_ITIMERS] = {
		"real", "virtual", "prof",
	};
	struct ckpt_hdr_itimers h;
	int i;

	rec_begin(CKPT_HDR_ITIMERS);
	rec_len(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	for (i = 0; i < CKPT_NR_ITIMERS; i++)
		if (h.it[i].value_ns < 0 || h.it[i].interval_ns < 0 ||
		    (!h.it[i].value_ns && h.it[i].interval_ns))
			recfail("%s timer: %lld ns left, interval %lld ns",
				names[i], (long long)h.it[i].value_ns,
				(long long)h.it[i].interval_ns);

	rec_out_begin(rec.off, "ITIMERS", rec.len);
	for (i = 0; i < CKPT_NR_ITIMERS; i++) {
		obj_begin(names[i]);
		kv_d("value_ns", h.it[i].value_ns);
		kv_d("interval_ns", h.it[i].interval_ns);
		obj_end();
	}
	rec_out_end();
	rec_end(true);
}

/* A process's POSIX timers, on hrtimer clocks only */
static void parse_posix_timers(void)
{
	struct ckpt_hdr_posix_timers h;
	struct ckpt_posix_timer e;
	char name[16];
	bool pending;
	__u32 i, j;
	int notify;

	rec_begin(CKPT_HDR_POSIX_TIMERS);
	rec_fixed(sizeof(h));
	memcpy(&h, rec.buf, sizeof(h));
	if (h.nr > CKPT_MAX_POSIX_TIMERS)
		recfail("%u timers, more than %d", h.nr, CKPT_MAX_POSIX_TIMERS);
	check_zero("reserved", &h.reserved, sizeof(h.reserved));
	rec_len(sizeof(h) + (__u64)h.nr * sizeof(e));
	for (i = 0; i < h.nr; i++) {
		memcpy(&e, rec.buf + sizeof(h) + i * sizeof(e), sizeof(e));
		notify = e.notify & ~4;	/* SIGEV_THREAD_ID */
		if (e.id < 0 || (e.clockid != 0 && e.clockid != 1 &&
				 e.clockid != 7 && e.clockid != 11))
			recfail("timer %u: id %d, clock %d", i, e.id, e.clockid);
		if ((notify != 0 && notify != 1) || e.notify & ~5 ||
		    (!notify && (e.signo < 1 || e.signo > CKPT_NSIG)))
			recfail("timer %d: notification %d, signal %d", e.id,
				e.notify, e.signo);
		pending = e.flags & CKPT_TIMER_SIGPENDING;
		if (e.overrun < 0 || e.value_ns < 0 || e.interval_ns < 0 ||
		    (!e.value_ns && e.interval_ns && !pending) ||
		    (e.notify & 4 ? e.tid <= 0 : e.tid != 0))
			recfail("timer %d: invalid setting", e.id);
		if (e.flags & ~CKPT_TIMER_SIGPENDING || e.sig_overrun < 0 ||
		    (!pending && e.sig_overrun) || (pending && notify))
			recfail("timer %d: flags 0x%x, signal overrun %d",
				e.id, e.flags, e.sig_overrun);
		for (j = 0; j < i; j++) {
			struct ckpt_posix_timer prev;

			memcpy(&prev, rec.buf + sizeof(h) + j * sizeof(e),
			       sizeof(prev));
			if (prev.id == e.id)
				recfail("timer %d twice", e.id);
		}
	}

	rec_out_begin(rec.off, "POSIX_TIMERS", rec.len);
	kv_u("nr", h.nr);
	arr_begin("timers");
	for (i = 0; i < h.nr; i++) {
		memcpy(&e, rec.buf + sizeof(h) + i * sizeof(e), sizeof(e));
		obj_begin(NULL);
		kv_d("id", e.id);
		kv_d("clock", e.clockid);
		kv_s("notify", (e.notify & ~4) ? "none" : "signal");
		if (!(e.notify & ~4))
			kv_s("sig", sig_name(e.signo, name, sizeof(name)));
		if (e.notify & 4)
			kv_d("tid", e.tid);
		kv_x("value", e.value);
		kv_d("overrun", e.overrun);
		kv_d("value_ns", e.value_ns);
		kv_d("interval_ns", e.interval_ns);
		kv_b("signal_pending", e.flags & CKPT_TIMER_SIGPENDING);
		if (e.flags & CKPT_TIMER_SIGPENDING)
			kv_d("signal_overrun", e.sig_overrun);
		obj_end();
	}
	arr_end();
	rec_out_end();
	rec_end(true);
}

static void parse_task(__u32 idx)
{
	static const __u32 share_flags[4] = {
		CKPT_TREE_SHARE_VM, CKPT_TREE_SHARE_FS, CKPT_TREE_SHARE_FILES,
		CKPT_TREE_SHARE_SIGHAND,
	};
	const struct ckpt_tree_entry *e = &tree[idx];
	bool zombie = e->flags & CKPT_TREE_ZOMBIE;
	const struct ckpt_tree_entry *c;
	struct ckpt_hdr_task t;
	struct {
		const char *name;
		__u32 ref;
		enum obj_kind kind;
		bool is_new;
	} refs[4];
	char buf[64], status[64], name[16];
	__u32 i, j;

	rec_begin(CKPT_HDR_TASK);
	rec_len(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	if (t.pid != e->pid || t.tgid != e->tgid)
		recfail("pid %d tgid %d, but tree entry %u is pid %d tgid %d",
			t.pid, t.tgid, idx, e->pid, e->tgid);
	if (t.flags & ~TASK_FLAGS_KNOWN)
		recfail("unknown flags 0x%x", t.flags);
	check_zero("reserved", &t.reserved, sizeof(t.reserved));
	check_task_sleep(&t, zombie);
	if (!has_nul(t.comm, sizeof(t.comm)))
		recfail("comm is not NUL-terminated");
	if (t.personality == 0xffffffffU)
		recfail("invalid personality 0x%x", t.personality);
	if (t.nice < -20 || t.nice > 19)
		recfail("nice %d out of range", t.nice);
	/* A thread has none: it is reaped as it exits */
	if (e->flags & CKPT_TREE_THREAD ? t.exit_signal != 0xffffffffU :
					  t.exit_signal > CKPT_NSIG)
		recfail("exit signal %u out of range", t.exit_signal);
	if (t.pdeath_signal > CKPT_NSIG)
		recfail("parent death signal %u out of range",
			t.pdeath_signal);
	if (zombie && !wait_status_str(t.exit_code, status, sizeof(status)))
		recfail("zombie with an invalid wait status 0x%x", t.exit_code);
	if (!zombie && t.exit_code)
		recfail("exit code 0x%x on a live task", t.exit_code);
	if (t.nr_files > MAX_FILES_PER_TASK)
		recfail("%u files, more than %d", t.nr_files,
			MAX_FILES_PER_TASK);
	if (zombie && t.nr_files)
		recfail("zombie with %u files: only its TASK record is saved",
			t.nr_files);
	if (t.robust_list >= USER_ADDR_END || t.clear_child_tid >= USER_ADDR_END)
		recfail("robust_list 0x%llx or clear_child_tid 0x%llx beyond user space",
			t.robust_list, t.clear_child_tid);
	if (t.robust_list_len != (t.robust_list ? ROBUST_LIST_HEAD_SIZE : 0))
		recfail("robust_list 0x%llx with length %u", t.robust_list,
			t.robust_list_len);
	if (t.rseq ? t.rseq >= USER_ADDR_END || t.rseq % RSEQ_AREA_SIZE ||
		     t.rseq_len != RSEQ_AREA_SIZE : t.rseq_len || t.rseq_sig)
		recfail("rseq area 0x%llx length %u signature 0x%x", t.rseq,
			t.rseq_len, t.rseq_sig);

	refs[0].name = "mm_ref";
	refs[0].ref = t.mm_ref;
	refs[0].kind = OBJ_MM;
	refs[1].name = "fs_ref";
	refs[1].ref = t.fs_ref;
	refs[1].kind = OBJ_FS;
	refs[2].name = "files_ref";
	refs[2].ref = t.files_ref;
	refs[2].kind = OBJ_FILES;
	refs[3].name = "sighand_ref";
	refs[3].ref = t.sighand_ref;
	refs[3].kind = OBJ_SIGHAND;
	/*
	 * An object a task shares with its creator (the leader of its
	 * thread group, or its parent) has the creator's ref; any other is
	 * new, its record follows.  Nothing follows a zombie's TASK.
	 */
	c = creator[idx] >= 0 ? &tree[creator[idx]] : NULL;
	for (i = 0; i < ARRAY_SIZE(refs); i++) {
		refs[i].is_new = false;
		task_refs[idx][i] = refs[i].ref;
		if (zombie) {
			if (refs[i].ref)
				recfail("zombie with %s %u", refs[i].name,
					refs[i].ref);
			continue;
		}
		if (!refs[i].ref)
			recfail("%s is 0", refs[i].name);
		for (j = 0; j < i; j++)
			if (refs[i].ref == refs[j].ref)
				recfail("%s and %s are both %u", refs[j].name,
					refs[i].name, refs[i].ref);
		if (e->flags & share_flags[i]) {
			/* the tree checks made sure that @c is a live task */
			if (refs[i].ref != task_refs[creator[idx]][i])
				recfail("%s %u: flagged %s, but pid %d has %s %u",
					refs[i].name, refs[i].ref,
					flags_str(buf, sizeof(buf),
						  share_flags[i], tree_flags),
					c->pid, refs[i].name,
					task_refs[creator[idx]][i]);
			continue;
		}
		check_new_ref(refs[i].name, refs[i].ref);
		refs[i].is_new = true;
	}

	rec_out_begin(rec.off, "TASK", rec.len);
	kv_d("pid", t.pid);
	kv_d("tgid", t.tgid);
	kv_s("comm", t.comm);
	kv_s("flags", flags_str(buf, sizeof(buf), t.flags, task_flags));
	kv_b("subreaper", t.flags & CKPT_TASK_SUBREAPER);
	kv_x("personality", t.personality);
	kv_d("nice", t.nice);
	kv_d("exit_signal", (__s32)t.exit_signal);
	kv_s("pdeath_signal", t.pdeath_signal ?
	     sig_name(t.pdeath_signal, name, sizeof(name)) : "none");
	kv_x("exit_code", t.exit_code);
	if (zombie)
		kv_s("wait_status", status);
	if (t.flags & CKPT_TASK_STOPPED)
		kv_s("stop_signal", sig_name(t.stop_signal, name,
					     sizeof(name)));
	put_task_sleep(&t);
	kv_u("timer_slack_ns", t.timer_slack_ns);
	kv_u("default_timer_slack_ns", t.default_timer_slack_ns);
	for (i = 0; i < ARRAY_SIZE(refs); i++)
		kv_u(refs[i].name, refs[i].ref);
	kv_u("nr_files", t.nr_files);
	kv_x("robust_list", t.robust_list);
	kv_u("robust_list_len", t.robust_list_len);
	kv_x("clear_child_tid", t.clear_child_tid);
	kv_x("rseq", t.rseq);
	kv_u("rseq_len", t.rseq_len);
	kv_x("rseq_sig", t.rseq_sig);
	rec_out_end();
	rec_end(true);
	if (zombie)
		return;

	parse_creds();
	for (i = 0; i < t.nr_files; i++)
		parse_file();
	if (!idx)
		parse_locks(false);
	for (i = 0; !idx && i < nr_epolls; i++)
		parse_epoll(epoll_refs[i]);
	if (refs[0].is_new)
		parse_mm(t.mm_ref);
	if (refs[1].is_new)
		parse_fs(t.fs_ref);
	if (refs[2].is_new)
		parse_fdtable(t.files_ref);
	if (refs[3].is_new)
		parse_sighand(t.sighand_ref);
	parse_signal();
	parse_sigpending(0);
	if (!(e->flags & CKPT_TREE_THREAD)) {
		parse_sigpending(1);
		parse_itimers();
		parse_posix_timers();
	}
	parse_cpu();
	parse_xstate();
}

static void parse_trailer(void)
{
	struct ckpt_hdr_trailer t;
	bool ok;

	rec_begin(CKPT_HDR_TRAILER);
	rec_len(sizeof(t));
	memcpy(&t, rec.buf, sizeof(t));
	ok = t.crc32 == crc;

	rec_out_begin(rec.off, "TRAILER", rec.len);
	kv_u("nr_records", t.nr_records);
	kv_u("image_len", t.image_len);
	kv_x("crc32", t.crc32);
	kv_x("computed_crc32", crc);
	kv_b("crc_ok", ok);
	rec_out_end();

	if (memcmp(t.magic, CKPT_MAGIC, sizeof(CKPT_MAGIC)))
		recfail("bad magic");
	if (t.nr_records != nr_records)
		recfail("nr_records %llu, but %llu records precede it",
			(__u64)t.nr_records, nr_records);
	if (t.image_len != rec.off)
		recfail("image_len %llu, but it is at offset %llu",
			(__u64)t.image_len, rec.off);
	if (!ok)
		recfail("CRC-32 mismatch: recorded 0x%08x, computed 0x%08x",
			t.crc32, crc);
	check_zero("reserved", &t.reserved, sizeof(t.reserved));
	rec_end(false);
	if (fgetc(in) != EOF)
		fail_at(pos, "data after the TRAILER record");
	if (ferror(in))
		fail_at(pos, "read error: %s", strerror(errno));
}

static void help(void)
{
	printf("Usage: %s [OPTION]... FILE\n"
	       "Decode and check a checkpoint image; FILE - is standard input.\n"
	       "\n"
	       "  -j, --json  print a JSON array with one object per record\n"
	       "              instead of one line per record\n"
	       "  -h, --help  print this help and exit\n"
	       "\n"
	       "Each line shows the record's offset, type and length, then its\n"
	       "decoded fields; the TREE record is followed by a table of its\n"
	       "tasks, one indented line per task.  On a malformed image the\n"
	       "records decoded so far are printed, then the offset of the bad\n"
	       "record and the reason on standard error.  Exit status: 0 if the\n"
	       "image is valid, 1 if it is not or cannot be read, 2 on a usage\n"
	       "error.\n",
	       progname);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	__u32 i;
	int c;

	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			help();
			return 0;
		default:
			goto usage_err;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\n", progname, optind >= argc ?
			"missing FILE" : "too many arguments");
		goto usage_err;
	}

	fname = argv[optind];
	if (!strcmp(fname, "-")) {
		fname = "<stdin>";
		in = stdin;
	} else {
		in = fopen(fname, "rb");
		if (!in) {
			fprintf(stderr, "%s: %s: %s\n", progname, fname,
				strerror(errno));
			return 1;
		}
	}

	crc32_init();
	parse_header();
	parse_tree();
	for (i = 0; i < nr_tasks; i++)
		parse_task(i);
	parse_trailer();
	out_finish();
	if (ferror(stdout)) {
		fprintf(stderr, "%s: write error\n", progname);
		return 1;
	}
	return 0;

usage_err:
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	return 2;
}
