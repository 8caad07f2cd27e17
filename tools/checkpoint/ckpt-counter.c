// SPDX-License-Identifier: GPL-2.0
/*
 * ckpt-counter - a process worth checkpointing.
 *
 *   ckpt-counter FILE
 *
 * Appends "count N" to FILE every half second, forever, N counting from 1.
 * The count lives in heap memory only, next to a 4 MiB buffer filled with
 * a pseudo-random pattern at start whose checksum is verified before each
 * line: after a restart the count goes on from where it was and the
 * buffer is intact, or the program writes what is wrong to FILE and
 * exits with status 3.
 *
 * Standard input, output and error are redirected to /dev/null at start
 * and inherited descriptors are closed (a terminal or a pipe could not be
 * checkpointed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define BUF_SIZE	(4UL << 20)
#define PERIOD_NS	500000000L

static const char *progname = "ckpt-counter";

struct state {
	unsigned long count;
	uint64_t seed;
	uint64_t sum;		/* checksum of buf[] */
	uint64_t *buf;		/* BUF_SIZE bytes */
};

static uint64_t checksum(const uint64_t *buf)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < BUF_SIZE / sizeof(*buf); i++)
		sum = (sum ^ buf[i]) * 0x100000001b3ULL;
	return sum;
}

static void fill(uint64_t *buf, uint64_t seed)
{
	uint64_t x = seed | 1;
	size_t i;

	for (i = 0; i < BUF_SIZE / sizeof(*buf); i++) {
		/* xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = x;
	}
}

/* write(2) all of @s, retrying after signals; 0 or -1. */
static int write_str(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len) {
		n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= n;
	}
	return 0;
}

/*
 * Close every descriptor above stderr that we inherited: a pipe or a
 * socket left open by whoever started us would make us impossible to
 * checkpoint.
 */
static void close_inherited_fds(void)
{
	int fd;

	if (!syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0))
		return;
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		close(fd);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s FILE\n"
		"Append \"count N\" to FILE every 0.5 s, forever, N counting from 1;\n"
		"the count and a checksummed 4 MiB buffer live in heap memory.\n"
		"Standard input, output and error are redirected to /dev/null.\n",
		progname);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct timespec now, ts;
	struct state *st;
	char line[64];
	int fd, null, c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
				progname);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\n", progname,
			optind >= argc ? "missing FILE" : "too many arguments");
		fprintf(stderr, "Try '%s --help' for more information.\n",
			progname);
		return 2;
	}

	close_inherited_fds();
	fd = open(argv[optind], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, argv[optind],
			strerror(errno));
		return 1;
	}

	st = malloc(sizeof(*st));
	if (st)
		st->buf = malloc(BUF_SIZE);
	if (!st || !st->buf) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	st->count = 0;
	clock_gettime(CLOCK_REALTIME, &now);
	st->seed = (uint64_t)now.tv_sec * 1000000007ULL ^ now.tv_nsec ^
		   ((uint64_t)getpid() << 32);
	fill(st->buf, st->seed);
	st->sum = checksum(st->buf);

	null = open("/dev/null", O_RDWR);
	if (null < 0) {
		fprintf(stderr, "%s: /dev/null: %s\n", progname,
			strerror(errno));
		return 1;
	}
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);

	for (;;) {
		if (checksum(st->buf) != st->sum) {
			snprintf(line, sizeof(line),
				 "heap checksum mismatch after count %lu\n",
				 st->count);
			write_str(fd, line);
			return 3;
		}
		st->count++;
		snprintf(line, sizeof(line), "count %lu\n", st->count);
		if (write_str(fd, line) < 0)
			return 1;

		ts.tv_sec = 0;
		ts.tv_nsec = PERIOD_NS;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}
