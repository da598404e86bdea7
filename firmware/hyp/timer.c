/* Tegra TMR1 (0x60005000): a periodic tick on GIC ID 32. */
#include "hyp.h"

#define TMR1_PTV 0x60005000u
#define TMR1_PCR 0x60005004u
#define PTV_EN  (1u << 31)
#define PTV_PER (1u << 30)
#define PCR_INTR_CLR (1u << 30)

volatile u32 ticks;

void timer_init(void)
{
    write32(TMR1_PTV, PTV_EN | PTV_PER | (TICK_US - 1));
    gic_enable(IRQ_TMR1);
}

void timer_stop(void)
{
    write32(TMR1_PTV, 0);
    write32(TMR1_PCR, PCR_INTR_CLR);
}

void timer_irq(void)
{
    write32(TMR1_PCR, PCR_INTR_CLR);
    ticks++;
    event_watchdog();
    sched_tick();
}
