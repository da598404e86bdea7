/*
 * Scheduler and world switch. One SVC stack: a trap from a domain saves its
 * context in a frame there; sched_return decides who runs next, swaps the
 * frame with that domain's saved context, switches the address space and
 * delivers a pending event upcall. Highest priority runnable domain first,
 * round robin among equals. Cooperative by default (yield, block, shutdown,
 * faults switch); `sched=preempt` also rotates on timer ticks.
 *
 * With two CPUs (smp.c) each CPU runs this for the domains pinned to it,
 * with its own scheduling state, under the hypervisor lock; an idle CPU
 * drops the lock while it waits (CPU0 in WFI, CPU1 in WFE).
 */
#include "hyp.h"

#define SLICE_TICKS 5

int sched_preempt;
static int resched_cpu[MAX_CPUS];
static struct domain *yielder_cpu[MAX_CPUS];
static u32 slice_cpu[MAX_CPUS];
#define resched (resched_cpu[cpu_id()])
#define yielder (yielder_cpu[cpu_id()])
#define slice (slice_cpu[cpu_id()])

void sched_need_resched(int yield)
{
    resched = 1;
    if (yield)
        yielder = current;
}

void sched_tick(void)
{
    if (sched_preempt && current && current->state == D_RUNNABLE && ++slice >= SLICE_TICKS) {
        current->preemptions++;
        sched_need_resched(1);
    }
}

/* A blocked domain with console input waiting becomes runnable (its HYP_BLOCK returns). */
void sched_wake_input(void)
{
    for (u32 i = 0; i < ndomains; i++)
        if (domains[i].state == D_BLOCKED && domain_input_pending(&domains[i])) {
            domains[i].state = D_RUNNABLE;
            smp_kick(domains[i].cpu);
        }
}

/* This CPU's highest priority runnable domain; round robin after `after`; `avoid` only if alone. */
static struct domain *pick(struct domain *after, struct domain *avoid)
{
    struct domain *best = NULL;
    u32 me = cpu_id();
    u32 start = after ? after->id + 1 : 0;
    for (u32 k = 0; k < ndomains; k++) {
        struct domain *d = &domains[(start + k) % ndomains];
        if (d->state != D_RUNNABLE || d == avoid || d->cpu != me)
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

u32 irq_counts[160];

/* Handles interrupts with IRQs masked: the CPU wakes from WFI on a pending IRQ. */
static void irq_poll(void)
{
    for (;;) {
        u32 id = gic_ack();
        if (id == IRQ_SPURIOUS)
            return;
        if (id < sizeof irq_counts / sizeof irq_counts[0])
            irq_counts[id]++;
        if (id < 16)
            ;                       /* a kick from the other CPU (smp.c): the loop below looks again */
        else if (id == IRQ_TMR1)
            timer_irq();
        else if (id == IRQ_TMR2)
            timer_irq_cpu1();
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
    smp_stop_others();
    con_flush_all();
    kprintf("hyp: %s; halting\n", why);
    timer_stop();
    for (;;)
        wfi();
}

/* Global timer cycles since the running domain was last switched in or charged (per CPU). */
static u64 charged_at_cpu[MAX_CPUS];
#define charged_at (charged_at_cpu[cpu_id()])

static void charge(struct domain *d)
{
    u64 now = clock_cycles();
    if (d)
        d->cpu_cycles += now - charged_at;
    charged_at = now;
}

void sched_return(struct frame *f)
{
    struct domain *next = current;
    charge(current);
    sched_wake_input();
    if (resched || !current || current->state != D_RUNNABLE) {
        next = pick(current, yielder);
        resched = 0;
        yielder = NULL;
    }
    while (!next) {
        if (all_dead()) {
            con_flush_all();
            kprintf("hyp: all domains have shut down; halting\n");
            board_power_off();
        }
        mmu_switch(NULL);
        u32 depth = hyp_release();
        if (cpu_id())
            timer_idle_cpu1();
        else
            wfi();
        hyp_resume(depth);
        irq_poll();
        sched_wake_input();
        next = pick(current, NULL);
    }
    charged_at = clock_cycles();            /* idle time is nobody's */
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
    if (ncpus > 1)
        cpu_last[cpu_id()] = *f;
}
