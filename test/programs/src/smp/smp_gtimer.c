/*
 * The Cortex-A9 global timer (PERIPHBASE + 0x200): one 64-bit counter that
 * both cores share, and a comparator, its enable bits and its event flag
 * for each core at the same addresses. With the counter running, each core
 * sets its own comparator a different distance ahead (2 ms and 3 ms), reads
 * back its own value, and takes the timer's PPI (ID 27) on that core once,
 * with its own event flag set; the handler turns that core's comparator off
 * and clears the flag. Counter values depend on time and are not printed.
 */

#include "smp.h"

#define GT (PERIPHBASE + 0x200)
#define GT_COUNTER_LO 0x00
#define GT_COUNTER_HI 0x04
#define GT_CONTROL 0x08
#define GT_INTSTAT 0x0c
#define GT_COMP_LO 0x10
#define GT_COMP_HI 0x14
#define GT_ENABLE 0x1
#define GT_COMP_ENABLE 0x2
#define GT_IRQ 0x4
#define ID_GT 27

static volatile uint32_t taken[NCORES], not_mine[NCORES], other_ids[NCORES];
static uint32_t comp_ok[NCORES], control_after[NCORES], intstat_after[NCORES];

static void on_irq(struct exc_frame *f)
{
  (void)f;
  unsigned me = cpu_id();
  uint32_t iar = REG(GICC + GICC_IAR);
  if (IAR_ID(iar) == SPURIOUS) return;
  if (IAR_ID(iar) == ID_GT) {
    if (REG(GT + GT_INTSTAT) & 1) {
      REG(GT + GT_CONTROL) = GT_ENABLE;  /* this core's comparator and interrupt off; the counter runs on */
      REG(GT + GT_INTSTAT) = 1;
      taken[me] = taken[me] + 1;
    } else {
      not_mine[me]++;
    }
  } else {
    other_ids[me]++;
  }
  REG(GICC + GICC_EOIR) = iar;
}

static uint64_t read_counter(void)
{
  uint32_t hi, lo;
  do {
    hi = REG(GT + GT_COUNTER_HI);
    lo = REG(GT + GT_COUNTER_LO);
  } while (REG(GT + GT_COUNTER_HI) != hi);
  return ((uint64_t)hi << 32) | lo;
}

static void report(unsigned me)
{
  printf("core %u: own comparator reads back what this core wrote: %u\n", me, (unsigned)comp_ok[me]);
  printf("core %u: %u global timer interrupts (id 27) taken on this core, %u without this core's event, %u other ids\n",
         me, (unsigned)taken[me], (unsigned)not_mine[me], (unsigned)other_ids[me]);
  printf("core %u: after the handler: control=%08x intstat=%u\n", me, (unsigned)control_after[me], (unsigned)intstat_after[me]);
}

int main(void)
{
  if (smp_start("smp_gtimer")) return 1;
  unsigned me = cpu_id();
  if (me == 0) {
    set_handler(EXC_IRQ, on_irq);
    REG(GT + GT_CONTROL) = GT_ENABLE;  /* the shared counter runs, prescaler 0 */
  }
  gic_cpu_init();
  REG8(GICD + GICD_IPRIORITYR(ID_GT)) = 0xa0;
  REG(GICD + GICD_ISENABLER(0)) = 1u << ID_GT;
  smp_barrier();

  /* 100 MHz: 2 ms ahead on core 0, 3 ms on core 1. */
  uint64_t comp = read_counter() + (me == 0 ? 200000 : 300000);
  REG(GT + GT_INTSTAT) = 1;
  REG(GT + GT_COMP_LO) = (uint32_t)comp;
  REG(GT + GT_COMP_HI) = (uint32_t)(comp >> 32);
  smp_barrier();
  comp_ok[me] = REG(GT + GT_COMP_LO) == (uint32_t)comp && REG(GT + GT_COMP_HI) == (uint32_t)(comp >> 32);
  smp_barrier();

  irq_enable();
  REG(GT + GT_CONTROL) = GT_ENABLE | GT_COMP_ENABLE | GT_IRQ;
  wait_irqs(&taken[me], 1);
  control_after[me] = REG(GT + GT_CONTROL);
  intstat_after[me] = REG(GT + GT_INTSTAT);
  irq_disable();
  smp_barrier();

  smp_in_order(report);
  return smp_finish("smp_gtimer");
}
