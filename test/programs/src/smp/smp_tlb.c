/*
 * TLB maintenance broadcast to the other core. Both cores turn the MMU on
 * with the same translation table (an identity map of 1 MiB sections, RAM
 * normal memory, the rest device memory) in which the virtual section at
 * 0xc0000000 maps one of four RAM sections holding different marker words.
 * Both cores read the marker through 0xc0000000 (filling their TLBs); then
 * one core changes the mapping and invalidates with an inner-shareable
 * operation only (TLBIMVAIS, TLBIALLIS, TLBIASIDIS, TLBIMVAAIS), and after a
 * barrier both cores read the marker again: each must see the new section,
 * including the core that did no TLB maintenance itself. The inner-shareable
 * operations come from both cores in turn; the ASID ones replace a non-global
 * mapping (ASID 5, CONTEXTIDR.ASID = 5 on both cores): TLBIASIDIS leaves
 * global entries alone, so what a core reads after it replaced a global
 * mapping would be UNPREDICTABLE.
 */

#include "smp.h"

static uint32_t l1[4096] __attribute__((aligned(16384)));

#define SEC          0x2u
#define SEC_B        (1u << 2)
#define SEC_C        (1u << 3)
#define SEC_XN       (1u << 4)
#define SEC_AP_RW    (3u << 10)
#define SEC_TEX(t)   ((uint32_t)(t) << 12)
#define SEC_S        (1u << 16)
#define SEC_NG       (1u << 17)
#define SEC_NORMAL   (SEC_TEX(1) | SEC_C | SEC_B | SEC_S)
#define SEC_DEVICE   (SEC_B | SEC_XN)

#define VA 0xc0000000u
#define PA(n) (0x70000000u + ((uint32_t)(n) << 20))
#define MARKER(n) (0x5ec70000u + (uint32_t)(n))
#define ASID 5

enum op { TLBIMVAIS, TLBIALLIS, TLBIASIDIS, TLBIMVAAIS };
static const char *const op_names[] = { "tlbimvais", "tlbiallis", "tlbiasidis", "tlbimvaais" };

static volatile uint32_t before[8][NCORES], seen[8][NCORES];

static void map_section(unsigned n, int global)
{
  l1[VA >> 20] = PA(n) | SEC_NORMAL | SEC_AP_RW | SEC | (global ? 0 : SEC_NG);
  dsb();
}

static void tlbi(enum op op)
{
  switch (op) {
  case TLBIMVAIS: CP15_WRITE(0, c8, c3, 1, VA | ASID); break;
  case TLBIALLIS: CP15_WRITE(0, c8, c3, 0, 0); break;
  case TLBIASIDIS: CP15_WRITE(0, c8, c3, 2, ASID); break;
  case TLBIMVAAIS: CP15_WRITE(0, c8, c3, 3, VA); break;
  }
  dsb();
  isb();
}

static uint32_t read_va(void) { return *(volatile uint32_t *)(uintptr_t)VA; }

static void mmu_on(void)
{
  CP15_WRITE(0, c13, c0, 1, ASID);                 /* CONTEXTIDR */
  CP15_WRITE(0, c2, c0, 2, 0);                     /* TTBCR: TTBR0 only */
  CP15_WRITE(0, c2, c0, 0, (uint32_t)(uintptr_t)l1 | 0x4a); /* TTBR0: inner/outer WB-WA, shareable */
  CP15_WRITE(0, c3, c0, 0, 1);                     /* DACR: domain 0 client */
  CP15_WRITE(0, c8, c7, 0, 0);                     /* TLBIALL (this core) */
  dsb();
  isb();
  write_sctlr(read_sctlr() | SCTLR_M);
}

int main(void)
{
  if (smp_start("smp_tlb")) return 1;
  unsigned me = cpu_id();
  if (me == 0) {
    for (unsigned n = 0; n < 4; n++) *(volatile uint32_t *)(uintptr_t)PA(n) = MARKER(n);
    for (uint32_t i = 0; i < 4096; i++) {
      uint32_t base = i << 20;
      int ram = base >= 0x60000000u && base < 0xa0000000u;
      l1[i] = base | SEC_AP_RW | SEC | (ram ? SEC_NORMAL : SEC_DEVICE);
    }
    map_section(0, 1);
  }
  smp_barrier();
  mmu_on();
  smp_barrier();

  /* Each step: both cores read (fill the TLB), one core remaps and invalidates, both read again. */
  static const struct { enum op op; unsigned by; int global; } steps[] = {
    { TLBIMVAIS, 0, 1 }, { TLBIMVAIS, 1, 1 }, { TLBIALLIS, 0, 1 }, { TLBIALLIS, 1, 0 },
    { TLBIASIDIS, 0, 0 }, { TLBIASIDIS, 1, 0 }, { TLBIMVAAIS, 0, 0 }, { TLBIMVAAIS, 1, 1 },
  };
  unsigned current = 0;
  for (unsigned s = 0; s < 8; s++) {
    before[s][me] = read_va();
    smp_barrier();
    unsigned next = (current + 1) % 4;
    if (me == steps[s].by) {
      map_section(next, steps[s].global);
      tlbi(steps[s].op);
    }
    current = next;
    smp_barrier();
    isb();
    seen[s][me] = read_va();
    smp_barrier();
  }
  write_sctlr(read_sctlr() & ~SCTLR_M);
  smp_barrier();

  if (me == 0) {
    for (unsigned s = 0; s < 8; s++) {
      printf("%-10s by core %u (%s mapping): before %08x %08x, after: core 0 reads %08x, core 1 reads %08x\n",
             op_names[steps[s].op], steps[s].by, steps[s].global ? "global" : "asid 5", (unsigned)before[s][0],
             (unsigned)before[s][1], (unsigned)seen[s][0], (unsigned)seen[s][1]);
      check("core 0 sees the new mapping", seen[s][0], MARKER((s + 1) % 4));
      check("core 1 sees the new mapping", seen[s][1], MARKER((s + 1) % 4));
    }
  }
  return smp_finish("smp_tlb");
}
