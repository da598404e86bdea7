/*
 * Tegra TMR1 (0x60005000): a periodic tick on GIC ID 32, taken by CPU0.
 * With two CPUs, TMR2 (GIC ID 33, routed to CPU1 by GICD_ITARGETSR) ticks
 * CPU1, as Linux uses TMR1/TMR2 as the per-CPU clock events of CPU0/CPU1.
 */
#include "hyp.h"

#define TMR1_PTV 0x60005000u
#define TMR1_PCR 0x60005004u
#define TMR2_PTV 0x60005008u
#define TMR2_PCR 0x6000500cu
#define PTV_EN  (1u << 31)
#define PTV_PER (1u << 30)
#define PCR_INTR_CLR (1u << 30)

volatile u32 ticks;

void timer_init(void)
{
    write32(TMR1_PTV, PTV_EN | PTV_PER | (TICK_US - 1));
    gic_enable(IRQ_TMR1);
}

/* CPU1's tick: TMR2, routed to CPU1 only. */
void timer_init_cpu1(void)
{
    write32(TMR2_PTV, PTV_EN | PTV_PER | (TICK_US - 1));
    gic_enable_on(IRQ_TMR2, 1);
}

int cpu1_nohz;

/*
 * CPU1 with nothing to run waits for the other CPU's kick (smp_kick: SGI,
 * then SEV). By default in WFE, which either wakes. With nohz, as a tickless
 * kernel idles: its tick stopped, in WFI, which only an interrupt wakes, so
 * a kick whose SGI is lost leaves it asleep (the event watchdog on CPU0
 * then reports the event its domain never got).
 */
void timer_idle_cpu1(void)
{
    if (!cpu1_nohz) {
        __asm__ volatile("wfe" ::: "memory");
        return;
    }
    write32(TMR2_PTV, 0);
    write32(TMR2_PCR, PCR_INTR_CLR);
    wfi();
    write32(TMR2_PTV, PTV_EN | PTV_PER | (TICK_US - 1));
}

void timer_stop(void)
{
    write32(TMR1_PTV, 0);
    write32(TMR1_PCR, PCR_INTR_CLR);
    if (ncpus > 1) {
        write32(TMR2_PTV, 0);
        write32(TMR2_PCR, PCR_INTR_CLR);
    }
}

void timer_irq_cpu1(void)
{
    write32(TMR2_PCR, PCR_INTR_CLR);
    sched_tick();
}

void timer_irq(void)
{
    write32(TMR1_PCR, PCR_INTR_CLR);
    ticks++;
    event_watchdog();
    sched_tick();
}
