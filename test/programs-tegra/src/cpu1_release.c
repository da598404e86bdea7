/*
 * cpu1_release: core 0 starts core 1 the way Linux's tegra20_boot_secondary
 * does, and the two cores hand a message back and forth through memory.
 *
 * On tegra2-xoom core 1 comes out of reset held: in reset (CAR
 * RST_CPU_CMPLX) with its clock stopped (CAR CLK_CPU_CMPLX bit 9). Core 0:
 *   1. writes core 1's entry point into the EVP CPU reset vector,
 *   2. puts core 1 into reset (RST_CPU_CMPLX_SET, 0x1111 << 1),
 *   3. lets the flow controller run it (HALT_CPU1_EVENTS = 0),
 *   4. starts its clock (clears CLK_CPU_CMPLX bit 9),
 *   5. takes it out of reset (RST_CPU_CMPLX_CLR, 0x1111 << 1),
 * then waits for core 1 to say hello. Core 1 starts at the vector in SVC
 * mode, sets up a stack of its own, reads its MPIDR and answers. Output on
 * UARTD (only core 0 prints, so lines never interleave):
 *
 *   cpu1_release: core 0, MPIDR 0x80000000, releasing core 1
 *   core 1 is up: MPIDR 0x80000001, started at the EVP vector 0x...
 *   core 1 counted to 1000 while core 0 waited
 *   cpu1_release: ok
 */

#include "runtime.h"
#include "tegra20.h"
#include "uartd.h"

#define EVP_CPU_RESET_VECTOR 0x6000f100u
#define CAR 0x60006000u
#define CLK_CPU_CMPLX 0x04cu
#define RST_CPU_CMPLX_SET 0x340u
#define RST_CPU_CMPLX_CLR 0x344u
#define FLOW 0x60007000u
#define HALT_CPU1_EVENTS 0x014u
#define CPU1_RESET_BITS (0x1111u << 1)   /* CPU, DBG, DE and WDT reset of core 1 */
#define CPU1_CLK_STOP (1u << 9)

static inline uint32_t read_mpidr(void) { return CP15_READ(0, c0, c0, 5); }

/* What core 1 tells core 0: written by core 1, then `hello` last. */
volatile uint32_t core1_mpidr, core1_pc, core1_count, core1_hello;
uint8_t core1_stack[1024] __attribute__((aligned(8)));

void core1_main(uint32_t entry_pc);

/* Core 1's entry point (the EVP vector): no stack yet; give it one, pass the pc it started at. */
void core1_entry(void);
__asm__(
  ".text\n"
  ".global core1_entry\n"
  ".type core1_entry, %function\n"
  "core1_entry:\n"
  "  sub r0, pc, #8\n"
  "  ldr sp, =core1_stack + 1024\n"
  "  b core1_main\n"
  ".ltorg\n");

void core1_main(uint32_t entry_pc)
{
  /* Some work of its own first (volatile: the loop really runs). */
  volatile unsigned n = 0;
  while (n < 1000) n++;
  core1_mpidr = read_mpidr();
  core1_pc = entry_pc;
  core1_count = n;
  __asm__ volatile("dmb" ::: "memory");
  core1_hello = 1;
  __asm__ volatile("dsb\n sev" ::: "memory");
  for (;;) __asm__ volatile("wfi");
}

int main(void)
{
  uprintf("cpu1_release: core 0, MPIDR 0x%08x, releasing core 1\n", (unsigned)read_mpidr());
  REG(EVP_CPU_RESET_VECTOR) = (uint32_t)(uintptr_t)core1_entry;
  REG(CAR + RST_CPU_CMPLX_SET) = CPU1_RESET_BITS;
  REG(FLOW + HALT_CPU1_EVENTS) = 0;
  REG(CAR + CLK_CPU_CMPLX) = REG(CAR + CLK_CPU_CMPLX) & ~CPU1_CLK_STOP;
  REG(CAR + RST_CPU_CMPLX_CLR) = CPU1_RESET_BITS;

  /* Wait for core 1 (with a bound: a core that never starts must not hang the test). */
  uint32_t start = REG(TMR + TMRUS_CNTR_1US);
  while (!core1_hello) {
    if (REG(TMR + TMRUS_CNTR_1US) - start > 100000u) {
      uprintf("core 1 did not start within 100 ms\n");
      return 1;
    }
  }
  __asm__ volatile("dmb" ::: "memory");
  uprintf("core 1 is up: MPIDR 0x%08x, started at the EVP vector 0x%08x\n", (unsigned)core1_mpidr, (unsigned)core1_pc);
  uprintf("core 1 counted to %u while core 0 waited\n", (unsigned)core1_count);
  int ok = core1_mpidr == 0x80000001u && core1_pc == (uint32_t)(uintptr_t)core1_entry && core1_count == 1000;
  uprintf("cpu1_release: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
