/*
 * Hypercall ABI shared by the hypervisor and its guests (docs/hypercalls.md).
 *
 * A guest (USR mode) calls the hypervisor with `svc #0`: the hypercall number
 * in r7, arguments in r0-r3, the result in r0 (negative = error). All other
 * registers are preserved.
 */
#ifndef HYPERCALL_H
#define HYPERCALL_H

#define HYP_CONSOLE_WRITE   0   /* (const char *buf, unsigned len) -> bytes written */
#define HYP_YIELD           1   /* () -> 0 */
#define HYP_BLOCK           2   /* () -> 0, after an upcall was delivered */
#define HYP_SET_CALLBACK    3   /* (void (*entry)(unsigned ports), void *stack_top) -> 0 */
#define HYP_EVTCHN_BIND     4   /* (port) -> peer domain id */
#define HYP_EVTCHN_SEND     5   /* (port) -> 0 */
#define HYP_EVTCHN_UNMASK   6   /* (port) -> 0 */
#define HYP_EVTCHN_MASK     7   /* (port) -> 0 */
#define HYP_DOMAIN_INFO     8   /* (struct hyp_domain_info *) -> 0 */
#define HYP_SHUTDOWN        9   /* (code, reason) -> does not return */
#define HYP_UPCALL_RETURN  10   /* () -> resumes the context the upcall interrupted */
#define HYP_CONSOLE_READ   11   /* (char *buf, unsigned len) -> bytes read, 0 if none */
#define HYP_NR             12

/* HYP_SHUTDOWN reasons (r1). Power-off and reboot are honoured from dom0 only. */
#define HYP_SHUTDOWN_EXIT      0   /* this domain is done */
#define HYP_SHUTDOWN_POWEROFF  1   /* dom0: power the board off */
#define HYP_SHUTDOWN_REBOOT    2   /* dom0: reset the board */

#define HYP_EINVAL  (-22)
#define HYP_ENOENT  (-2)
#define HYP_EFAULT  (-14)
#define HYP_ENOSYS  (-38)

#define HYP_EVTCHN_PORTS 32

/* Guest virtual address of every domain's memory (its ELF is linked here). */
#define GUEST_VA_BASE 0x80000000u

#ifndef __ASSEMBLER__
struct hyp_domain_info {
    unsigned id;            /* 0.. in configuration order */
    unsigned ndomains;      /* domains configured */
    unsigned mem_base;      /* GUEST_VA_BASE */
    unsigned mem_size;      /* bytes */
    unsigned priority;
    char name[16];
    char args[64];          /* the configuration's args="..." */
};
#endif

#endif
