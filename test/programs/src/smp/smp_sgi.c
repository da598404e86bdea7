/*
 * Software-generated interrupts between the two cores through GICD_SGIR,
 * taken as IRQs whose handler reads the banked GICC_IAR (interrupt ID and,
 * in bits 12:10, the ID of the core that sent it) and writes GICC_EOIR:
 * core 0 to core 1 by target list, core 1 to core 0, "all but self" from
 * core 1, "self" on core 0, one SGI to both cores at once. Then, with IRQs
 * masked on core 0, both cores send it SGI 6: the banked GICD_ISPENDR0 shows
 * it pending on core 0 only, and core 0 acknowledges it once per source by
 * reading IAR itself, then reads the spurious ID 1023. Each step waits until
 * the target core has taken its interrupts, so the logs printed at the end
 * (in core order) do not depend on the interleaving.
 */

#include "smp.h"

#define LOG 16
static volatile uint32_t n_log[NCORES];
static volatile uint32_t log_iar[NCORES][LOG];

static void on_irq(struct exc_frame *f)
{
  (void)f;
  unsigned me = cpu_id();
  uint32_t iar = REG(GICC + GICC_IAR);
  if (IAR_ID(iar) == SPURIOUS) return;
  if (n_log[me] < LOG) log_iar[me][n_log[me]] = iar;
  n_log[me] = n_log[me] + 1;
  REG(GICC + GICC_EOIR) = iar;
}

static void send(uint32_t filter, uint32_t targets, uint32_t id)
{
  dsb();
  REG(GICD + GICD_SGIR) = SGIR(filter, targets, id);
}

/* Core `core` waits until it has taken `count` interrupts in all; then both meet. */
static void step_done(unsigned core, uint32_t count)
{
  if (cpu_id() == core) wait_irqs(&n_log[core], count);
  smp_barrier();
}

static uint32_t masked_iar[3];
static uint32_t pend_view[NCORES];

static void print_log(unsigned me)
{
  for (unsigned i = 0; i < n_log[me] && i < LOG; i++) {
    uint32_t iar = log_iar[me][i];
    printf("core %u took sgi %u from core %u\n", me, (unsigned)IAR_ID(iar), (unsigned)IAR_CPU(iar));
  }
  printf("core %u: gicd_ispendr0 bit 6 while masked=%u\n", me, (unsigned)(pend_view[me] >> 6) & 1);
  printf("core %u: iar with nothing pending=%u\n", me, (unsigned)IAR_ID(REG(GICC + GICC_IAR)));
}

int main(void)
{
  if (smp_start("smp_sgi")) return 1;
  unsigned me = cpu_id();
  if (me == 0) set_handler(EXC_IRQ, on_irq);
  gic_cpu_init();
  REG(GICD + GICD_ISENABLER(0)) = 0x0000ffffu;
  for (unsigned id = 0; id < 16; id++) REG8(GICD + GICD_IPRIORITYR(id)) = 0x80;
  smp_barrier();
  irq_enable();

  /* 1. core 0 -> core 1 (target list). */
  if (me == 0) send(0, 1u << 1, 1);
  step_done(1, 1);
  /* 2. core 1 -> core 0. */
  if (me == 1) send(0, 1u << 0, 2);
  step_done(0, 1);
  /* 3. core 1 -> all but self. */
  if (me == 1) send(1, 0, 3);
  step_done(0, 2);
  /* 4. core 0 -> self. */
  if (me == 0) send(2, 0, 4);
  step_done(0, 3);
  /* 5. core 0 -> both cores. */
  if (me == 0) send(0, 3, 5);
  step_done(0, 4);
  step_done(1, 2);

  /* 6. Both cores send SGI 6 to core 0, which has IRQs masked. */
  if (me == 0) irq_disable();
  smp_barrier();
  send(0, 1u << 0, 6);
  smp_barrier();
  pend_view[me] = REG(GICD + GICD_ISPENDR(0));
  smp_barrier();
  if (me == 0) {
    for (unsigned i = 0; i < 3; i++) {
      masked_iar[i] = REG(GICC + GICC_IAR);
      if (IAR_ID(masked_iar[i]) != SPURIOUS) REG(GICC + GICC_EOIR) = masked_iar[i];
    }
    irq_enable();
  }
  smp_barrier();

  smp_in_order(print_log);
  if (me == 0) {
    /* Which source's SGI 6 is acknowledged first is the GIC's choice: print them in source order. */
    uint32_t a = masked_iar[0], b = masked_iar[1];
    if (IAR_CPU(b) < IAR_CPU(a)) { uint32_t t = a; a = b; b = t; }
    printf("core 0, masked: acknowledged sgi %u from core %u and sgi %u from core %u, then %u\n",
           (unsigned)IAR_ID(a), (unsigned)IAR_CPU(a), (unsigned)IAR_ID(b), (unsigned)IAR_CPU(b), (unsigned)IAR_ID(masked_iar[2]));
    check("core 0 interrupts", n_log[0], 4);
    check("core 1 interrupts", n_log[1], 2);
  }
  return smp_finish("smp_sgi");
}
