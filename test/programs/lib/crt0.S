/*
 * Start-up for the bare-metal test programs: exception vectors (through
 * VBAR), one stack per exception mode, .bss cleared, main() called and its
 * return value reported with semihosting SYS_EXIT_EXTENDED.
 *
 * Entered as QEMU's -kernel enters an ELF: SVC mode, MMU off, IRQ/FIQ masked.
 *
 * Built with -DSMP (the two-core programs of src/smp/), every core enters
 * here, as QEMU starts every core of a bare-metal ELF at its entry point. Each
 * core takes its stacks 64 KiB above the previous core's (by MPIDR.Aff0);
 * core 0 clears .bss and then lets the others go on (smp_bss_ready, an event);
 * every core calls main(). When main returns on core 0 the program exits with
 * its value; on another core, that core parks in WFI with interrupts masked.
 */

#include "modes.h"

/* Two-core builds: core N's stacks lie N * 64 KiB above core 0's (r4 = N). */
#ifdef SMP
	.macro	STACK_OF_CORE
	add	sp, sp, r4, lsl #16
	.endm
#else
	.macro	STACK_OF_CORE
	.endm
#endif

	.syntax unified
	.arm

	.section .text.start, "ax"
	.global _start
_start:
	cpsid	aif
#ifdef SMP
	mrc	p15, 0, r4, c0, c0, 5		@ MPIDR
	and	r4, r4, #3			@ Aff0: this core's number, kept in r4
#endif
	ldr	r0, =exc_vectors
	mcr	p15, 0, r0, c12, c0, 0		@ VBAR
	/* SCTLR.V = 0 so that VBAR is used; A = 0: unaligned accesses allowed. */
	mrc	p15, 0, r0, c1, c0, 0
	bic	r0, r0, #(1 << 13)
	bic	r0, r0, #(1 << 1)
	mcr	p15, 0, r0, c1, c0, 0
	isb

#ifdef __ARM_PCS_VFP
	/*
	 * Hard-float builds: VFP instructions are UNDEFINED until CPACR grants
	 * full access to cp10 and cp11 and FPEXC.EN is set. Nothing before this
	 * point, and nothing in the vectors, touches the VFP.
	 */
	mrc	p15, 0, r0, c1, c0, 2		@ CPACR
	orr	r0, r0, #(0xf << 20)		@ cp10, cp11: full access
	mcr	p15, 0, r0, c1, c0, 2
	isb
	mov	r0, #(1 << 30)			@ FPEXC.EN
	vmsr	fpexc, r0
#endif

	/*
	 * Stacks, and SPSRs holding a valid mode: the reset value of an SPSR is
	 * UNKNOWN, and writing back an invalid mode is UNPREDICTABLE.
	 */
	mov	r1, #(MODE_SVC | PSR_A | PSR_I | PSR_F)
	msr	cpsr_c, #(MODE_FIQ | PSR_I | PSR_F)
	ldr	sp, =__fiq_stack_top
	STACK_OF_CORE
	msr	spsr_cxsf, r1
	msr	cpsr_c, #(MODE_IRQ | PSR_I | PSR_F)
	ldr	sp, =__irq_stack_top
	STACK_OF_CORE
	msr	spsr_cxsf, r1
	msr	cpsr_c, #(MODE_ABT | PSR_I | PSR_F)
	ldr	sp, =__abt_stack_top
	STACK_OF_CORE
	msr	spsr_cxsf, r1
	msr	cpsr_c, #(MODE_UND | PSR_I | PSR_F)
	ldr	sp, =__und_stack_top
	STACK_OF_CORE
	msr	spsr_cxsf, r1
	msr	cpsr_c, #(MODE_SYS | PSR_I | PSR_F)
	ldr	sp, =__usr_stack_top
	STACK_OF_CORE
	msr	cpsr_c, #(MODE_SVC | PSR_I | PSR_F)
	ldr	sp, =__svc_stack_top
	STACK_OF_CORE
	msr	spsr_cxsf, r1

#ifdef SMP
	cmp	r4, #0
	bne	secondary_wait
#endif
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
	mov	r3, #0
1:	cmp	r0, r1
	strdlo	r2, r3, [r0], #8
	blo	1b

#ifdef SMP
	/* .bss is clear: the other cores may go on. */
	dmb
	ldr	r0, =smp_bss_ready
	mov	r1, #1
	str	r1, [r0]
	dsb
	sev
#endif
	mov	r0, #0
	mov	r1, #0
	bl	main
	b	exit

#ifdef SMP
	/* Other cores: wait until core 0 has cleared .bss, run main(), then park. */
secondary_wait:
	ldr	r0, =smp_bss_ready
1:	ldr	r1, [r0]
	cmp	r1, #0
	bne	2f
	wfe
	b	1b
2:	dmb
	mov	r0, #0
	mov	r1, #0
	bl	main
	.global	smp_park
smp_park:
	cpsid	if
3:	wfi
	b	3b

	/* In .data, not .bss: it must read 0 before core 0 clears .bss. */
	.data
	.align	2
	.global	smp_bss_ready
smp_bss_ready:
	.word	0
	.previous
#endif

/* void exit(int code): SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit. */
	.text
	.global exit
	.type	exit, %function
exit:
	sub	sp, sp, #8
	ldr	r1, =0x20026
	str	r1, [sp]
	str	r0, [sp, #4]
	mov	r1, sp
	mov	r0, #0x20
	svc	0x123456
	/* Not reached under a semihosting host; stop here otherwise. */
1:	wfi
	b	1b
	.size	exit, . - exit

/*
 * Vectors. Each entry saves a struct exc_frame on the exception mode's stack:
 * { spsr, pad, r0-r12, pc } where pc is the address of the instruction that
 * caused the exception (or, for IRQ/FIQ, the one to resume at), calls
 * exc_dispatch(kind, frame), and returns to frame->pc with SPSR restored
 * through MOVS pc, lr.
 */
	.align	5
	.global	exc_vectors
exc_vectors:
	b	vec_reset
	b	vec_undef
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_reset
	b	vec_irq
	b	vec_fiq

.macro	VECTOR name, adjust, kind
\name:
	sub	lr, lr, #\adjust
	stmfd	sp!, {r0-r12, lr}
	mrs	r0, spsr
	stmfd	sp!, {r0, r1}
	mov	r0, #\kind
	mov	r1, sp
	bl	exc_dispatch
	ldmfd	sp!, {r0, r1}
	msr	spsr_cxsf, r0
	ldmfd	sp!, {r0-r12, lr}
	movs	pc, lr
.endm

	VECTOR	vec_undef, 4, 1
	VECTOR	vec_svc, 4, 2
	VECTOR	vec_pabt, 4, 3
	VECTOR	vec_dabt, 8, 4
	VECTOR	vec_irq, 4, 6
	VECTOR	vec_fiq, 4, 7

vec_reset:
	mov	r0, #0
	mov	r1, sp
	bl	exc_dispatch
	b	vec_reset

	.ltorg
