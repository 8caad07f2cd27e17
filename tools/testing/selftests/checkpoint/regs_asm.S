/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register-pattern functions of regs_test.c.  Each loads known
 * values into the general, vector and FPU registers, waits (spinning in
 * user mode, in pause(), or in checkpoint() on itself), then stores the
 * registers for the C code to compare.  The data are regs_test.c's.
 */
#include <asm/unistd.h>

#ifndef __NR_checkpoint
#define __NR_checkpoint 451
#endif

	.macro ld i, r
	movq regs_gpr_pat+8*\i(%rip), %\r
	.endm

	.macro st i, r
	movq %\r, regs_gpr_out+8*\i(%rip)
	.endm

	.macro vec_load wide
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.if \wide
	vmovdqu regs_vec_pat+32*\i(%rip), %ymm\i
	.else
	movdqu regs_vec_pat+32*\i(%rip), %xmm\i
	.endif
	.endr
	.endm

	.macro vec_store wide
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.if \wide
	vmovdqu %ymm\i, regs_vec_out+32*\i(%rip)
	.else
	movdqu %xmm\i, regs_vec_out+32*\i(%rip)
	.endif
	.endr
	.endm

	/* all but rax, rsi, rdi, rdx, r10 (the checkpoint() arguments) */
	.macro gpr_load_common
	ld 1, rbx
	ld 2, rcx
	ld 6, rbp
	ld 7, r8
	ld 8, r9
	ld 10, r11
	ld 11, r12
	ld 12, r13
	ld 13, r14
	ld 14, r15
	.endm

	.macro gpr_load_args
	ld 3, rdx
	ld 4, rsi
	ld 5, rdi
	ld 9, r10
	.endm

	.macro gpr_store_all
	st 0, rax
	st 1, rbx
	st 2, rcx
	st 3, rdx
	st 4, rsi
	st 5, rdi
	st 6, rbp
	st 7, r8
	st 8, r9
	st 9, r10
	st 10, r11
	st 11, r12
	st 12, r13
	st 13, r14
	st 14, r15
	.endm

	.macro fp_load
	ldmxcsr regs_mxcsr_pat(%rip)
	fldcw regs_fcw_pat(%rip)
	fldt regs_x87_pat(%rip)
	.endm

	.macro fp_store
	fstpt regs_x87_out(%rip)
	fnstcw regs_fcw_out(%rip)
	stmxcsr regs_mxcsr_out(%rip)
	ldmxcsr regs_mxcsr_def(%rip)
	fldcw regs_fcw_def(%rip)
	.endm

	/* user-mode wait: nothing but a flag in memory is touched */
	.macro spin_loop
	movl $1, regs_state(%rip)
1:	pause
	cmpl $0, regs_go(%rip)
	je 1b
	.endm

	/* wait in pause(): rax, rcx and r11 are the syscall's */
	.macro pause_loop
	movl $1, regs_state(%rip)
2:	movl $__NR_pause, %eax
	syscall
	incl regs_nr_returns(%rip)
	cmpl $0, regs_go(%rip)
	je 2b
	.endm

	/* checkpoint(regs_self_args[0..3]) with everything else loaded */
	.macro self_ckpt
	movq regs_self_args+0(%rip), %rdi
	movq regs_self_args+8(%rip), %rsi
	movq regs_self_args+16(%rip), %rdx
	movq regs_self_args+24(%rip), %r10
	movl $1, regs_state(%rip)
	movl $__NR_checkpoint, %eax
	syscall
	.endm

	/* name, wide (AVX), what loads the registers, how it waits */
	.macro regs_func name, wide, load, wait
	.globl \name
	.hidden \name
	.type \name, @function
\name:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	fp_load
	vec_load \wide
	\load
	\wait
	gpr_store_all
	vec_store \wide
	fp_store
	.if \wide
	vzeroupper
	.endif
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
	.size \name, .-\name
	.endm

	.macro load_all
	ld 0, rax
	gpr_load_common
	gpr_load_args
	.endm

	.macro load_no_rax
	gpr_load_common
	gpr_load_args
	.endm

	.text
	regs_func regs_spin_avx, 1, load_all, spin_loop
	regs_func regs_spin_sse, 0, load_all, spin_loop
	regs_func regs_pause_avx, 1, load_no_rax, pause_loop
	regs_func regs_pause_sse, 0, load_no_rax, pause_loop
	regs_func regs_self_avx, 1, gpr_load_common, self_ckpt
	regs_func regs_self_sse, 0, gpr_load_common, self_ckpt

	.section .note.GNU-stack, "", @progbits
