/* Barriers, ordered output and GIC start-up for the two-core programs (see smp.h). */

#include "smp.h"

uint32_t atomic_add(volatile uint32_t *p, uint32_t v)
{
  uint32_t result, failed;
  __asm__ volatile(
    "1:	ldrex	%0, [%2]\n"
    "	add	%0, %0, %3\n"
    "	strex	%1, %0, [%2]\n"
    "	cmp	%1, #0\n"
    "	bne	1b\n"
    : "=&r"(result), "=&r"(failed) : "r"(p), "r"(v) : "cc", "memory");
  return result;
}

static volatile uint32_t barrier_count;
static volatile uint32_t barrier_generation;

void smp_barrier(void)
{
  uint32_t generation = barrier_generation;
  dmb();
  if (atomic_add(&barrier_count, 1) == NCORES) {
    barrier_count = 0;
    dmb();
    barrier_generation = generation + 1;
    sev();
  } else {
    /* An SEV between the test and the WFE leaves the event register set: WFE returns at once. */
    while (barrier_generation == generation) wfe();
  }
  dmb();
}

void smp_in_order(void (*fn)(unsigned core))
{
  unsigned me = cpu_id();
  for (unsigned k = 0; k < NCORES; k++) {
    smp_barrier();
    if (k == me) {
      fn(me);
      flush_sh();
    }
  }
  smp_barrier();
}

void wait_until(volatile uint32_t *p, uint32_t want)
{
  while (*p < want) wfe();
  dmb();
}

void wait_irqs(volatile uint32_t *count, uint32_t want)
{
  irq_disable();
  /* WFI wakes on a pending IRQ even while it is masked; it is taken between cpsie and cpsid. */
  while (*count < want) __asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
  irq_enable();
}

static volatile uint32_t arrived;

int smp_start(const char *program)
{
  /* Cores beyond the two the programs are written for (-smp 4) stay out of the way. */
  if (cpu_id() >= NCORES) {
    for (;;) __asm__ volatile("cpsid if\n\twfi" ::: "memory");
  }
  atomic_add(&arrived, 1);
  sev();
  if (cpu_id() != 0) return 0;
  /*
   * A started core arrives almost at once; if it has not after a while and
   * the SCU says there is no such core, this is a one-core run. Otherwise
   * wait on: the host may not have given the other core a turn yet.
   */
  for (uint32_t spins = 1u << 20; arrived < NCORES && spins; spins--) continue;
  if (arrived < NCORES && (REG(SCU + SCU_CONFIG) & 3) + 1 < NCORES) {
    printf("%s: FAIL (%u of %u cores started; run with -smp %u)\n", program, (unsigned)arrived, NCORES, NCORES);
    return 1;
  }
  wait_until(&arrived, NCORES);
  return 0;
}

int smp_finish(const char *program)
{
  smp_barrier();
  if (cpu_id() != 0) return 0;
  return finish(program);
}

void smp_finish_on(unsigned core, const char *program)
{
  smp_barrier();
  if (cpu_id() == core) exit(finish(program));
  smp_park();
}

void gic_cpu_init(void)
{
  if (cpu_id() == 0) REG(GICD + GICD_CTLR) = 1;
  REG(GICC + GICC_PMR) = 0xf0;
  REG(GICC + GICC_CTLR) = 1;
}
