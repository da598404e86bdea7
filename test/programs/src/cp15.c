/*
 * CP15 registers a hypervisor touches: round trips through the writable
 * ones (thread ID, context ID, VBAR, DACR, TTBR0/1, TTBCR, fault registers,
 * PRRR/NMRR), SCTLR bits, and cache, branch-predictor and barrier
 * operations, which must execute without effect on the results.
 */

#include "runtime.h"

#define RT(name, opc1, crn, crm, opc2, value, mask) do { \
    uint32_t old_ = CP15_READ(opc1, crn, crm, opc2); \
    CP15_WRITE(opc1, crn, crm, opc2, value); \
    __asm__ volatile("isb"); \
    uint32_t got_ = CP15_READ(opc1, crn, crm, opc2); \
    CP15_WRITE(opc1, crn, crm, opc2, old_); \
    __asm__ volatile("isb"); \
    printf("%-10s wrote %08x read %08x\n", name, (unsigned)(value), (unsigned)(got_ & (mask))); \
  } while (0)

static uint32_t buffer[16] __attribute__((aligned(64)));

int main(void)
{
  RT("tpidrurw", 0, c13, c0, 2, 0x12345678, ~0u);
  RT("tpidruro", 0, c13, c0, 3, 0x9abcdef0, ~0u);
  RT("tpidrprw", 0, c13, c0, 4, 0x0badf00d, ~0u);
  RT("contextid", 0, c13, c0, 1, 0x00000142, ~0u);
  RT("dacr", 0, c3, c0, 0, 0x5555aaaa, ~0u);
  RT("ttbr0", 0, c2, c0, 0, 0x60104000, 0xffffc000u);
  RT("ttbr1", 0, c2, c0, 1, 0x60108000, 0xffffc000u);
  RT("ttbcr", 0, c2, c0, 2, 0x00000002, 0x7u);
  RT("dfsr", 0, c5, c0, 0, 0x00000835, 0x1cffu);
  RT("ifsr", 0, c5, c0, 1, 0x0000000d, 0x140fu);
  RT("dfar", 0, c6, c0, 0, 0xdeadbeef, ~0u);
  RT("ifar", 0, c6, c0, 2, 0xcafebabe, ~0u);
  RT("prrr", 0, c10, c2, 0, 0x000a81a4, ~0u);
  RT("nmrr", 0, c10, c2, 1, 0x44e048e0, ~0u);

  uint32_t vbar = CP15_READ(0, c12, c0, 0);
  extern char exc_vectors[];
  printf("vbar %s the vector table\n", vbar == (uint32_t)exc_vectors ? "points to" : "DOES NOT point to");

  uint32_t sctlr = read_sctlr();
  printf("sctlr: m=%u a=%u v=%u te=%u afe=%u tre=%u ee=%u\n", (unsigned)(sctlr & 1), (unsigned)((sctlr >> 1) & 1),
         (unsigned)((sctlr >> 13) & 1), (unsigned)((sctlr >> 30) & 1), (unsigned)((sctlr >> 29) & 1),
         (unsigned)((sctlr >> 28) & 1), (unsigned)((sctlr >> 25) & 1));

  /* Maintenance operations: the data must read back unchanged. */
  for (unsigned i = 0; i < 16; i++) buffer[i] = i * 0x01010101u;
  uint32_t va = (uint32_t)buffer;
  CP15_WRITE(0, c7, c10, 1, va);  /* DCCMVAC */
  CP15_WRITE(0, c7, c14, 1, va);  /* DCCIMVAC */
  CP15_WRITE(0, c7, c11, 1, va);  /* DCCMVAU */
  CP15_WRITE(0, c7, c5, 1, va);   /* ICIMVAU */
  CP15_WRITE(0, c7, c5, 0, 0);    /* ICIALLU */
  CP15_WRITE(0, c7, c5, 6, 0);    /* BPIALL */
  CP15_WRITE(0, c7, c1, 0, 0);    /* ICIALLUIS */
  CP15_WRITE(0, c7, c1, 6, 0);    /* BPIALLIS */
  CP15_WRITE(0, c8, c7, 0, 0);    /* TLBIALL */
  CP15_WRITE(0, c8, c3, 0, 0);    /* TLBIALLIS */
  CP15_WRITE(0, c8, c7, 2, 0);    /* TLBIASID */
  CP15_WRITE(0, c7, c10, 5, 0);   /* CP15DMB */
  CP15_WRITE(0, c7, c10, 4, 0);   /* CP15DSB */
  CP15_WRITE(0, c7, c5, 4, 0);    /* CP15ISB */
  __asm__ volatile("dmb ish\n\tdsb sy\n\tisb\n\tnop\n\tyield\n\tsev" ::: "memory");
  uint32_t sum = 0;
  for (unsigned i = 0; i < 16; i++) sum = sum * 3 + buffer[i];
  printf("after maintenance: sum %08x\n", (unsigned)sum);

  /* CSSELR selects the cache CCSIDR describes; the selection itself reads back. */
  RT("csselr", 2, c0, c0, 0, 0x00000000, 0xfu);
  return finish("cp15");
}
