/* Guest entry (USR mode, sp = top of the domain's memory) and the upcall trampoline. */
#include "../../include/hypercall.h"
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    mov     fp, #0
    bl      main
    mov     r1, #HYP_SHUTDOWN_EXIT
    mov     r7, #HYP_SHUTDOWN
    svc     #0
    b       .

/* The hypervisor enters here, on the upcall stack, with the pending ports in r0. */
    .text
    .global upcall_entry
upcall_entry:
    mov     fp, #0
    bl      guest_upcall
    mov     r7, #HYP_UPCALL_RETURN
    svc     #0
    b       .
