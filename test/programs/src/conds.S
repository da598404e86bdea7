/*
 * Written in assembly: every condition code against every NZCV combination,
 * conditional execution of data processing, loads, stores and branches, and
 * the ways of writing the PC (B, BL, BX, BLX register, MOV/ADD/LDR/LDM to pc).
 * Results are printed through printf from the C runtime.
 */

	.syntax unified
	.arm
	.text

	.global	main
	.type	main, %function
main:
	push	{r4-r11, lr}

	/* For each NZCV value, a mask with bit c set when condition c passes. */
	mov	r4, #0				@ nzcv
1:	lsl	r0, r4, #28
	msr	cpsr_f, r0
	mov	r5, #0				@ mask
	.irp	cond, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al
	orr\cond r5, r5, #(1 << .Lbit_\cond)
	.endr
	ldr	r0, =fmt_cond
	mov	r1, r4
	mov	r2, r5
	bl	printf
	add	r4, r4, #1
	cmp	r4, #16
	blo	1b

	/* Conditional branches agree with the conditional ALU results. */
	mov	r4, #0
	mov	r6, #0				@ disagreements
2:	lsl	r0, r4, #28
	msr	cpsr_f, r0
	mov	r5, #0
	.irp	cond, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
	b\cond	3f
	b	4f
3:	orr	r5, r5, #(1 << .Lbit_\cond)
4:
	.endr
	mov	r7, #0
	msr	cpsr_f, r0
	.irp	cond, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
	addal	r8, r7, #0			@ keep flags
	orr\cond r7, r7, #(1 << .Lbit_\cond)
	.endr
	cmp	r5, r7
	addne	r6, r6, #1
	add	r4, r4, #1
	cmp	r4, #16
	blo	2b
	ldr	r0, =fmt_branch
	mov	r1, r6
	bl	printf

	/* Conditional loads and stores: a failed condition neither loads, stores nor writes back. */
	ldr	r4, =scratch
	mov	r0, #0
	msr	cpsr_f, r0			@ nzcv = 0: eq fails, ne passes
	mov	r1, #0x11
	mov	r2, r4
	streq	r1, [r2], #4
	ldreq	r1, [r2, #4]!
	strne	r1, [r2, #8]!
	ldrne	r3, [r4, #8]
	ldmeq	r2!, {r5, r6}
	sub	r2, r2, r4
	ldr	r0, =fmt_ldst
	bl	printf

	/* Ways of writing the PC. */
	mov	r9, #0
	bl	leaf				@ BL, return with BX lr
	ldr	r0, =leaf
	blx	r0				@ BLX register
	adr	lr, 5f
	ldr	r0, =leaf
	bx	r0				@ BX register
5:	adr	r1, table
	mov	r2, #2
	add	pc, r1, r2, lsl #2		@ computed jump into the table
	nop
table:	b	6f
	b	6f
	b	7f				@ entry 2
	b	6f
6:	mov	r9, #0xee			@ wrong entry
7:	adr	r1, 8f
	mov	pc, r1				@ MOV pc
	mov	r9, #0xdd
8:	ldr	r1, =9f
	push	{r1}
	ldr	pc, [sp], #4			@ LDR pc with post-index
	mov	r9, #0xcc
9:	adr	lr, 10f
	push	{r4, lr}
	pop	{r4, pc}			@ LDM with pc
	mov	r9, #0xbb
10:	mov	r0, #0
	cmp	r0, #0
	movne	pc, lr				@ condition fails: not taken
	adreq	lr, 11f
	moveq	pc, lr				@ condition passes: taken
	mov	r9, #0xaa
11:	ldr	r0, =fmt_pc
	mov	r1, r9
	bl	printf

	/* Reading the PC gives the instruction address + 8. */
	adr	r1, 12f
12:	mov	r2, pc
	sub	r2, r2, r1
	ldr	r0, =fmt_pcread
	mov	r1, r2
	bl	printf

	ldr	r0, =name
	bl	finish
	pop	{r4-r11, pc}
	.size	main, . - main

leaf:	add	r9, r9, #1
	bx	lr

	.set	.Lbit_eq, 0
	.set	.Lbit_ne, 1
	.set	.Lbit_cs, 2
	.set	.Lbit_cc, 3
	.set	.Lbit_mi, 4
	.set	.Lbit_pl, 5
	.set	.Lbit_vs, 6
	.set	.Lbit_vc, 7
	.set	.Lbit_hi, 8
	.set	.Lbit_ls, 9
	.set	.Lbit_ge, 10
	.set	.Lbit_lt, 11
	.set	.Lbit_gt, 12
	.set	.Lbit_le, 13
	.set	.Lbit_al, 14
	.ltorg

	.section .rodata
fmt_cond:	.asciz	"nzcv=%x passes=%04x\n"
fmt_branch:	.asciz	"conditional branches disagreeing with conditional execution: %d\n"
fmt_ldst:	.asciz	"conditional transfers: r1=%x r2=base+%d r3=%x\n"
fmt_pc:		.asciz	"pc writes: r9=%d\n"
fmt_pcread:	.asciz	"pc reads as instruction + %d\n"
name:		.asciz	"conds"

	.bss
	.align	3
scratch:	.space	32
