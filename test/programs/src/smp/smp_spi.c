/*
 * Shared peripheral interrupts routed by GICD_ITARGETSR. Two SPIs no device
 * drives (IDs 90 and 91) are made pending by software (GICD_ISPENDR):
 * ID 90 targeted at core 1 is taken by core 1 (its handler reads the banked
 * GICC_IAR), ID 91 targeted at core 0 by core 0, then ID 90 retargeted at
 * core 0 by core 0. A disabled SPI made pending shows as pending to both
 * cores (SPI state is not banked) and is taken by its target once enabled;
 * a pending one cleared with GICD_ICPENDR before it is enabled is never
 * taken. Each core prints, in core order, the IDs it took and what it read.
 */

#include "smp.h"

#define ID_A 90
#define ID_B 91
#define BIT(id) (1u << ((id) % 32))

#define LOG 8
static volatile uint32_t n_log[NCORES];
static volatile uint32_t log_id[NCORES][LOG];
static uint32_t targets_view[NCORES], pending_view[NCORES], cleared_view[NCORES];

static void on_irq(struct exc_frame *f)
{
  (void)f;
  unsigned me = cpu_id();
  uint32_t iar = REG(GICC + GICC_IAR);
  if (IAR_ID(iar) == SPURIOUS) return;
  if (n_log[me] < LOG) log_id[me][n_log[me]] = IAR_ID(iar);
  n_log[me] = n_log[me] + 1;
  REG(GICC + GICC_EOIR) = iar;
}

static void step_done(unsigned core, uint32_t count)
{
  if (cpu_id() == core) wait_irqs(&n_log[core], count);
  smp_barrier();
}

static void report(unsigned me)
{
  for (unsigned i = 0; i < n_log[me] && i < LOG; i++) printf("core %u took spi id %u\n", me, (unsigned)log_id[me][i]);
  printf("core %u: itargetsr %u..%u=%08x\n", me, ID_A - 2, ID_A + 1, (unsigned)targets_view[me]);
  printf("core %u: disabled id %u made pending: ispendr bit=%u\n", me, ID_B, (unsigned)(pending_view[me] & BIT(ID_B)) ? 1u : 0u);
  printf("core %u: after icpendr: ispendr bit=%u\n", me, (unsigned)(cleared_view[me] & BIT(ID_A)) ? 1u : 0u);
}

int main(void)
{
  if (smp_start("smp_spi")) return 1;
  unsigned me = cpu_id();
  if (me == 0) {
    set_handler(EXC_IRQ, on_irq);
    REG8(GICD + GICD_IPRIORITYR(ID_A)) = 0xa0;
    REG8(GICD + GICD_IPRIORITYR(ID_B)) = 0xa0;
    REG8(GICD + GICD_ITARGETSR(ID_A)) = 1u << 1;
    REG8(GICD + GICD_ITARGETSR(ID_B)) = 1u << 0;
    REG(GICD + GICD_ISENABLER(ID_A / 32)) = BIT(ID_A) | BIT(ID_B);
  }
  gic_cpu_init();
  smp_barrier();
  targets_view[me] = REG(GICD + GICD_ITARGETSR(ID_A - 2));
  irq_enable();

  /* 1. ID 90 -> core 1, pended by core 0. */
  if (me == 0) REG(GICD + GICD_ISPENDR(ID_A / 32)) = BIT(ID_A);
  step_done(1, 1);
  /* 2. ID 91 -> core 0, pended by core 1. */
  if (me == 1) REG(GICD + GICD_ISPENDR(ID_B / 32)) = BIT(ID_B);
  step_done(0, 1);
  /* 3. ID 90 retargeted at core 0, pended by core 0. */
  if (me == 0) {
    REG8(GICD + GICD_ITARGETSR(ID_A)) = 1u << 0;
    REG(GICD + GICD_ISPENDR(ID_A / 32)) = BIT(ID_A);
  }
  step_done(0, 2);

  /* 4. ID 91 disabled, then pended: both cores see it pending; enabled, core 0 takes it. */
  if (me == 0) {
    REG(GICD + GICD_ICENABLER(ID_B / 32)) = BIT(ID_B);
    REG(GICD + GICD_ISPENDR(ID_B / 32)) = BIT(ID_B);
  }
  smp_barrier();
  pending_view[me] = REG(GICD + GICD_ISPENDR(ID_B / 32));
  smp_barrier();
  if (me == 0) REG(GICD + GICD_ISENABLER(ID_B / 32)) = BIT(ID_B);
  step_done(0, 3);

  /* 5. ID 90 disabled, pended, cleared with ICPENDR, enabled again: never taken. */
  if (me == 0) {
    REG(GICD + GICD_ICENABLER(ID_A / 32)) = BIT(ID_A);
    REG(GICD + GICD_ISPENDR(ID_A / 32)) = BIT(ID_A);
    REG(GICD + GICD_ICPENDR(ID_A / 32)) = BIT(ID_A);
  }
  smp_barrier();
  cleared_view[me] = REG(GICD + GICD_ISPENDR(ID_A / 32));
  smp_barrier();
  if (me == 0) REG(GICD + GICD_ISENABLER(ID_A / 32)) = BIT(ID_A);
  smp_barrier();
  /* 6. Then ID 91 once more to core 0: if ID 90 were still pending it would come first (lower ID, same priority). */
  if (me == 0) REG(GICD + GICD_ISPENDR(ID_B / 32)) = BIT(ID_B);
  step_done(0, 4);
  irq_disable();
  smp_barrier();

  smp_in_order(report);
  if (me == 0) {
    check("core 0 interrupts", n_log[0], 4);
    check("core 1 interrupts", n_log[1], 1);
  }
  return smp_finish("smp_spi");
}
