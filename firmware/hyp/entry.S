/*
 * Entry point, exception vectors and the world switch.
 *
 * Every exception saves the complete interrupted context as a struct frame
 * (hyp.h) on the SVC stack: r0-r12, the banked SP and LR of the interrupted
 * mode, the PC to resume at and the SPSR. The C handler may rewrite the frame
 * (another domain's context, an upcall); RESTORE_CONTEXT resumes whatever the
 * frame then holds. The hypervisor runs in SVC mode with IRQs masked; every
 * exception but FIQ holds the hypervisor lock (smp.c) while its handler runs.
 * Each CPU has its own stacks (CPU1: __svc1_stack_top, __exc1_stack_top).
 */
#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f
#define FRAME_SP 52
#define FRAME_LR 56
#define FRAME_PC 60
#define FRAME_SPSR 64
#define FRAME_SIZE 68

    .syntax unified
    .arm

/* lr of the exception mode - adjust = the address to resume at (or the faulting instruction). */
.macro SAVE_CONTEXT adjust
    .if \adjust
    sub     lr, lr, #\adjust
    .endif
    srsdb   sp!, #MODE_SVC              @ pc, spsr -> SVC stack
    cps     #MODE_SVC
    sub     sp, sp, #8                  @ room for the banked sp, lr
    push    {r0-r12}
    ldr     r0, [sp, #FRAME_SPSR]
    and     r1, r0, #0x1f
    cmp     r1, #MODE_USR
    cmpne   r1, #MODE_SYS
    bne     1f
    add     r2, sp, #FRAME_SP
    stmia   r2, {sp, lr}^               @ the User-mode bank
    b       3f
1:  cmp     r1, #MODE_SVC
    bne     2f
    add     r2, sp, #FRAME_SIZE         @ SVC sp before the exception
    str     r2, [sp, #FRAME_SP]
    str     lr, [sp, #FRAME_LR]
    b       3f
2:  mrs     r3, cpsr                    @ another mode: visit it for its sp, lr
    bic     r4, r3, #0x1f
    orr     r4, r4, r1
    msr     cpsr_c, r4
    mov     r5, sp
    mov     r6, lr
    msr     cpsr_c, r3
    str     r5, [sp, #FRAME_SP]
    str     r6, [sp, #FRAME_LR]
3:
.endm

.macro RESTORE_CONTEXT
    ldr     r0, [sp, #FRAME_SPSR]
    and     r1, r0, #0x1f
    cmp     r1, #MODE_USR
    bne     1f
    add     r2, sp, #FRAME_SP
    ldmia   r2, {sp, lr}^
    nop
    b       2f
1:  ldr     lr, [sp, #FRAME_LR]         @ back to SVC: same stack, restore lr
2:  pop     {r0-r12}
    add     sp, sp, #8
    rfeia   sp!
.endm

.macro VECTOR name, adjust, handler, locked=1
    .global \name
\name:
    SAVE_CONTEXT \adjust
    .if \locked
    bl      hyp_enter
    .endif
    mov     r0, sp
    bl      \handler
    .if \locked
    bl      hyp_leave
    .endif
    RESTORE_CONTEXT
.endm

    .section .text.start, "ax"
    .global _start
_start:
    /* r0 = 0, r1 = machine type, r2 = ATAG list; SVC, IRQ/FIQ masked, MMU off */
    mov     r4, r2
    cps     #MODE_IRQ
    ldr     sp, =__exc_stack_top
    cps     #MODE_ABT
    ldr     sp, =__exc_stack_top
    cps     #MODE_UND
    ldr     sp, =__exc_stack_top
    cps     #MODE_FIQ
    ldr     sp, =__exc_stack_top
    cps     #MODE_SVC
    ldr     sp, =__svc_stack_top
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b
    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR
    isb
    mov     fp, #0                      @ ends the backtrace
    mov     r0, r4
    bl      hyp_main
    b       .

    .section .text.vectors, "ax"
    .align  5
    .global vectors
vectors:
    b       .                           @ reset: not used after boot
    b       und_entry
    b       svc_entry
    b       pabt_entry
    b       dabt_entry
    b       .
    b       irq_entry
    b       fiq_entry

    VECTOR und_entry,  4, trap_und
    VECTOR svc_entry,  0, trap_svc
    VECTOR pabt_entry, 4, trap_pabt
    VECTOR dabt_entry, 8, trap_dabt
    VECTOR irq_entry,  4, trap_irq
    VECTOR fiq_entry,  4, trap_fiq, 0

/* CPU1 leaves reset here (EVP_CPU_RESET_VECTOR): SVC, MMU off, IRQ/FIQ masked. */
    .global secondary_start
secondary_start:
    cpsid   if
    cps     #MODE_IRQ
    ldr     sp, =__exc1_stack_top
    cps     #MODE_ABT
    ldr     sp, =__exc1_stack_top
    cps     #MODE_UND
    ldr     sp, =__exc1_stack_top
    cps     #MODE_FIQ
    ldr     sp, =__exc1_stack_top
    cps     #MODE_SVC
    ldr     sp, =__svc1_stack_top
    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR
    isb
    mov     fp, #0
    bl      secondary_main
    b       .

/* First world switch: an empty frame that sched_return fills with a domain. */
    .global sched_start
sched_start:
    ldr     sp, =__svc_stack_top
    sub     sp, sp, #FRAME_SIZE
    bl      hyp_enter
    mov     r0, sp
    bl      sched_return
    bl      hyp_leave
    RESTORE_CONTEXT

/* The same on CPU1. */
    .global sched_start_secondary
sched_start_secondary:
    ldr     sp, =__svc1_stack_top
    sub     sp, sp, #FRAME_SIZE
    bl      hyp_enter
    mov     r0, sp
    bl      sched_return
    bl      hyp_leave
    RESTORE_CONTEXT
