/*
 * Bare-metal runtime of the differential tests. The same ELF runs on QEMU
 * (qemu-system-arm -M vexpress-a9) and on this simulator (board vexpress-a9).
 *
 * For every case of the blob linked at CASES_BASE it sets up all register
 * banks, the SPSRs, the flags, the exclusive monitor and the scratch window,
 * then enters the test
 * slot with one LDM that loads r0-r15. Every case ends in an exception (an
 * SVC landing pad, UNDEFINED or an abort); the vector stubs record the state
 * of the interrupted mode without relying on any of its registers, and the
 * loop continues. At the end the result area is written to the host file
 * "diff-results.bin" with semihosting and the program exits.
 *
 * Layout (see link.ld): vectors at RAM base (VBAR points there), code in the
 * next page, the variables in the page after that
 * (so that no write ever lands in a page holding code), the case blob at
 * CASES_BASE, the scratch window and the results higher up.
 */

    .syntax unified
    .arm

    .equ WINDOW,       0x63f00000
    .equ RESULTS,      0x64000000
    .equ HDR_SIZE,     32
    .equ REC_SIZE,     128
    .equ WIN_SIZE,     256
    .equ CASE_SIZE,    96
    .equ MAGIC,        0x46464944      /* "DIFF" */
    .equ SEMIHOST,     0x123456

    .section .vectors, "ax"
    .global vectors
vectors:
    ldr pc, v_reset
    ldr pc, v_und
    ldr pc, v_svc
    ldr pc, v_pabt
    ldr pc, v_dabt
    ldr pc, v_unused
    ldr pc, v_irq
    ldr pc, v_fiq
v_reset:  .word stub_reset
v_und:    .word stub_und
v_svc:    .word stub_svc
v_pabt:   .word stub_pabt
v_dabt:   .word stub_dabt
v_unused: .word stub_unused
v_irq:    .word stub_irq
v_fiq:    .word stub_fiq

    .text
    .global _start
_start:
    msr cpsr_c, #0xd3
    ldr r0, =vectors
    mcr p15, 0, r0, c12, c0, 0         /* VBAR */
    isb
    ldr r0, =CASES_BASE
    ldr r1, [r0]
    ldr r2, =MAGIC
    cmp r1, r2
    movne r0, #1
    bne fatal_setup
    ldr r1, [r0, #4]
    str r1, n_left
    mov r1, #0
    str r1, n_done
    str r1, in_case
    ldr r1, [r0, #8]
    str r1, cur_case
    ldr r1, =RESULTS + HDR_SIZE
    str r1, cur_rec

next_case:
    ldr r1, n_left
    cmp r1, #0
    beq finish
    sub r1, r1, #1
    str r1, n_left
    ldr r0, cur_case
    add r1, r0, #CASE_SIZE
    str r1, cur_case
    ldr r1, [r0, #72]
    str r1, cur_flags

    /* Scratch window from the case's image. */
    ldr r1, [r0, #76]
    ldr r2, =WINDOW
    .rept WIN_SIZE / 32
    ldmia r1!, {r4-r11}
    stmia r2!, {r4-r11}
    .endr
    /* Every bank gets the case's r8-r14 (FIQ) or r13-r14 and the case's SPSR. */
    ldr r1, [r0, #68]
    add r2, r0, #32
    add r3, r0, #52
    msr cpsr_c, #0xd1
    ldmia r2, {r8-r14}
    msr spsr_fsxc, r1
    msr cpsr_c, #0xd2
    ldmia r3, {r13-r14}
    msr spsr_fsxc, r1
    msr cpsr_c, #0xd7
    ldmia r3, {r13-r14}
    msr spsr_fsxc, r1
    msr cpsr_c, #0xdb
    ldmia r3, {r13-r14}
    msr spsr_fsxc, r1
    msr cpsr_c, #0xd3
    ldmia r3, {r13-r14}
    msr spsr_fsxc, r1
    msr cpsr_c, #0xdf
    ldmia r2, {r8-r14}

    /*
     * The case's mode (A, I, F masked), data endianness, flags and GE, then
     * r0-r15 (stored byte-reversed in the blob for a big-endian case).
     */
    ldr r1, [r0, #64]
    ldr r4, [r0, #84]
    ldr r5, [r0, #80]
    and r2, r1, #0x1f
    and r3, r1, #0x200
    orr r2, r2, r3
    orr r2, r2, #0x1c0
    msr cpsr_xc, r2

    /*
     * The exclusive monitor: open, or armed by the Load-Exclusive the case
     * asks for (in the case's mode and endianness, as a program would).
     */
    clrex
    cmp r4, #1
    ldrexeq r6, [r5]
    cmp r4, #2
    ldrexbeq r6, [r5]
    cmp r4, #3
    ldrexheq r6, [r5]
    cmp r4, #4
    ldrexdeq r6, r7, [r5]

    /* From here on an exception belongs to the case (all-ones reads the same in either endianness). */
    mvn r3, #0
    str r3, in_case
    msr cpsr_fs, r1
    ldmia r0, {r0-r15}

/*
 * Vector stubs. r0 is saved PC-relative before anything else; r0 then carries
 * the vector offset into the common handler.
 */
stub_reset:
    str r0, save_r0
    mov r0, #0x00
    b handler
stub_und:
    str r0, save_r0
    mov r0, #0x04
    b handler
stub_svc:
    str r0, save_r0
    mov r0, #0x08
    b handler
stub_pabt:
    str r0, save_r0
    mov r0, #0x0c
    b handler
stub_dabt:
    str r0, save_r0
    mov r0, #0x10
    b handler
stub_unused:
    str r0, save_r0
    mov r0, #0x14
    b handler
stub_irq:
    str r0, save_r0
    mov r0, #0x18
    b handler
stub_fiq:
    str r0, save_r0
    mov r0, #0x1c
    b handler

/*
 * Result record (REC_SIZE bytes, then WIN_SIZE bytes of window if the case's
 * flags bit 0 is set):
 *   0 vector offset, 4..60 r0-r14 of the interrupted mode, 64 exception LR,
 *   68 SPSR (the CPSR after the instruction), 72 SPSR of the interrupted mode
 *   (0 for USR/SYS), 76 DFSR 80 DFAR 84 IFSR 88 IFAR (aborts only), 92 case index,
 *   96..120 User-mode r8-r14, 124 zero.
 */
handler:
    str r1, save_r1
    ldr r1, in_case
    cmp r1, #0
    beq fatal
    mov r1, #0
    str r1, in_case
    ldr r1, cur_rec
    str r0, [r1, #0]
    ldr r0, save_r0
    str r0, [r1, #4]
    ldr r0, save_r1
    str r0, [r1, #8]
    add r0, r1, #12
    stmia r0, {r2-r7}
    str lr, [r1, #64]
    mrs r2, spsr
    str r2, [r1, #68]
    mov r3, #0
    mov r4, #0
    mov r5, #0
    mov r6, #0
    ldr r0, [r1, #0]
    cmp r0, #0x0c
    mrceq p15, 0, r5, c5, c0, 1        /* IFSR */
    mrceq p15, 0, r6, c6, c0, 2        /* IFAR */
    cmp r0, #0x10
    mrceq p15, 0, r3, c5, c0, 0        /* DFSR */
    mrceq p15, 0, r4, c6, c0, 0        /* DFAR */
    add r0, r1, #76
    stmia r0, {r3-r6}
    ldr r0, n_done
    str r0, [r1, #92]
    add r0, r0, #1
    str r0, n_done

    /* r8-r14 and the SPSR of the interrupted mode (System for User). */
    and r3, r2, #0x1f
    cmp r3, #0x10
    moveq r3, #0x1f
    orr r3, r3, #0xc0
    add r4, r1, #36
    msr cpsr_c, r3
    stmia r4, {r8-r14}
    and r3, r3, #0x1f
    cmp r3, #0x1f
    mrsne r5, spsr
    moveq r5, #0
    str r5, [r1, #72]

    /* The User-mode r8-r14 (LDM with ^ writes them from any mode). */
    msr cpsr_c, #0xdf
    add r4, r1, #96
    stmia r4, {r8-r14}
    msr cpsr_c, #0xd3

    add r1, r1, #REC_SIZE
    ldr r0, cur_flags
    tst r0, #1
    beq 1f
    ldr r2, =WINDOW
    .rept WIN_SIZE / 32
    ldmia r2!, {r4-r11}
    stmia r1!, {r4-r11}
    .endr
1:
    str r1, cur_rec
    b next_case

/* An exception outside a case: record it in the header and stop. */
fatal:
    mrs r1, spsr
    str r1, fatal_spsr
    str lr, fatal_lr
    str r0, fatal_vector
    mov r0, #2
fatal_setup:
    msr cpsr_c, #0xd3
    str r0, status
    b write_out

finish:
    mov r0, #0
    str r0, status
write_out:
    ldr r1, cur_rec
    cmp r1, #0
    ldreq r1, =RESULTS + HDR_SIZE
    ldr r0, =RESULTS
    sub r2, r1, r0
    str r2, wr_len
    ldr r2, =MAGIC
    str r2, [r0, #0]
    ldr r2, status
    str r2, [r0, #4]
    ldr r2, n_done
    str r2, [r0, #8]
    ldr r2, fatal_vector
    str r2, [r0, #12]
    ldr r2, fatal_lr
    str r2, [r0, #16]
    ldr r2, fatal_spsr
    str r2, [r0, #20]
    mov r2, #0
    str r2, [r0, #24]
    str r2, [r0, #28]

    mov r0, #0x01                      /* SYS_OPEN */
    adr r1, open_block
    svc SEMIHOST
    str r0, wr_handle
    mov r0, #0x05                      /* SYS_WRITE */
    ldr r1, =wr_handle
    svc SEMIHOST
    mov r0, #0x02                      /* SYS_CLOSE */
    ldr r1, =wr_handle
    svc SEMIHOST
    mov r0, #0x18                      /* SYS_EXIT */
    ldr r1, =0x20026
    svc SEMIHOST
1:  b 1b

open_block:
    .word file_name
    .word 5                            /* "wb" */
    .word file_name_end - file_name - 1
file_name:
    .asciz "diff-results.bin"
file_name_end:
    .balign 4
    .ltorg

/* Variables: their own page, within PC-relative reach of the code above. */
    .balign 4096
save_r0:      .word 0
save_r1:      .word 0
in_case:      .word 0
n_left:       .word 0
n_done:       .word 0
cur_case:     .word 0
cur_rec:      .word 0
cur_flags:    .word 0
status:       .word 0
fatal_vector: .word 0
fatal_lr:     .word 0
fatal_spsr:   .word 0
wr_handle:    .word 0
wr_buf:       .word RESULTS
wr_len:       .word 0
