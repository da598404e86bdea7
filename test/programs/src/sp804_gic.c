/*
 * SP804 timer interrupts through the GIC on vexpress-a9: timer01 (SPI 2,
 * ID 34) periodic and one-shot on both of its timers (one shared line),
 * timer23 (SPI 3, ID 35) one-shot, each taken as an IRQ whose handler reads
 * GICC_IAR, clears the timer and writes GICC_EOIR. Then, with IRQs masked,
 * a timer interrupt is made pending by unmasking it in the SP804 and is
 * acknowledged by reading IAR directly, and IAR reads 1023 (spurious) when
 * nothing is pending.
 *
 * Only values that do not depend on how fast the guest runs are printed:
 * IAR values, interrupt counts, and SP804 registers at points where the
 * count is stopped or has just been reloaded. The handler stops the periodic
 * timer itself on its tenth interrupt so that no eleventh one can follow.
 */

#include "runtime.h"

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))

#define GICD 0x1e001000u
#define GICC 0x1e000100u
#define GICD_CTLR 0x000
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n) (0x200 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_IPRIORITYR(id) (0x400 + (id))
#define GICD_ITARGETSR(id) (0x800 + (id))
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

#define TIMER01 0x10011000u
#define TIMER23 0x10012000u
#define T_LOAD 0x00
#define T_VALUE 0x04
#define T_CTRL 0x08
#define T_INTCLR 0x0c
#define T_RIS 0x10
#define T_MIS 0x14
#define T_BGLOAD 0x18

#define CTRL_ONESHOT 0x01
#define CTRL_32BIT 0x02
#define CTRL_IE 0x20
#define CTRL_PERIODIC 0x40
#define CTRL_ENABLE 0x80

#define ID_TIMER01 34
#define ID_TIMER23 35
#define SPURIOUS 1023

#define PERIODIC_TICKS 10

static volatile unsigned irqs, ticks0, ticks1, ticks23, unexpected;
static volatile uint32_t iars[32];
static volatile unsigned n_iar;

static void on_irq(struct exc_frame *f)
{
  (void)f;
  uint32_t iar = REG(GICC + GICC_IAR);
  unsigned id = iar & 0x3ff;
  if (n_iar < 32) iars[n_iar++] = iar;
  if (id == SPURIOUS) return;
  irqs++;
  if (id == ID_TIMER01) {
    if (REG(TIMER01 + T_MIS)) {
      REG(TIMER01 + T_INTCLR) = 1;
      /* Stop in the handler: the count is exact however late the main loop runs. */
      if (++ticks0 == PERIODIC_TICKS) REG(TIMER01 + T_CTRL) = CTRL_PERIODIC | CTRL_IE | CTRL_32BIT;
    }
    if (REG(TIMER01 + 0x20 + T_MIS)) {
      REG(TIMER01 + 0x20 + T_INTCLR) = 1;
      ticks1++;
    }
  } else if (id == ID_TIMER23) {
    if (REG(TIMER23 + T_MIS)) {
      REG(TIMER23 + T_INTCLR) = 1;
      ticks23++;
    }
  } else {
    unexpected++;
  }
  REG(GICC + GICC_EOIR) = iar;
}

/* Sleeps until *counter reaches want; WFI wakes on a pending IRQ even while it is masked. */
static void wait_for(volatile unsigned *counter, unsigned want)
{
  __asm__ volatile("cpsid i" ::: "memory");
  while (*counter < want) {
    __asm__ volatile("wfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
  }
}

static void print_timer(const char *what, uint32_t t)
{
  printf("%s: load=%08x value=%08x control=%02x ris=%u mis=%u\n", what, (unsigned)REG(t + T_LOAD),
         (unsigned)REG(t + T_VALUE), (unsigned)REG(t + T_CTRL), (unsigned)REG(t + T_RIS), (unsigned)REG(t + T_MIS));
}

static void print_iars(unsigned from)
{
  for (unsigned i = from; i < n_iar; i++) printf("  irq %u: iar=%u\n", i, (unsigned)iars[i]);
}

static unsigned pending(unsigned id) { return (REG(GICD + GICD_ISPENDR(id / 32)) >> (id % 32)) & 1; }
static unsigned active(unsigned id) { return (REG(GICD + GICD_ISACTIVER(id / 32)) >> (id % 32)) & 1; }

static void gic_init(void)
{
  REG(GICD + GICD_CTLR) = 0;
  REG8(GICD + GICD_IPRIORITYR(ID_TIMER01)) = 0xa0;
  REG8(GICD + GICD_IPRIORITYR(ID_TIMER23)) = 0xa0;
  REG8(GICD + GICD_ITARGETSR(ID_TIMER01)) = 1;
  REG8(GICD + GICD_ITARGETSR(ID_TIMER23)) = 1;
  REG(GICD + GICD_ISENABLER(1)) = (1u << (ID_TIMER01 - 32)) | (1u << (ID_TIMER23 - 32));
  REG(GICD + GICD_CTLR) = 1;
  REG(GICC + GICC_PMR) = 0xf0;
  REG(GICC + GICC_CTLR) = 1;
}

int main(void)
{
  set_handler(EXC_IRQ, on_irq);

  print_timer("timer01.0 at reset", TIMER01);
  print_timer("timer01.1 at reset", TIMER01 + 0x20);
  printf("timer01 id: %02x %02x %02x %02x %02x %02x %02x %02x\n", (unsigned)REG(TIMER01 + 0xfe0),
         (unsigned)REG(TIMER01 + 0xfe4), (unsigned)REG(TIMER01 + 0xfe8), (unsigned)REG(TIMER01 + 0xfec),
         (unsigned)REG(TIMER01 + 0xff0), (unsigned)REG(TIMER01 + 0xff4), (unsigned)REG(TIMER01 + 0xff8),
         (unsigned)REG(TIMER01 + 0xffc));

  gic_init();
  printf("enabled ISENABLER1=%08x\n", (unsigned)REG(GICD + GICD_ISENABLER(1)));
  printf("nothing pending: iar=%u\n", (unsigned)REG(GICC + GICC_IAR));

  /* Periodic: 1000 counts of the 1 MHz clock, ten interrupts. */
  REG(TIMER01 + T_LOAD) = 1000;
  print_timer("timer01.0 loaded", TIMER01);
  REG(TIMER01 + T_CTRL) = CTRL_ENABLE | CTRL_PERIODIC | CTRL_IE | CTRL_32BIT;
  wait_for(&ticks0, PERIODIC_TICKS);
  printf("periodic: %u interrupts, %u taken\n", ticks0, irqs);
  print_iars(0);
  /* Stopped by the handler with the interrupt cleared; a load while stopped sets the count. */
  REG(TIMER01 + T_LOAD) = 0x1234;
  print_timer("timer01.0 stopped, load 0x1234", TIMER01);
  REG(TIMER01 + T_BGLOAD) = 0x5678;
  print_timer("timer01.0 stopped, bgload 0x5678", TIMER01);

  /* The second timer of the pair shares the interrupt. */
  unsigned first = n_iar;
  REG(TIMER01 + 0x20 + T_LOAD) = 500;
  REG(TIMER01 + 0x20 + T_CTRL) = CTRL_ENABLE | CTRL_ONESHOT | CTRL_IE | CTRL_32BIT;
  wait_for(&ticks1, 1);
  printf("one-shot timer01.1: %u interrupt\n", ticks1);
  print_iars(first);
  print_timer("timer01.1 expired", TIMER01 + 0x20);
  /* Free-running 16-bit: a load sets the count to the wrap value, not to the load. */
  REG(TIMER01 + 0x20 + T_CTRL) = CTRL_IE;
  REG(TIMER01 + 0x20 + T_LOAD) = 0x100;
  print_timer("timer01.1 free-running 16-bit, load 0x100", TIMER01 + 0x20);

  /* The other SP804 has its own line. */
  first = n_iar;
  REG(TIMER23 + T_LOAD) = 300;
  REG(TIMER23 + T_CTRL) = CTRL_ENABLE | CTRL_ONESHOT | CTRL_IE | CTRL_32BIT;
  wait_for(&ticks23, 1);
  printf("one-shot timer23.0: %u interrupt\n", ticks23);
  print_iars(first);
  print_timer("timer23.0 expired", TIMER23);

  /* With IRQs masked: expire with the SP804 interrupt masked, then unmask it. */
  __asm__ volatile("cpsid i" ::: "memory");
  REG(TIMER01 + T_LOAD) = 200;
  REG(TIMER01 + T_CTRL) = CTRL_ENABLE | CTRL_ONESHOT | CTRL_32BIT;
  while (!REG(TIMER01 + T_RIS)) {
  }
  print_timer("timer01.0 expired, IE clear", TIMER01);
  printf("gic: pending=%u iar=%u\n", pending(ID_TIMER01), (unsigned)REG(GICC + GICC_IAR));
  REG(TIMER01 + T_CTRL) = CTRL_ONESHOT | CTRL_IE | CTRL_32BIT;
  print_timer("timer01.0 IE set", TIMER01);
  printf("gic: pending=%u active=%u\n", pending(ID_TIMER01), active(ID_TIMER01));
  uint32_t iar = REG(GICC + GICC_IAR);
  printf("acknowledged: iar=%u pending=%u active=%u\n", (unsigned)iar, pending(ID_TIMER01), active(ID_TIMER01));
  REG(TIMER01 + T_INTCLR) = 1;
  REG(GICC + GICC_EOIR) = iar;
  printf("cleared, ended: pending=%u active=%u iar=%u\n", pending(ID_TIMER01), active(ID_TIMER01),
         (unsigned)REG(GICC + GICC_IAR));
  print_timer("timer01.0 cleared", TIMER01);

  REG(GICD + GICD_ICENABLER(1)) = (1u << (ID_TIMER01 - 32)) | (1u << (ID_TIMER23 - 32));
  REG(GICC + GICC_CTLR) = 0;
  REG(GICD + GICD_CTLR) = 0;

  printf("total: %u interrupts taken, %u unexpected\n", irqs, unexpected);
  check("periodic interrupts", ticks0, PERIODIC_TICKS);
  check("one-shot interrupts", ticks1 + ticks23, 2);
  check("iar values recorded", n_iar, PERIODIC_TICKS + 2);
  check("acknowledged id", iar & 0x3ff, ID_TIMER01);
  return finish("sp804_gic");
}
