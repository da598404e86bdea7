/*
 * Code written by one core and run by the other. In each round one core
 * writes a small function into a shared buffer (the same address every
 * round, so a core that kept what it decoded last time would run stale
 * code), cleans it to the point of unification (DCCMVAU), invalidates the
 * instruction caches of every core (ICIALLUIS) and the branch predictors
 * (BPIALLIS), and tells the other core, which runs it after an ISB and
 * records what it returned. The writer alternates: core 0 writes in even
 * rounds, core 1 in odd ones. The functions are A32 and Thumb, straight-line
 * and with a loop; a last round patches one instruction in the middle of a
 * function the other core has already run. Finally core 1 spins in a loop
 * (ISB; mov r0, #0; cmp r0, #0; beq) while core 0 patches the mov to
 * mov r0, #1: core 1 must leave the loop.
 */

#include "smp.h"

#define ROUNDS 8

static uint32_t code[64] __attribute__((aligned(64)));
static volatile uint32_t turn;
static uint32_t ran[ROUNDS + 1];
static unsigned runner[ROUNDS + 1];

typedef uint32_t (*fn0)(uint32_t);

static void publish(void *start, unsigned bytes)
{
  for (uintptr_t a = (uintptr_t)start & ~31u; a < (uintptr_t)start + bytes; a += 32) CP15_WRITE(0, c7, c11, 1, a); /* DCCMVAU */
  dsb();
  CP15_WRITE(0, c7, c1, 0, 0); /* ICIALLUIS */
  CP15_WRITE(0, c7, c1, 6, 0); /* BPIALLIS */
  dsb();
  isb();
}

/* A32: r0 = K + r0. */
static unsigned write_a32_add(uint32_t *p, uint32_t k)
{
  p[0] = 0xe2800000u | (k & 0xff);  /* add r0, r0, #k */
  p[1] = 0xe12fff1eu;                /* bx lr */
  return 2;
}

/* A32: r0 = r0 * n through a loop: for (r1 = n, r2 = 0; r1; r1--) r2 += r0; return r2. */
static unsigned write_a32_loop(uint32_t *p, uint32_t n)
{
  p[0] = 0xe3a01000u | (n & 0xff);  /* mov r1, #n */
  p[1] = 0xe3a02000u;                /* mov r2, #0 */
  p[2] = 0xe0822000u;                /* add r2, r2, r0 */
  p[3] = 0xe2511001u;                /* subs r1, r1, #1 */
  p[4] = 0x1afffffcu;                /* bne p+2 */
  p[5] = 0xe1a00002u;                /* mov r0, r2 */
  p[6] = 0xe12fff1eu;                /* bx lr */
  return 7;
}

/* Thumb: r0 = r0 ^ (K << 8) via movs/lsls/eors, bx lr. */
static unsigned write_t32_xor(uint32_t *p, uint32_t k)
{
  uint16_t *h = (uint16_t *)p;
  h[0] = 0x2100u | (k & 0xff);  /* movs r1, #k */
  h[1] = 0x0209u;               /* lsls r1, r1, #8 */
  h[2] = 0x4048u;               /* eors r0, r1 */
  h[3] = 0x4770u;               /* bx lr */
  return 2;
}

static uint32_t write_round(unsigned r)
{
  unsigned words;
  uint32_t entry = (uint32_t)(uintptr_t)code;
  switch (r % 4) {
  case 0: words = write_a32_add(code, 0x10 + r); break;
  case 1: words = write_a32_loop(code, 3 + r); break;
  case 2: words = write_t32_xor(code, 0x40 + r); entry |= 1; break;
  default: words = write_a32_add(code, 0x80 + r); break;
  }
  publish(code, words * 4);
  return entry;
}

static volatile uint32_t entry_of_round;

int main(void)
{
  if (smp_start("smp_code")) return 1;
  unsigned me = cpu_id();
  smp_barrier();

  for (unsigned r = 0; r < ROUNDS; r++) {
    unsigned writer = r & 1;
    if (me == writer) {
      entry_of_round = write_round(r);
      dmb();
      turn = 2 * r + 1;
      sev();
      wait_until(&turn, 2 * r + 2);
    } else {
      wait_until(&turn, 2 * r + 1);
      isb();
      ran[r] = ((fn0)(uintptr_t)entry_of_round)(1000 + r);
      runner[r] = me;
      dmb();
      turn = 2 * r + 2;
      sev();
    }
    smp_barrier();
  }

  /* Patch one instruction of the loop function core 0 runs: the multiplier (mov r1, #n). */
  if (me == 1) {
    write_a32_loop(code, 5);
    publish(code, 7 * 4);
  }
  smp_barrier();
  if (me == 0) {
    isb();
    uint32_t before = ((fn0)(uintptr_t)code)(7);
    ran[ROUNDS] = before;
    smp_barrier();
  } else {
    smp_barrier();
  }
  if (me == 1) {
    code[0] = 0xe3a01000u | 9;  /* mov r1, #9 */
    publish(code, 4);
  }
  smp_barrier();
  uint32_t after = 0;
  if (me == 0) {
    isb();
    after = ((fn0)(uintptr_t)code)(7);
  }
  smp_barrier();

  /* Core 1 spins in code that core 0 patches under it. */
  static volatile uint32_t spinning, left;
  if (me == 1) {
    code[0] = 0xf57ff06fu;  /* spin: isb */
    code[1] = 0xe3a00000u;  /* mov r0, #0 */
    code[2] = 0xe3500000u;  /* cmp r0, #0 */
    code[3] = 0x0afffffbu;  /* beq spin */
    code[4] = 0xe12fff1eu;  /* bx lr */
    publish(code, 5 * 4);
    spinning = 1;
    sev();
    left = ((fn0)(uintptr_t)code)(0);
  } else {
    wait_until(&spinning, 1);
    code[1] = 0xe3a00001u;  /* mov r0, #1 */
    publish(&code[1], 4);
  }
  smp_barrier();

  if (me == 0) {
    static const uint32_t want[ROUNDS] = {
      1000 + 0x10, 1001 * 4, 1002 ^ (0x42 << 8), 1003 + 0x83,
      1004 + 0x14, 1005 * 8, 1006 ^ (0x46 << 8), 1007 + 0x87,
    };
    for (unsigned r = 0; r < ROUNDS; r++) {
      printf("round %u: core %u wrote, core %u ran it: %u\n", r, r & 1, runner[r], (unsigned)ran[r]);
      check("the other core's code", ran[r], want[r]);
    }
    printf("patched loop: 7*5=%u, then 7*9=%u\n", (unsigned)ran[ROUNDS], (unsigned)after);
    check("loop before the patch", ran[ROUNDS], 35);
    check("loop after the patch", after, 63);
    printf("core 1 left the loop core 0 patched under it: r0=%u\n", (unsigned)left);
    check("patched under a spinning core", left, 1);
  }
  return smp_finish("smp_code");
}
