// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of CPU state: general registers, SSE/AVX registers,
 * MXCSR, the x87 control word and stack, and the fs/gs bases.
 *
 * A child loads a distinct 64-bit pattern into every general register
 * (rax..r15 but rsp), distinct 128/256-bit patterns into xmm0-15/ymm0-15
 * (ymm only with AVX), non-default MXCSR and x87 control words and one x87
 * stack value, all from one assembly routine that then waits without
 * touching them: either spinning in user mode on a flag set by a SIGUSR1
 * handler, or blocked in pause().  The parent checkpoints it with
 * CKPT_KILL, restarts it and sends SIGUSR1; the routine stores every
 * register and the child exits with a code naming the first one that
 * differs.  A last test has a child checkpoint itself: the original gets
 * a positive id and exits 42, the restarted copy gets 0 and, after
 * checking the registers the syscall preserves and a few locals, exits 43.
 */
#include <stdint.h>
#include <asm/prctl.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define HIDDEN __attribute__((visibility("hidden"), used))

/* General registers, in this order */
enum {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP, R8, R9, R10, R11, R12, R13, R14,
	R15, NR_GPRS
};

static const char * const gpr_name[NR_GPRS] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10",
	"r11", "r12", "r13", "r14", "r15",
};

/* Shared with the assembly below, which addresses them %rip-relative */
HIDDEN uint64_t regs_gpr_pat[NR_GPRS];
HIDDEN uint64_t regs_gpr_out[NR_GPRS];
HIDDEN uint8_t regs_vec_pat[16][32] __attribute__((aligned(32)));
HIDDEN uint8_t regs_vec_out[16][32] __attribute__((aligned(32)));
HIDDEN uint8_t regs_x87_pat[16];
HIDDEN uint8_t regs_x87_out[16];
HIDDEN uint32_t regs_mxcsr_pat, regs_mxcsr_out;
HIDDEN uint32_t regs_mxcsr_def = 0x1f80;
HIDDEN uint16_t regs_fcw_pat, regs_fcw_out;
HIDDEN uint16_t regs_fcw_def = 0x037f;
HIDDEN uint64_t regs_self_args[4];	/* rdi rsi rdx r10 of checkpoint() */
HIDDEN volatile int regs_state;		/* 1: patterns loaded */
HIDDEN volatile int regs_go;		/* set by the SIGUSR1 handler */
HIDDEN volatile int regs_nr_returns;	/* returns from pause() */

/* Non-default values: round up + flush to zero; 53-bit, round to zero */
#define MXCSR_PAT	0xdf80
#define FCW_PAT		0x0e7f
#define GS_PAT		0x00001234deadb000ULL

/* The functions of regs_asm.S */
#define HFUNC __attribute__((visibility("hidden")))
HFUNC void regs_spin_avx(void);
HFUNC void regs_spin_sse(void);
HFUNC void regs_pause_avx(void);
HFUNC void regs_pause_sse(void);
HFUNC void regs_self_avx(void);
HFUNC void regs_self_sse(void);

/* Child exit codes */
#define EXIT_SETUP	2
#define EXIT_GPR	10	/* + register index */
#define EXIT_VEC	30	/* + register number */
#define EXIT_MXCSR	50
#define EXIT_FCW	51
#define EXIT_X87	52
#define EXIT_GS		53
#define EXIT_FS		54
#define EXIT_RETURNS	55
#define EXIT_RAX	56
#define EXIT_LOCALS	57
#define EXIT_SELF_ORIG	42
#define EXIT_SELF_COPY	43

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill_patterns(uint64_t seed)
{
	/* pi as an x87 extended value: mantissa, then sign and exponent */
	static const uint8_t pi80[10] = {
		0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40,
	};
	uint64_t s = seed, v;
	int i, j;

	for (i = 0; i < NR_GPRS; i++)
		regs_gpr_pat[i] = splitmix64(&s);
	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j += 8) {
			v = splitmix64(&s);
			memcpy(&regs_vec_pat[i][j], &v, 8);
		}
	memcpy(regs_x87_pat, pi80, sizeof(pi80));
	regs_mxcsr_pat = MXCSR_PAT;
	regs_fcw_pat = FCW_PAT;
}

static int have_avx(void)
{
	__builtin_cpu_init();
	return !!__builtin_cpu_supports("avx");
}

/*
 * Compare what the routine stored with the patterns; @skip is a mask of
 * general registers not to compare.  Returns 0 or an exit code.
 */
static int check_regs(unsigned int skip, int avx)
{
	size_t vlen = avx ? 32 : 16;
	int i;

	for (i = 0; i < NR_GPRS; i++) {
		if (skip & (1u << i) || regs_gpr_out[i] == regs_gpr_pat[i])
			continue;
		ckpt_child_log("%s is %#llx, expected %#llx", gpr_name[i],
			       (unsigned long long)regs_gpr_out[i],
			       (unsigned long long)regs_gpr_pat[i]);
		return EXIT_GPR + i;
	}
	for (i = 0; i < 16; i++) {
		if (!memcmp(regs_vec_out[i], regs_vec_pat[i], vlen))
			continue;
		ckpt_child_log("%cmm%d differs (%s half)", avx ? 'y' : 'x', i,
			       memcmp(regs_vec_out[i], regs_vec_pat[i], 16) ?
			       "lower" : "upper");
		return EXIT_VEC + i;
	}
	if (regs_mxcsr_out != regs_mxcsr_pat) {
		ckpt_child_log("mxcsr is %#x, expected %#x", regs_mxcsr_out,
			       regs_mxcsr_pat);
		return EXIT_MXCSR;
	}
	if (regs_fcw_out != regs_fcw_pat) {
		ckpt_child_log("x87 control word is %#x, expected %#x",
			       regs_fcw_out, regs_fcw_pat);
		return EXIT_FCW;
	}
	if (memcmp(regs_x87_out, regs_x87_pat, 10)) {
		ckpt_child_log("x87 st(0) differs");
		return EXIT_X87;
	}
	return 0;
}

static void go_handler(int sig)
{
	regs_go = 1;
}

struct wait_args {
	int in_syscall;		/* wait in pause() instead of spinning */
};

/* The child of the spin and pause tests. */
static int regs_child(void *arg)
{
	const struct wait_args *wa = arg;
	struct sigaction sa = { .sa_handler = go_handler };
	unsigned long fs_before = 0, fs_after = 0, gs = 0;
	int avx = have_avx();
	sigset_t set;
	int ret;

	if (ckpt_unmap_shared_anon() < 0)
		return EXIT_SETUP;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL))
		return EXIT_SETUP;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, GS_PAT) ||
	    syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before))
		return EXIT_SETUP;
	fill_patterns(0x5eed0000 + getpid());
	ckpt_child_log("avx %d, waiting %s", avx,
		       wa->in_syscall ? "in pause()" : "in user mode");
	ckpt_child_ready();

	if (wa->in_syscall)
		avx ? regs_pause_avx() : regs_pause_sse();
	else
		avx ? regs_spin_avx() : regs_spin_sse();

	if (wa->in_syscall) {
		/* pause() returned once, with EINTR, for our SIGUSR1 */
		if (regs_nr_returns != 1) {
			ckpt_child_log("pause() returned %d times",
				       regs_nr_returns);
			return EXIT_RETURNS;
		}
		if ((long)regs_gpr_out[RAX] != -EINTR) {
			ckpt_child_log("pause() returned %lld",
				       (long long)regs_gpr_out[RAX]);
			return EXIT_RAX;
		}
	}
	/* syscall clobbers rcx and r11 */
	ret = check_regs(wa->in_syscall ?
			 (1u << RAX) | (1u << RCX) | (1u << R11) : 0, avx);
	if (ret)
		return ret;
	if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs) || gs != GS_PAT) {
		ckpt_child_log("gs base is %#lx, expected %#llx", gs, GS_PAT);
		return EXIT_GS;
	}
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after) ||
	    fs_after != fs_before) {
		ckpt_child_log("fs base is %#lx, expected %#lx", fs_after,
			       fs_before);
		return EXIT_FS;
	}
	ckpt_child_log("all registers intact");
	return 0;
}

/* The child of the self-checkpoint test; @arg is the image path. */
static int self_child(void *arg)
{
	volatile uint64_t locals[8];
	static uint64_t static_val;
	int avx = have_avx();
	uint64_t s = 77;
	long ret;
	int fd, i;

	if (ckpt_unmap_shared_anon() < 0)
		return EXIT_SETUP;
	fd = open(arg, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return EXIT_SETUP;
	fill_patterns(0xc0ffee00 + getpid());
	for (i = 0; i < 8; i++)
		locals[i] = splitmix64(&s);
	static_val = 0x1122334455667788ULL;
	regs_self_args[0] = 0;			/* pid: myself */
	regs_self_args[1] = fd;
	regs_self_args[2] = 0;			/* flags */
	regs_self_args[3] = (uint64_t)-1;	/* logfd */
	regs_gpr_pat[RDI] = regs_self_args[0];
	regs_gpr_pat[RSI] = regs_self_args[1];
	regs_gpr_pat[RDX] = regs_self_args[2];
	regs_gpr_pat[R10] = regs_self_args[3];

	avx ? regs_self_avx() : regs_self_sse();

	ret = (long)regs_gpr_out[RAX];
	if (ret < 0) {
		ckpt_child_log("checkpoint() failed: %s", strerror(-ret));
		return EXIT_SETUP;
	}
	ckpt_child_log("checkpoint() returned %ld (avx %d)", ret, avx);
	i = check_regs((1u << RAX) | (1u << RCX) | (1u << R11), avx);
	if (i)
		return i;
	s = 77;
	for (i = 0; i < 8; i++) {
		if (locals[i] != splitmix64(&s)) {
			ckpt_child_log("local %d differs", i);
			return EXIT_LOCALS;
		}
	}
	if (static_val != 0x1122334455667788ULL) {
		ckpt_child_log("static variable differs");
		return EXIT_LOCALS;
	}
	return ret > 0 ? EXIT_SELF_ORIG : EXIT_SELF_COPY;
}

FIXTURE(regs) {
	pid_t pid;
	int img;
	char logpath[64];
	char imgpath[64];
	char klog[CKPT_LOG_MAX];
};

FIXTURE_SETUP(regs)
{
	self->pid = -1;
	self->img = -1;
	snprintf(self->logpath, sizeof(self->logpath),
		 "/tmp/ckpt-regs-%d.log", getpid());
	snprintf(self->imgpath, sizeof(self->imgpath),
		 "/tmp/ckpt-regs-%d.img", getpid());
}

FIXTURE_TEARDOWN(regs)
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
	unlink(self->logpath);
	unlink(self->imgpath);
}

/* Wait for *@pidp to exit with @code; *@pidp is -1 once it is reaped. */
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

/* Spawn regs_child, wait until its registers are loaded. */
static void start_waiter(struct __test_metadata *_metadata,
			 FIXTURE_DATA(regs) *self, struct wait_args *wa)
{
	int ready;

	self->pid = ckpt_spawn(regs_child, wa, self->logpath);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, 30000));
	ready = ckpt_wait_peek_int(self->pid, &regs_state, 1, 30000);
	ASSERT_EQ(0, ready) {
		TH_LOG("child never loaded its registers");
	}
}

/* Checkpoint and kill the child, restart it; same pid, patterns loaded. */
static void kill_and_restart(struct __test_metadata *_metadata,
			     FIXTURE_DATA(regs) *self)
{
	int state;
	pid_t ret;

	ret = ckpt_cycle(self->pid, &self->img, self->klog,
			 sizeof(self->klog));
	ASSERT_EQ(self->pid, ret) {
		TH_LOG("checkpoint/restart cycle failed: %s",
		       strerror(errno));
	}
	ASSERT_EQ(0, ckpt_peek(self->pid, &regs_state, &state,
			       sizeof(state)));
	ASSERT_EQ(1, state);
}

TEST_F_TIMEOUT(regs, user_mode_spin, 120)
{
	struct wait_args wa = { .in_syscall = 0 };
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	start_waiter(_metadata, self, &wa);
	/* let it spin: it must be running, not sleeping */
	nanosleep(&ts, NULL);
	ASSERT_EQ('R', ckpt_proc_state(self->pid));
	kill_and_restart(_metadata, self);
	nanosleep(&ts, NULL);
	ASSERT_EQ('R', ckpt_proc_state(self->pid)) {
		TH_LOG("restored child is not spinning");
	}
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 30000);
}

TEST_F_TIMEOUT(regs, blocked_in_syscall, 120)
{
	struct wait_args wa = { .in_syscall = 1 };
	char sc_before[256], sc_after[256];
	int returns = -1;

	start_waiter(_metadata, self, &wa);
	ASSERT_EQ(0, ckpt_wait_syscall(self->pid, __NR_pause, 30000));
	/* number, arguments (our patterns), sp and pc of the syscall */
	ASSERT_LT(0, ckpt_proc_read(self->pid, "syscall", sc_before,
				    sizeof(sc_before)));
	kill_and_restart(_metadata, self);
	ASSERT_EQ(0, ckpt_wait_syscall(self->pid, __NR_pause, 30000)) {
		TH_LOG("restored child is not in pause()");
	}
	ASSERT_LT(0, ckpt_proc_read(self->pid, "syscall", sc_after,
				    sizeof(sc_after)));
	ASSERT_STREQ(sc_before, sc_after);
	ASSERT_EQ(0, ckpt_peek(self->pid, &regs_nr_returns, &returns,
			       sizeof(returns)));
	ASSERT_EQ(0, returns);
	ASSERT_EQ(0, kill(self->pid, SIGUSR1));
	expect_exit(_metadata, &self->pid, 0, 30000);
}

TEST_F_TIMEOUT(regs, self_checkpoint, 120)
{
	pid_t orig, ret;

	self->pid = ckpt_spawn(self_child, self->imgpath, self->logpath);
	ASSERT_GT(self->pid, 0);
	orig = self->pid;
	/* the original sees a positive id */
	expect_exit(_metadata, &self->pid, EXIT_SELF_ORIG, 60000);

	self->img = open(self->imgpath, O_RDONLY);
	ASSERT_LE(0, self->img);
	ASSERT_LT(0, ckpt_fd_size(self->img));
	ret = ckpt_restart(self->img, 0, self->klog, sizeof(self->klog));
	ASSERT_EQ(orig, ret) {
		TH_LOG("restart failed: %s", strerror(errno));
	}
	self->pid = ret;
	/* the copy sees 0 and its registers and locals */
	expect_exit(_metadata, &self->pid, EXIT_SELF_COPY, 30000);
}

TEST_HARNESS_MAIN
