/* The guest side of the hypercall ABI, and a tiny printf. */
#ifndef GUEST_H
#define GUEST_H
#include "../../include/hypercall.h"

int hypercall(int nr, unsigned a0, unsigned a1);
void print(const char *fmt, ...);
int main(void);
/* Called by upcall_entry with the pending ports; define it in the guest. */
void guest_upcall(unsigned ports);
void upcall_entry(void);

static inline int hyp_yield(void) { return hypercall(HYP_YIELD, 0, 0); }
static inline int hyp_block(void) { return hypercall(HYP_BLOCK, 0, 0); }
static inline int hyp_set_callback(void (*fn)(void), void *stack) { return hypercall(HYP_SET_CALLBACK, (unsigned)fn, (unsigned)stack); }
static inline int hyp_bind(unsigned port) { return hypercall(HYP_EVTCHN_BIND, port, 0); }
static inline int hyp_send(unsigned port) { return hypercall(HYP_EVTCHN_SEND, port, 0); }
static inline int hyp_unmask(unsigned port) { return hypercall(HYP_EVTCHN_UNMASK, port, 0); }
static inline int hyp_info(struct hyp_domain_info *i) { return hypercall(HYP_DOMAIN_INFO, (unsigned)i, 0); }
static inline void hyp_shutdown(int code, int reason) { hypercall(HYP_SHUTDOWN, code, reason); for (;;) ; }
static inline int hyp_console_read(char *buf, unsigned len) { return hypercall(HYP_CONSOLE_READ, (unsigned)buf, len); }
#endif
