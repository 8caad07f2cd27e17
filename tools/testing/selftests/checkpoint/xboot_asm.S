/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xb_wait() of helper_xboot.c: load known values into the general and
 * SSE registers and MXCSR, pause() until xb_go is set, then store them
 * for the C code to compare.  The data are helper_xboot.c's.
 */
#include <asm/unistd.h>

	.macro ld i, r
	movq xb_gpr_pat+8*\i(%rip), %\r
	.endm

	.macro st i, r
	movq %\r, xb_gpr_out+8*\i(%rip)
	.endm

	.text
	.globl xb_wait
	.hidden xb_wait
	.type xb_wait, @function
xb_wait:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	ldmxcsr xb_mxcsr_pat(%rip)
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu xb_vec_pat+16*\i(%rip), %xmm\i
	.endr
	ld 1, rbx
	ld 3, rdx
	ld 4, rsi
	ld 5, rdi
	ld 6, rbp
	ld 7, r8
	ld 8, r9
	ld 9, r10
	ld 11, r12
	ld 12, r13
	ld 13, r14
	ld 14, r15
1:	movl $__NR_pause, %eax
	syscall
	incl xb_returns(%rip)
	cmpl $0, xb_go(%rip)
	je 1b
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
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	movdqu %xmm\i, xb_vec_out+16*\i(%rip)
	.endr
	stmxcsr xb_mxcsr_out(%rip)
	ldmxcsr xb_mxcsr_def(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret
	.size xb_wait, .-xb_wait

	.section .note.GNU-stack, "", @progbits
