/*
 * Both cores start at the ELF's entry and tell themselves apart by MPIDR
 * (0x80000000 and 0x80000001: multiprocessor format, cluster 0). Each core
 * prints, in core order, what it sees of the cluster: the SCU's CPU count,
 * the GIC distributor's CPU count, and the banked per-core views of the
 * distributor (GICD_ITARGETSR0-7 read as the reading core's own bit,
 * ISENABLER0 and IPRIORITYR for SGIs/PPIs, each core's own copy) and of the
 * CPU interface (GICC_PMR). Output comes from both cores through semihosting,
 * and the final line and the exit from core 1, core 0 parked.
 */

#include "smp.h"

static volatile uint32_t mpidr[NCORES];

static void report(unsigned me)
{
  printf("core %u: mpidr=%08x\n", me, (unsigned)read_mpidr());
  uint32_t scu = REG(SCU + SCU_CONFIG);
  printf("core %u: scu cpus=%u\n", me, (unsigned)(scu & 3) + 1);
  printf("core %u: gicd cpus=%u\n", me, (unsigned)((REG(GICD + GICD_TYPER) >> 5) & 7) + 1);
  for (unsigned n = 0; n < 8; n++) printf("core %u: itargetsr%u=%08x\n", me, n, (unsigned)REG(GICD + GICD_ITARGETSR(4 * n)));
  printf("core %u: isenabler0 ppi=%04x\n", me, (unsigned)(REG(GICD + GICD_ISENABLER(0)) >> 16));
  printf("core %u: ipriorityr sgi 1=%02x ppi 29=%02x\n", me, REG8(GICD + GICD_IPRIORITYR(1)), REG8(GICD + GICD_IPRIORITYR(29)));
  printf("core %u: gicc pmr=%02x\n", me, (unsigned)REG(GICC + GICC_PMR));
}

int main(void)
{
  if (smp_start("smp_boot")) return 1;
  unsigned me = cpu_id();
  mpidr[me] = read_mpidr();

  /* Banked registers: each core writes its own value at the same address. */
  REG(GICD + GICD_ICENABLER(0)) = 0xffffffffu;
  REG(GICD + GICD_ISENABLER(0)) = me == 0 ? 0x00000003u : 0x0000000cu;
  REG(GICD + GICD_ISENABLER(0)) = me == 0 ? (1u << 29) : (1u << 30);
  REG8(GICD + GICD_IPRIORITYR(1)) = me == 0 ? 0x40 : 0x80;
  REG8(GICD + GICD_IPRIORITYR(29)) = me == 0 ? 0x90 : 0xa0;
  REG(GICC + GICC_PMR) = me == 0 ? 0xe0 : 0xf0;
  smp_barrier();

  smp_in_order(report);
  if (me == 0) {
    check("the cores' MPIDRs differ in Aff0", mpidr[0] ^ mpidr[1], 1);
  }
  smp_finish_on(1, "smp_boot");
}
