/*
 * Scheduler and world switch. One SVC stack: a trap from a domain saves its
 * context in a frame there; sched_return decides who runs next, swaps the
 * frame with that domain's saved context, switches the address space and
 * delivers a pending event upcall. Highest priority runnable domain first,
 * round robin among equals. Cooperative by default (yield, block, shutdown,
 * faults switch); `sched=preempt` also rotates on timer ticks.
 */
#include "hyp.h"

#define SLICE_TICKS 5

struct domain *current;
int sched_preempt;
static int resched;
static struct domain *yielder;
static u32 slice;

void sched_need_resched(int yield)
{
    resched = 1;
    if (yield)
        yielder = current;
}

void sched_tick(void)
{
    if (sched_preempt && current && current->state == D_RUNNABLE && ++slice >= SLICE_TICKS)
        sched_need_resched(1);
}

/* Highest priority runnable domain; round robin after `after`; `avoid` only if alone. */
static struct domain *pick(struct domain *after, struct domain *avoid)
{
    struct domain *best = NULL;
    u32 start = after ? after->id + 1 : 0;
    for (u32 k = 0; k < ndomains; k++) {
        struct domain *d = &domains[(start + k) % ndomains];
        if (d->state != D_RUNNABLE || d == avoid)
            continue;
        if (!best || d->cfg.priority > best->cfg.priority)
            best = d;
    }
    if (!best && avoid && avoid->state == D_RUNNABLE)
        best = avoid;
    return best;
}

static int all_dead(void)
{
    for (u32 i = 0; i < ndomains; i++)
        if (domains[i].state != D_DEAD)
            return 0;
    return 1;
}

/* Handles interrupts with IRQs masked: the CPU wakes from WFI on a pending IRQ. */
static void irq_poll(void)
{
    for (;;) {
        u32 id = gic_ack();
        if (id == IRQ_SPURIOUS)
            return;
        if (id == IRQ_TMR1)
            timer_irq();
        else if (id == IRQ_UARTD)
            uart_irq();
        else
            kprintf("irq: unexpected interrupt %u\n", id);
        gic_eoi(id);
    }
}

void trap_irq(struct frame *f)
{
    irq_poll();
    sched_return(f);
}

void hyp_halt(const char *why)
{
    for (u32 i = 0; i < ndomains; i++)
        con_domain_flush(i);
    kprintf("hyp: %s; halting\n", why);
    timer_stop();
    for (;;)
        wfi();
}

void sched_return(struct frame *f)
{
    struct domain *next = current;
    if (resched || !current || current->state != D_RUNNABLE) {
        next = pick(current, yielder);
        resched = 0;
        yielder = NULL;
    }
    while (!next) {
        if (all_dead())
            hyp_halt("all domains have shut down");
        mmu_switch(NULL);
        wfi();
        irq_poll();
        next = pick(current, NULL);
    }
    if (next != current) {
        if (current && current->state != D_DEAD)
            current->ctx = *f;
        *f = next->ctx;
        current = next;
        slice = 0;
    }
    mmu_switch(current);
    if (evtchn_deliverable(current))
        deliver_upcall(current, f);
}
