/*
 * The per-core private timers (TWD) at PERIPHBASE + 0x600: the same address
 * reaches each core's own timer. Each core writes a different load value
 * and reads back its own load and counter (a write to the load register
 * also writes the counter). Then each core runs its timer in auto-reload
 * mode at its own period with the interrupt enabled: the timer's PPI (ID
 * 29, banked) is taken on the core that owns the timer, whose own interrupt
 * status register shows the event; the handler clears it and stops the
 * timer at the fifth interrupt. Then a one-shot run: one interrupt, and the
 * counter stays at zero. Then each core's watchdog (PERIPHBASE + 0x620) in
 * timer mode: its PPI (ID 30) on the owning core, three times. Counts and
 * stopped values only: nothing printed depends on how fast either core runs.
 */

#include "smp.h"

#define TICKS 5
#define WD (TWD + 0x20)
#define ID_WD 30
#define WD_TICKS 3

static volatile uint32_t taken[NCORES];
static volatile uint32_t not_mine[NCORES];
static volatile uint32_t other_ids[NCORES];
static volatile uint32_t wd_taken[NCORES];
static volatile uint32_t wd_not_mine[NCORES];
static uint32_t view_load[NCORES], view_counter[NCORES], oneshot_counter[NCORES];
static uint32_t control_after[NCORES], intstat_after[NCORES];

static void on_irq(struct exc_frame *f)
{
  (void)f;
  unsigned me = cpu_id();
  uint32_t iar = REG(GICC + GICC_IAR);
  if (IAR_ID(iar) == SPURIOUS) return;
  if (IAR_ID(iar) == ID_TWD) {
    if (REG(TWD + TWD_INTSTAT) & 1) {
      /* Stopped before the event is cleared: no later event can come in between. */
      if (taken[me] + 1 == TICKS) REG(TWD + TWD_CONTROL) = 0;
      REG(TWD + TWD_INTSTAT) = 1;
      taken[me] = taken[me] + 1;
    } else {
      not_mine[me]++;
    }
  } else if (IAR_ID(iar) == ID_WD) {
    if (REG(WD + TWD_INTSTAT) & 1) {
      if (wd_taken[me] + 1 == WD_TICKS) REG(WD + TWD_CONTROL) = 0;
      REG(WD + TWD_INTSTAT) = 1;
      wd_taken[me] = wd_taken[me] + 1;
    } else {
      wd_not_mine[me]++;
    }
  } else {
    other_ids[me]++;
  }
  REG(GICC + GICC_EOIR) = iar;
}

static void report(unsigned me)
{
  printf("core %u: twd load=%08x counter=%08x\n", me, (unsigned)view_load[me], (unsigned)view_counter[me]);
  printf("core %u: %u private timer interrupts (id 29) taken on this core, %u without this core's timer event, %u other ids\n",
         me, (unsigned)taken[me], (unsigned)not_mine[me], (unsigned)other_ids[me]);
  printf("core %u: after the handler stopped it: control=%08x intstat=%u\n", me, (unsigned)control_after[me], (unsigned)intstat_after[me]);
  printf("core %u: one-shot: counter=%08x\n", me, (unsigned)oneshot_counter[me]);
  printf("core %u: %u watchdog interrupts in timer mode (id 30) taken on this core, %u without this core's watchdog event\n",
         me, (unsigned)wd_taken[me], (unsigned)wd_not_mine[me]);
}

int main(void)
{
  if (smp_start("smp_twd")) return 1;
  unsigned me = cpu_id();
  if (me == 0) set_handler(EXC_IRQ, on_irq);
  gic_cpu_init();
  REG8(GICD + GICD_IPRIORITYR(ID_TWD)) = 0xa0;
  REG(GICD + GICD_ISENABLER(0)) = 1u << ID_TWD;

  /* Banked load and counter. */
  REG(TWD + TWD_CONTROL) = 0;
  REG(TWD + TWD_INTSTAT) = 1;
  REG(TWD + TWD_LOAD) = 0x1000u * (me + 1) + 0x234;
  smp_barrier();
  view_load[me] = REG(TWD + TWD_LOAD);
  view_counter[me] = REG(TWD + TWD_COUNTER);
  smp_barrier();

  /* Periodic: 20 us on core 0, 30 us on core 1 (100 MHz, prescaler 0). */
  irq_enable();
  REG(TWD + TWD_LOAD) = me == 0 ? 2000 : 3000;
  REG(TWD + TWD_CONTROL) = TWD_ENABLE | TWD_AUTO | TWD_IRQ;
  wait_irqs(&taken[me], TICKS);
  control_after[me] = REG(TWD + TWD_CONTROL);
  intstat_after[me] = REG(TWD + TWD_INTSTAT);
  smp_barrier();

  /* One-shot: one more interrupt, then the counter stays at 0. */
  REG(TWD + TWD_LOAD) = me == 0 ? 1500 : 2500;
  REG(TWD + TWD_CONTROL) = TWD_ENABLE | TWD_IRQ;
  wait_irqs(&taken[me], TICKS + 1);
  oneshot_counter[me] = REG(TWD + TWD_COUNTER);
  REG(TWD + TWD_CONTROL) = 0;
  smp_barrier();

  /* The watchdog in timer mode: 40 us on core 0, 50 us on core 1. */
  REG8(GICD + GICD_IPRIORITYR(ID_WD)) = 0xa0;
  REG(GICD + GICD_ISENABLER(0)) = 1u << ID_WD;
  REG(WD + TWD_INTSTAT) = 1;
  REG(WD + TWD_LOAD) = me == 0 ? 4000 : 5000;
  REG(WD + TWD_CONTROL) = TWD_ENABLE | TWD_AUTO | TWD_IRQ;
  wait_irqs(&wd_taken[me], WD_TICKS);
  irq_disable();
  smp_barrier();

  smp_in_order(report);
  return smp_finish("smp_twd");
}
