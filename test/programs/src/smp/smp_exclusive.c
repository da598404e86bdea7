/*
 * The global exclusive monitor across two cores. One core reserves a word
 * with LDREX, tells the other core, waits (loads only) until the other has
 * done its part, then tries STREX; the other core's action decides the
 * result, whatever the interleaving:
 *
 * 1. the other core stores to the reserved word: STREX fails;
 * 2. the other core stores to a word in another reservation granule: STREX
 *    succeeds;
 * 3. as 1 with the roles of the cores swapped;
 * 4. both cores reserve the same word: the first STREX succeeds, and its
 *    store makes the second one fail;
 * 5. LDREXD/STREXD: the other core stores to the upper word: STREXD fails;
 * 6. the other core executes CLREX (its own monitor only): STREX succeeds;
 * 7. the other core loads the reserved word: STREX succeeds.
 *
 * The other core always stores a value different from the one reserved
 * (a store of the same value is a case QEMU, which compares values, cannot
 * tell apart). Every word lies in its own 64-byte block, so that no two
 * share a reservation granule (32 bytes on the Cortex-A9).
 */

#include "smp.h"

struct word { volatile uint32_t v; uint32_t pad[15]; };
static struct word x __attribute__((aligned(64)));
static struct word y __attribute__((aligned(64)));
static struct word z __attribute__((aligned(64)));
static struct word w __attribute__((aligned(64)));
static volatile uint64_t d[8] __attribute__((aligned(64)));
static struct word turn __attribute__((aligned(64)));

static uint32_t result[8][2];
static uint32_t loaded;

/* The handshake: `turn` only grows; each side waits for the value the other posts. */
static void post(uint32_t n)
{
  dmb();
  turn.v = n;
  sev();
}

static void await(uint32_t n)
{
  wait_until(&turn.v, n);
}

/*
 * LDREX *p, post(post_n), wait for turn >= wait_n with loads only, then
 * STREX value to *p; returns STREX's status (0: stored). One asm block, so
 * the compiler puts no memory access between the exclusives.
 */
static uint32_t reserve_wait_store(volatile uint32_t *p, uint32_t value, uint32_t post_n, uint32_t wait_n)
{
  uint32_t status, old, t;
  __asm__ volatile(
    "	ldrex	%[old], [%[p]]\n"
    "	dmb\n"
    "	str	%[post], [%[turn]]\n"
    "	dsb\n"
    "	sev\n"
    "1:	ldr	%[t], [%[turn]]\n"
    "	cmp	%[t], %[wait]\n"
    "	bhs	2f\n"
    "	wfe\n"
    "	b	1b\n"
    "2:	dmb\n"
    "	strex	%[status], %[value], [%[p]]\n"
    : [status] "=&r"(status), [old] "=&r"(old), [t] "=&r"(t)
    : [p] "r"(p), [value] "r"(value), [post] "r"(post_n), [wait] "r"(wait_n), [turn] "r"(&turn.v)
    : "cc", "memory");
  loaded = old;
  return status;
}

/* The same with LDREXD/STREXD. */
static uint32_t reserve_wait_store64(volatile uint64_t *p, uint64_t value, uint32_t post_n, uint32_t wait_n)
{
  uint32_t status, t;
  uint64_t old;
  __asm__ volatile(
    "	ldrexd	%[old], %H[old], [%[p]]\n"
    "	dmb\n"
    "	str	%[post], [%[turn]]\n"
    "	dsb\n"
    "	sev\n"
    "1:	ldr	%[t], [%[turn]]\n"
    "	cmp	%[t], %[wait]\n"
    "	bhs	2f\n"
    "	wfe\n"
    "	b	1b\n"
    "2:	dmb\n"
    "	strexd	%[status], %[value], %H[value], [%[p]]\n"
    : [status] "=&r"(status), [old] "=&r"(old), [t] "=&r"(t)
    : [p] "r"(p), [value] "r"(value), [post] "r"(post_n), [wait] "r"(wait_n), [turn] "r"(&turn.v)
    : "cc", "memory");
  (void)old;
  return status;
}

int main(void)
{
  if (smp_start("smp_exclusive")) return 1;
  unsigned me = cpu_id();
  if (me == 0) {
    x.v = 5; y.v = 5; z.v = 0; w.v = 1;
    d[0] = 0x1111111122222222ull;
  }
  smp_barrier();

  /* 1: core 1 stores to the word core 0 reserved. */
  if (me == 0) result[1][0] = reserve_wait_store(&x.v, 6, 1, 2);
  else { await(1); x.v = 7; post(2); }
  smp_barrier();
  uint32_t x1 = x.v;

  /* 2: core 1 stores to another granule. */
  if (me == 0) result[2][0] = reserve_wait_store(&y.v, 6, 3, 4);
  else { await(3); z.v = 9; post(4); }
  smp_barrier();
  uint32_t y2 = y.v;

  /* 3: core 0 stores to the word core 1 reserved. */
  if (me == 1) result[3][1] = reserve_wait_store(&x.v, 8, 5, 6);
  else { await(5); x.v = 11; post(6); }
  smp_barrier();
  uint32_t x3 = x.v;

  /* 4: both reserve w; core 0 stores first. */
  if (me == 0) { result[4][0] = reserve_wait_store(&w.v, 100, 7, 8); post(9); }
  else { await(7); result[4][1] = reserve_wait_store(&w.v, 200, 8, 9); }
  smp_barrier();
  uint32_t w4 = w.v;

  /* 5: LDREXD by core 0, a store to the upper word by core 1. */
  if (me == 0) result[5][0] = reserve_wait_store64(&d[0], 0x3333333344444444ull, 10, 11);
  else { await(10); ((volatile uint32_t *)&d[0])[1] = 0x55555555; post(11); }
  smp_barrier();
  uint64_t d5 = d[0];

  /* 6: CLREX on core 1 leaves core 0's reservation alone. */
  if (me == 0) result[6][0] = reserve_wait_store(&x.v, 12, 12, 13);
  else { await(12); __asm__ volatile("clrex" ::: "memory"); post(13); }
  smp_barrier();
  uint32_t x6 = x.v;

  /* 7: a load by core 0 leaves core 1's reservation alone. */
  if (me == 1) result[7][1] = reserve_wait_store(&y.v, 21, 14, 15);
  else { await(14); (void)y.v; post(15); }
  smp_barrier();
  uint32_t y7 = y.v;

  if (me == 0) {
    printf("1. core 1 stores to core 0's reserved word: strex=%u x=%u\n", (unsigned)result[1][0], (unsigned)x1);
    printf("2. core 1 stores to another granule: strex=%u y=%u\n", (unsigned)result[2][0], (unsigned)y2);
    printf("3. core 0 stores to core 1's reserved word: strex=%u x=%u\n", (unsigned)result[3][1], (unsigned)x3);
    printf("4. both reserve, core 0 stores first: strex core 0=%u core 1=%u w=%u\n", (unsigned)result[4][0],
           (unsigned)result[4][1], (unsigned)w4);
    printf("5. ldrexd, core 1 stores the upper word: strexd=%u d=%016llx\n", (unsigned)result[5][0], (unsigned long long)d5);
    printf("6. clrex on core 1: strex=%u x=%u\n", (unsigned)result[6][0], (unsigned)x6);
    printf("7. core 0 loads core 1's reserved word: strex=%u y=%u\n", (unsigned)result[7][1], (unsigned)y7);
    check("1. strex fails", result[1][0], 1);
    check("2. strex succeeds", result[2][0], 0);
    check("3. strex fails", result[3][1], 1);
    check("4. first strex succeeds", result[4][0], 0);
    check("4. second strex fails", result[4][1], 1);
    check("5. strexd fails", result[5][0], 1);
    check("6. strex succeeds", result[6][0], 0);
    check("7. strex succeeds", result[7][1], 0);
    check("handshakes", turn.v, 15);
  }
  (void)loaded;
  return smp_finish("smp_exclusive");
}
