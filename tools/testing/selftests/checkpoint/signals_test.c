// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of signal state: the action of every signal
 * (handler, sa_flags, sa_mask, sa_restorer), the blocked mask and the
 * alternate signal stack.
 *
 * A child installs handlers with distinct flags (SA_RESTART, SA_SIGINFO,
 * SA_NODEFER, SA_RESETHAND, SA_ONSTACK) and masks, ignores a few signals
 * (one of them with flags and a mask), blocks others and, depending on the
 * variant, sets no alternate stack, one, or one with SS_AUTODISARM.  It
 * records the kernel's view of all 64 actions (rt_sigaction) and of its
 * mask.  The parent checkpoints it with CKPT_KILL, restarts it and checks
 * SigBlk/SigIgn/SigCgt in /proc/PID/status; it sends ignored signals (the
 * child must survive them) and a blocked one (it must stay pending).  The
 * restored child then checks that every action and the mask read back
 * exactly as before, that the alternate stack is the same, and raises
 * each handled signal: the right handler must run, with the right
 * siginfo, on the alternate stack exactly when SA_ONSTACK is set (and the
 * variant has one), with sa_mask (and the signal itself unless
 * SA_NODEFER) added to the blocked mask, and SA_RESETHAND must reset the
 * action to SIG_DFL.
 */
#include <stdint.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define TMO_READY	10000
#define TMO_EXIT	20000

#define BIT(sig)	(1ULL << ((sig) - 1))

#ifndef SA_RESTORER
#define SA_RESTORER	0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM	(1U << 31)
#endif

/* The kernel's struct sigaction on x86_64 */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

static int get_action(int sig, struct ksigaction *ka)
{
	return syscall(SYS_rt_sigaction, sig, NULL, ka, 8);
}

static uint64_t get_blocked(void)
{
	uint64_t set = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &set, 8);
	return set;
}

/* What a handler saw */
struct seen {
	int runs;
	int sig;
	int on_altstack;	/* a local of the handler lies in altstack */
	int ss_flags;		/* sigaltstack() in the handler */
	uint64_t blocked;	/* blocked mask in the handler */
	int signo, code, spid;	/* from the siginfo */
};

enum { H_HUP, H_QUIT, H_TERM, H_WINCH, H_RT1, H_MAX, NR_H };

static volatile struct seen seen[NR_H];
static char altstack[64 * 1024] __attribute__((aligned(64)));

static void record(int h, int sig, siginfo_t *si)
{
	volatile struct seen *s = &seen[h];
	volatile char here = 0;
	stack_t ss;

	s->runs++;
	s->sig = sig;
	s->on_altstack = (char *)&here >= altstack &&
			 (char *)&here < altstack + sizeof(altstack);
	s->ss_flags = sigaltstack(NULL, &ss) ? -1 : ss.ss_flags;
	s->blocked = get_blocked();
	if (si) {
		s->signo = si->si_signo;
		s->code = si->si_code;
		s->spid = si->si_pid;
	}
}

static void h_hup(int sig, siginfo_t *si, void *uc)
{
	record(H_HUP, sig, si);
}

static void h_quit(int sig)
{
	record(H_QUIT, sig, NULL);
}

static void h_term(int sig, siginfo_t *si, void *uc)
{
	record(H_TERM, sig, si);
}

static void h_winch(int sig)
{
	record(H_WINCH, sig, NULL);
}

static void h_rt1(int sig)
{
	record(H_RT1, sig, NULL);
}

static void h_max(int sig, siginfo_t *si, void *uc)
{
	record(H_MAX, sig, si);
}

#define SIG_RT1		35	/* SIGRTMIN + 1 for glibc */
#define SIG_IGNRT	40
#define SIG_MAX		64

struct sig_spec {
	int sig;
	int h;			/* H_*, or -1: SIG_IGN */
	void *fn;
	unsigned long flags;	/* SA_* (SA_RESTORER is added by libc) */
	uint64_t mask;
};

static const struct sig_spec sig_specs[] = {
	{ SIGHUP,    H_HUP,   h_hup,   SA_SIGINFO | SA_RESTART,
	  BIT(SIGINT) | BIT(SIGQUIT) },
	{ SIGINT,    -1,      NULL,    0, 0 },
	{ SIGQUIT,   H_QUIT,  h_quit,  SA_NODEFER | SA_RESETHAND,
	  BIT(SIGTERM) },
	{ SIGPIPE,   -1,      NULL,    0, 0 },
	{ SIGALRM,   -1,      NULL,    0, 0 },
	{ SIGTERM,   H_TERM,  h_term,  SA_ONSTACK | SA_SIGINFO,
	  BIT(SIGHUP) | BIT(36) },
	{ SIGWINCH,  H_WINCH, h_winch, SA_RESTART, 0 },
	{ SIG_RT1,   H_RT1,   h_rt1,   SA_ONSTACK | SA_NODEFER | SA_RESTART,
	  BIT(SIGUSR2) | BIT(SIGWINCH) },
	{ SIG_IGNRT, -1,      NULL,    SA_RESTART, BIT(SIGHUP) },
	{ SIG_MAX,   H_MAX,   h_max,   SA_SIGINFO,
	  BIT(SIGCHLD) | BIT(SIGCONT) | BIT(50) },
};

#define BLOCKED	(BIT(SIGXCPU) | BIT(SIGPWR) | BIT(39) | BIT(63))

enum { STACK_NONE, STACK_ON, STACK_AUTODISARM };

static struct ksigaction before[SIG_MAX + 1];
static uint64_t blocked_before;

static int install(void)
{
	struct sigaction sa;
	unsigned int i;
	int sig;

	for (i = 0; i < ARRAY_SIZE(sig_specs); i++) {
		const struct sig_spec *s = &sig_specs[i];

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		if (s->fn)
			sa.sa_handler = (void (*)(int))s->fn;
		sa.sa_flags = s->flags;
		sigemptyset(&sa.sa_mask);
		for (sig = 1; sig <= SIG_MAX; sig++)
			if (s->mask & BIT(sig))
				sigaddset(&sa.sa_mask, sig);
		if (sigaction(s->sig, &sa, NULL))
			return -1;
	}
	return 0;
}

/* Check the action of @s against what libc was asked to install. */
static int action_ok(const struct sig_spec *s, const struct ksigaction *ka)
{
	uint64_t handler = s->fn ? (uintptr_t)s->fn : (uintptr_t)SIG_IGN;

	return ka->handler == handler &&
	       ka->flags == (s->flags | SA_RESTORER) &&
	       ka->mask == s->mask && ka->restorer != 0;
}

/* Send @sig to this thread; 0 or -1. */
static int tkill_self(int sig)
{
	return syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

/*
 * Raise @s's signal and check what its handler saw.  Returns 0 or the
 * failed check's number.
 */
static int raise_check(const struct sig_spec *s, int stack_mode)
{
	volatile struct seen *sn = &seen[s->h];
	int want_alt = stack_mode != STACK_NONE && (s->flags & SA_ONSTACK);
	uint64_t want_blocked = blocked_before | s->mask;
	int want_ss;

	if (!(s->flags & SA_NODEFER))
		want_blocked |= BIT(s->sig);
	/* Any signal frame disarms an SS_AUTODISARM stack */
	if (stack_mode == STACK_NONE || stack_mode == STACK_AUTODISARM)
		want_ss = SS_DISABLE;
	else
		want_ss = want_alt ? SS_ONSTACK : 0;

	if (tkill_self(s->sig))
		return 30;
	ckpt_child_log("sig %d: runs %d sig %d alt %d ss %#x mask %#llx si %d/%d/%d",
		       s->sig, sn->runs, sn->sig,
		       sn->on_altstack, sn->ss_flags,
		       (unsigned long long)sn->blocked, sn->signo,
		       sn->code, sn->spid);
	if (sn->runs != 1 || sn->sig != s->sig)
		return 31;
	if (sn->on_altstack != want_alt)
		return 32;
	if (sn->ss_flags != want_ss)
		return 33;
	if (sn->blocked != want_blocked)
		return 34;
	if (s->flags & SA_SIGINFO) {
		if (sn->signo != s->sig || sn->code != SI_TKILL ||
		    sn->spid != getpid())
			return 35;
	}
	if (get_blocked() != blocked_before)
		return 36;
	return 0;
}

static int signals_child(void *arg)
{
	int stack_mode = (long)arg;
	struct ksigaction ka;
	struct timespec zero = { 0, 0 };
	unsigned int i;
	sigset_t set;
	stack_t ss;
	int sig, r;
	uint64_t blocked;

	if (ckpt_unmap_shared_anon() < 0)
		return 99;
	if (install())
		return 80;
	if (stack_mode != STACK_NONE) {
		ss.ss_sp = altstack;
		ss.ss_size = sizeof(altstack);
		ss.ss_flags = stack_mode == STACK_AUTODISARM ?
			      (int)SS_AUTODISARM : 0;
		if (sigaltstack(&ss, NULL))
			return 81;
	}
	blocked = BLOCKED;
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &blocked, NULL, 8))
		return 82;
	/* SIGUSR1 (the go signal) is ours too: install it before recording */
	{
		struct sigaction sa = { .sa_handler = ckpt_go_handler };

		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			return 83;
	}
	for (sig = 1; sig <= SIG_MAX; sig++)
		if (get_action(sig, &before[sig]))
			return 84;
	blocked_before = get_blocked();
	if (blocked_before != BLOCKED)
		return 85;
	ckpt_go_wait(1);

	/* Every action reads back exactly as before */
	for (sig = 1; sig <= SIG_MAX; sig++) {
		CKPT_CHILD_CHECK(1, !get_action(sig, &ka));
		if (memcmp(&ka, &before[sig], sizeof(ka)))
			ckpt_child_log("sig %d: %#llx/%#llx/%#llx/%#llx, was %#llx/%#llx/%#llx/%#llx",
				       sig,
				       (unsigned long long)ka.handler,
				       (unsigned long long)ka.flags,
				       (unsigned long long)ka.restorer,
				       (unsigned long long)ka.mask,
				       (unsigned long long)before[sig].handler,
				       (unsigned long long)before[sig].flags,
				       (unsigned long long)before[sig].restorer,
				       (unsigned long long)before[sig].mask);
		CKPT_CHILD_CHECK(2, !memcmp(&ka, &before[sig], sizeof(ka)));
	}
	for (i = 0; i < ARRAY_SIZE(sig_specs); i++) {
		CKPT_CHILD_CHECK(3, !get_action(sig_specs[i].sig, &ka));
		CKPT_CHILD_CHECK(4, action_ok(&sig_specs[i], &ka));
	}
	CKPT_CHILD_CHECK(5, !get_action(SIGUSR1, &ka) &&
			    ka.handler == (uintptr_t)ckpt_go_handler);

	/* The blocked mask, the alternate stack */
	CKPT_CHILD_CHECK(6, get_blocked() == BLOCKED);
	CKPT_CHILD_CHECK(7, !sigaltstack(NULL, &ss));
	ckpt_child_log("sigaltstack: %p %zu %#x", ss.ss_sp, ss.ss_size,
		       ss.ss_flags);
	if (stack_mode == STACK_NONE) {
		CKPT_CHILD_CHECK(8, ss.ss_flags == SS_DISABLE);
	} else {
		CKPT_CHILD_CHECK(9, ss.ss_sp == altstack &&
				    ss.ss_size == sizeof(altstack));
		CKPT_CHILD_CHECK(10, ss.ss_flags ==
			(stack_mode == STACK_AUTODISARM ? (int)SS_AUTODISARM :
							  0));
	}

	/*
	 * The parent sent SIGXCPU (blocked) after the restart: pending;
	 * nothing else is.
	 */
	CKPT_CHILD_CHECK(11, !sigpending(&set));
	for (sig = 1; sig <= SIG_MAX; sig++) {
		if (sig == 32 || sig == 33)	/* reserved by libc */
			continue;
		CKPT_CHILD_CHECK(12, sigismember(&set, sig) == (sig == SIGXCPU));
	}
	sigemptyset(&set);
	sigaddset(&set, SIGXCPU);
	CKPT_CHILD_CHECK(13, sigtimedwait(&set, NULL, &zero) == SIGXCPU);

	/* Each handled signal runs its handler the way it was set */
	for (i = 0; i < ARRAY_SIZE(sig_specs); i++) {
		if (sig_specs[i].h < 0)
			continue;
		r = raise_check(&sig_specs[i], stack_mode);
		CKPT_CHILD_CHECK(r, r == 0);
	}
	/* SA_RESETHAND: the handler ran once, the action is SIG_DFL now */
	CKPT_CHILD_CHECK(14, !get_action(SIGQUIT, &ka) && ka.handler == 0);
	/* Ignored signals are ignored, a blocked one stays pending */
	CKPT_CHILD_CHECK(15, !tkill_self(SIGINT) && !tkill_self(SIGPIPE) &&
			     !tkill_self(SIGALRM) && !tkill_self(SIG_IGNRT));
	CKPT_CHILD_CHECK(16, !tkill_self(SIGPWR) && !sigpending(&set) &&
			     sigismember(&set, SIGPWR));
	sigemptyset(&set);
	sigaddset(&set, SIGPWR);
	CKPT_CHILD_CHECK(17, sigtimedwait(&set, NULL, &zero) == SIGPWR);
	for (i = 0; i < NR_H; i++)
		CKPT_CHILD_CHECK(18, seen[i].runs == 1);
	ckpt_child_log("all checks passed");
	return 0;
}

/* The signal masks of /proc/PID/status */
struct sigmasks {
	uint64_t blk, ign, cgt, shdpnd, pnd;
};

static int read_masks(pid_t pid, struct sigmasks *m)
{
	char buf[4096], val[64];

	if (ckpt_proc_read(pid, "status", buf, sizeof(buf)) <= 0)
		return -1;
	if (ckpt_proc_field(buf, "SigBlk", val, sizeof(val)))
		return -1;
	m->blk = strtoull(val, NULL, 16);
	if (ckpt_proc_field(buf, "SigIgn", val, sizeof(val)))
		return -1;
	m->ign = strtoull(val, NULL, 16);
	if (ckpt_proc_field(buf, "SigCgt", val, sizeof(val)))
		return -1;
	m->cgt = strtoull(val, NULL, 16);
	if (ckpt_proc_field(buf, "ShdPnd", val, sizeof(val)))
		return -1;
	m->shdpnd = strtoull(val, NULL, 16);
	if (ckpt_proc_field(buf, "SigPnd", val, sizeof(val)))
		return -1;
	m->pnd = strtoull(val, NULL, 16);
	return 0;
}

FIXTURE(signals) {
	char log[64];
	pid_t pid;
	int imgfd;
};

FIXTURE_VARIANT(signals) {
	int stack_mode;
};

FIXTURE_VARIANT_ADD(signals, no_altstack) {
	.stack_mode = STACK_NONE,
};

FIXTURE_VARIANT_ADD(signals, altstack) {
	.stack_mode = STACK_ON,
};

FIXTURE_VARIANT_ADD(signals, altstack_autodisarm) {
	.stack_mode = STACK_AUTODISARM,
};

FIXTURE_SETUP(signals)
{
	int fd;

	self->pid = -1;
	self->imgfd = -1;
	strcpy(self->log, "/tmp/ckpt-signals.XXXXXX");
	fd = mkstemp(self->log);
	ASSERT_GE(fd, 0);
	close(fd);
}

FIXTURE_TEARDOWN(signals)
{
	if (self->pid > 0)
		ckpt_kill_reap(self->pid);
	if (self->imgfd >= 0)
		close(self->imgfd);
	unlink(self->log);
}

TEST_F_TIMEOUT(signals, restore, 120)
{
	uint64_t ign = 0, cgt = BIT(SIGUSR1), mine = BIT(SIGUSR1);
	struct sigmasks m0, m1;
	char klog[CKPT_LOG_MAX];
	unsigned int i;
	int status = 0;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(sig_specs); i++) {
		mine |= BIT(sig_specs[i].sig);
		if (sig_specs[i].h < 0)
			ign |= BIT(sig_specs[i].sig);
		else
			cgt |= BIT(sig_specs[i].sig);
	}

	self->pid = ckpt_spawn(signals_child, (void *)(long)variant->stack_mode,
			       self->log);
	ASSERT_GT(self->pid, 0);
	ASSERT_EQ(0, ckpt_wait_ready(self->pid, TMO_READY)) {
		ckpt_dump_log(self->log);
	}
	/* In sigsuspend(), which unblocks SIGUSR1 while it waits */
	ASSERT_EQ(0, ckpt_wait_syscall(self->pid, __NR_rt_sigsuspend,
				       TMO_READY));
	ASSERT_EQ(0, read_masks(self->pid, &m0));
	ASSERT_EQ(BLOCKED, m0.blk);
	ASSERT_EQ(ign, m0.ign & mine);
	ASSERT_EQ(cgt, m0.cgt & mine);
	ASSERT_EQ(0ULL, m0.shdpnd | m0.pnd);

	pid = ckpt_cycle(self->pid, &self->imgfd, klog, sizeof(klog));
	ASSERT_EQ(self->pid, pid) {
		TH_LOG("checkpoint/restart failed: %s; kernel log:\n%s",
		       strerror(errno), klog);
		ckpt_dump_log(self->log);
	}

	ASSERT_EQ(0, ckpt_wait_syscall(pid, __NR_rt_sigsuspend, TMO_READY));
	ASSERT_EQ(0, read_masks(pid, &m1));
	EXPECT_EQ(m0.blk, m1.blk);
	EXPECT_EQ(m0.ign, m1.ign);
	EXPECT_EQ(m0.cgt, m1.cgt);
	EXPECT_EQ(0ULL, m1.shdpnd | m1.pnd);

	/* Ignored signals do nothing, a blocked one stays pending */
	ASSERT_EQ(0, kill(pid, SIGINT));
	ASSERT_EQ(0, kill(pid, SIGALRM));
	ASSERT_EQ(0, kill(pid, SIGPIPE));
	ASSERT_EQ(0, kill(pid, SIGXCPU));
	EXPECT_EQ(0, ckpt_waitpid(pid, &status, 200)) {
		TH_LOG("the restored child died: status %#x", status);
		ckpt_dump_log(self->log);
		self->pid = -1;
	}
	ASSERT_EQ(0, read_masks(pid, &m1));
	EXPECT_EQ(BIT(SIGXCPU), m1.shdpnd);
	EXPECT_EQ(BLOCKED, m1.blk);

	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, ckpt_waitpid(pid, &status, TMO_EXIT));
	self->pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("child status %#x (exit code = failed check)", status);
		ckpt_dump_log(self->log);
	}
}

TEST_HARNESS_MAIN
