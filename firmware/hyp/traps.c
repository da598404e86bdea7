/* Exception dispatch: hypercalls, aborts, undefined instructions (FIQ: fiq.c). */
#include "hyp.h"

static int from_domain(struct frame *f)
{
    return (f->spsr & 0x1f) == MODE_USR && current;
}

/* A fault in the running domain: dump, then its on-fault policy; a fault in the hypervisor: panic. */
static void fault(struct frame *f, const char *kind)
{
    if (!from_domain(f)) {
        con_force_unlock();
        dump_frame(kind, f, NULL);
        panic("%s in the hypervisor", kind);
    }
    struct domain *d = current;
    dump_frame(kind, f, d);
    domain_fault(d);
    if (d->state == D_RUNNABLE)      /* restarted: resume its fresh context */
        *f = d->ctx;
    sched_return(f);
}

static int is_access_flag(u32 fsr)
{
    u32 fs = (fsr & 0xf) | ((fsr >> 6) & 0x10);
    return fs == 0x3 || fs == 0x6;
}

void trap_dabt(struct frame *f)
{
    u32 dfsr = CP15_READ(c5, 0, c0, 0), dfar = CP15_READ(c6, 0, c0, 0);
    if (from_domain(f) && is_access_flag(dfsr) && mmu_access_flag_fault(current, dfar)) {
        sched_return(f);
        return;
    }
    fault(f, "data abort");
}

void trap_pabt(struct frame *f)
{
    u32 ifsr = CP15_READ(c5, 0, c0, 1), ifar = CP15_READ(c6, 0, c0, 2);
    if (from_domain(f) && is_access_flag(ifsr) && mmu_access_flag_fault(current, ifar)) {
        sched_return(f);
        return;
    }
    fault(f, "prefetch abort");
}

void trap_und(struct frame *f)
{
    fault(f, "undefined instruction");
}

void trap_svc(struct frame *f)
{
    if (!from_domain(f)) {
        dump_frame("supervisor call from the hypervisor", f, NULL);
        panic("SVC in the hypervisor");
    }
    hypercall(f);
}
