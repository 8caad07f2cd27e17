// SPDX-License-Identifier: GPL-2.0
/*
 * Helper of xboot/save_restore.sh: the process that is checkpointed in one
 * boot and restarted in another.
 *
 *   helper_xboot READY_FILE
 *
 * Fills anonymous memory (8 MiB), the heap, the stack and .bss with
 * pseudo-random patterns, sets the gs base, loads patterns into the
 * general registers and xmm0-15 and a non-default MXCSR, writes its pid
 * to READY_FILE and waits in pause() without touching any of that.  On
 * SIGUSR1 it checks everything and exits with 0, or with a code naming
 * the first thing that differs: 10 + general register index, 30 + xmm
 * register, 50 MXCSR, 53 gs base, 55 pause() returned more than once or
 * not with EINTR, 60 anonymous memory, 61 heap, 62 stack, 63 .bss,
 * 64 pid, 65 working directory, 66 standard fds not /dev/null, 67 the
 * vdso's clock_gettime() disagrees with the system call's (also for
 * CLOCK_BOOTTIME), 68 CLOCK_MONOTONIC or 69 CLOCK_BOOTTIME is earlier
 * than just before the checkpoint (the next boot starts them again).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#define HIDDEN __attribute__((visibility("hidden"), used))

enum {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14,
	R15, NR_GPRS
};

HIDDEN uint64_t xb_gpr_pat[NR_GPRS];
HIDDEN uint64_t xb_gpr_out[NR_GPRS];
HIDDEN uint8_t xb_vec_pat[16][16] __attribute__((aligned(16)));
HIDDEN uint8_t xb_vec_out[16][16] __attribute__((aligned(16)));
HIDDEN uint32_t xb_mxcsr_pat = 0xdf80, xb_mxcsr_out;
HIDDEN uint32_t xb_mxcsr_def = 0x1f80;
HIDDEN volatile int xb_go;
HIDDEN volatile int xb_returns;

/* Load everything, pause() until xb_go, store everything: xboot_asm.S */
__attribute__((visibility("hidden"))) void xb_wait(void);

#define ANON_SIZE	(8UL << 20)
#define HEAP_SIZE	(64 * 1024)
#define STACK_SIZE	(64 * 1024)
#define BSS_SIZE	(64 * 1024)
#define GS_PAT		0x00005a5a12340000ULL

static uint64_t bss[BSS_SIZE / 8];

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

static int __attribute__((noinline)) same(const void *buf, size_t len,
					  uint64_t seed)
{
	const uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != splitmix64(&seed))
			return 0;
	return 1;
}

static void go_handler(int sig)
{
	xb_go = 1;
}

static int is_devnull(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(1, 3);
}

static long ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

/* The vdso (through glibc's pointers into it) agrees with the syscall */
static int vdso_ok(clockid_t clk)
{
	struct timespec v1, s, v2;

	if (clock_gettime(clk, &v1) || syscall(SYS_clock_gettime, clk, &s) ||
	    clock_gettime(clk, &v2))
		return 0;
	return ts_ns(&v1) <= ts_ns(&s) && ts_ns(&s) <= ts_ns(&v2);
}

static int check_regs(void)
{
	int i;

	/* rax is pause()'s -EINTR; the syscall clobbers rcx and r11 */
	for (i = 0; i < NR_GPRS; i++)
		if (i != RAX && i != RCX && i != R11 &&
		    xb_gpr_out[i] != xb_gpr_pat[i])
			return 10 + i;
	for (i = 0; i < 16; i++)
		if (memcmp(xb_vec_out[i], xb_vec_pat[i], 16))
			return 30 + i;
	if (xb_mxcsr_out != xb_mxcsr_pat)
		return 50;
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t stack[STACK_SIZE];
	struct sigaction sa = { .sa_handler = go_handler };
	unsigned long gs = 0;
	uint64_t s = 0x8b007;
	char cwd[64];
	struct timespec mono, boot, now;
	uint8_t *anon, *heap;
	pid_t pid = getpid();
	int fd, i, ret;

	if (argc != 2)
		return 2;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		return 2;
	anon = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap = malloc(HEAP_SIZE);
	if (anon == MAP_FAILED || !heap)
		return 2;
	fill(anon, ANON_SIZE, 1);
	fill(heap, HEAP_SIZE, 2);
	fill(stack, STACK_SIZE, 3);
	fill(bss, BSS_SIZE, 4);
	for (i = 0; i < NR_GPRS; i++)
		xb_gpr_pat[i] = splitmix64(&s);
	fill(xb_vec_pat, sizeof(xb_vec_pat), 5);
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, GS_PAT))
		return 2;

	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dprintf(fd, "%d\n", pid) < 0 || close(fd))
		return 2;
	/* The clocks only go forward, even into the next boot */
	if (clock_gettime(CLOCK_MONOTONIC, &mono) ||
	    clock_gettime(CLOCK_BOOTTIME, &boot))
		return 2;

	xb_wait();

	if (xb_returns != 1 || (long)xb_gpr_out[RAX] != -EINTR)
		return 55;
	ret = check_regs();
	if (ret)
		return ret;
	if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) || gs != GS_PAT)
		return 53;
	if (!same(anon, ANON_SIZE, 1))
		return 60;
	if (!same(heap, HEAP_SIZE, 2))
		return 61;
	if (!same(stack, STACK_SIZE, 3))
		return 62;
	if (!same(bss, BSS_SIZE, 4))
		return 63;
	if (getpid() != pid)
		return 64;
	if (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/"))
		return 65;
	for (i = 0; i < 3; i++)
		if (!is_devnull(i))
			return 66;
	if (!vdso_ok(CLOCK_MONOTONIC) || !vdso_ok(CLOCK_REALTIME) ||
	    !vdso_ok(CLOCK_BOOTTIME))
		return 67;
	if (clock_gettime(CLOCK_MONOTONIC, &now) || ts_ns(&now) < ts_ns(&mono))
		return 68;
	if (clock_gettime(CLOCK_BOOTTIME, &now) || ts_ns(&now) < ts_ns(&boot))
		return 69;
	return 0;
}
