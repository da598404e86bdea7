/*
 * Both cores update shared counters at once; only the totals are printed,
 * which are the same however the cores interleave, if and only if the
 * atomics and locks work:
 *
 * - a counter incremented with LDREX/STREX (hand-written loop) and one with
 *   GCC's __atomic_fetch_add (DMB; LDREX/STREX; DMB);
 * - a 64-bit counter added to with LDREXD/STREXD, the carry crossing words;
 * - a ticket spinlock whose waiters sleep in WFE and whose unlock wakes them
 *   with SEV, protecting plain (non-atomic) read-modify-writes of a
 *   two-word counter;
 * - a lock-free stack: each core pushes its nodes with compare-and-swap
 *   (__atomic_compare_exchange_n), then core 0 counts and sums the stack;
 * - an exchange (__atomic_exchange_n) used as a test-and-set flag: each
 *   core takes it as often as it can in a fixed number of tries; the number
 *   of hand-overs is not printed, only that no two cores ever held it.
 */

#include "smp.h"

#define ROUNDS 4000
#define NODES 256

static volatile uint32_t ldrex_counter __attribute__((aligned(32)));
static volatile uint32_t builtin_counter __attribute__((aligned(32)));
static volatile uint64_t wide_counter __attribute__((aligned(32)));

/* Ticket lock: next ticket and owner in one word each, each in its own granule. */
static volatile uint32_t ticket_next __attribute__((aligned(32)));
static volatile uint32_t ticket_owner __attribute__((aligned(32)));
static volatile uint32_t locked_lo __attribute__((aligned(32)));
static volatile uint32_t locked_hi;
static volatile uint32_t in_lock;
static volatile uint32_t lock_overlaps;

struct node { struct node *next; uint32_t value; };
static struct node nodes[NCORES][NODES];
static struct node *volatile stack_top __attribute__((aligned(32)));

static volatile uint32_t flag __attribute__((aligned(32)));
static volatile uint32_t flag_holders;
static volatile uint32_t flag_overlaps;
static volatile uint32_t flag_taken[NCORES];

static uint64_t atomic_add64(volatile uint64_t *p, uint64_t v)
{
  uint64_t result;
  uint32_t failed;
  __asm__ volatile(
    "1:	ldrexd	%0, %H0, [%2]\n"
    "	adds	%Q0, %Q0, %Q3\n"
    "	adc	%R0, %R0, %R3\n"
    "	strexd	%1, %0, %H0, [%2]\n"
    "	cmp	%1, #0\n"
    "	bne	1b\n"
    : "=&r"(result), "=&r"(failed) : "r"(p), "r"(v) : "cc", "memory");
  return result;
}

static void ticket_lock(void)
{
  uint32_t mine = atomic_add(&ticket_next, 1) - 1;
  while (ticket_owner != mine) wfe();
  dmb();
}

static void ticket_unlock(void)
{
  dmb();
  ticket_owner = ticket_owner + 1;
  sev();
}

static void push(struct node *n)
{
  struct node *top = stack_top;
  do {
    n->next = top;
  } while (!__atomic_compare_exchange_n(&stack_top, &top, n, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

int main(void)
{
  if (smp_start("smp_atomics")) return 1;
  unsigned me = cpu_id();
  smp_barrier();

  for (unsigned i = 0; i < ROUNDS; i++) {
    atomic_add(&ldrex_counter, 1);
    __atomic_fetch_add(&builtin_counter, me + 1, __ATOMIC_SEQ_CST);
    atomic_add64(&wide_counter, 0x00000001ffffffffull);
  }
  smp_barrier();

  for (unsigned i = 0; i < ROUNDS / 4; i++) {
    ticket_lock();
    if (in_lock) lock_overlaps++;
    in_lock = 1;
    /* A plain two-word increment: correct only under the lock. */
    uint32_t lo = locked_lo + 1;
    locked_hi = locked_hi + (lo == 0);
    locked_lo = lo;
    if (lo % 7 == 0) locked_lo = locked_lo + 0xffff;
    in_lock = 0;
    ticket_unlock();
  }
  smp_barrier();

  for (unsigned i = 0; i < NODES; i++) {
    nodes[me][i].value = me * 1000 + i;
    push(&nodes[me][i]);
  }
  smp_barrier();

  for (unsigned i = 0; i < ROUNDS / 4; i++) {
    if (__atomic_exchange_n(&flag, 1, __ATOMIC_ACQUIRE) == 0) {
      if (__atomic_fetch_add(&flag_holders, 1, __ATOMIC_RELAXED) != 0) flag_overlaps++;
      flag_taken[me]++;
      __atomic_fetch_sub(&flag_holders, 1, __ATOMIC_RELAXED);
      __atomic_store_n(&flag, 0, __ATOMIC_RELEASE);
    }
  }
  smp_barrier();

  if (me == 0) {
    printf("ldrex/strex counter: %u\n", (unsigned)ldrex_counter);
    printf("__atomic_fetch_add counter: %u\n", (unsigned)builtin_counter);
    printf("ldrexd/strexd counter: %016llx\n", (unsigned long long)wide_counter);
    check("ldrex/strex counter", ldrex_counter, NCORES * ROUNDS);
    check("__atomic_fetch_add counter", builtin_counter, 3 * ROUNDS);
    check64("ldrexd/strexd counter", wide_counter, (uint64_t)NCORES * ROUNDS * 0x00000001ffffffffull);

    /* Replays the locked increments to know the total they must reach. */
    uint32_t lo = 0, hi = 0;
    for (unsigned i = 0; i < NCORES * (ROUNDS / 4); i++) {
      lo++;
      hi += lo == 0;
      if (lo % 7 == 0) lo += 0xffff;
    }
    printf("ticket lock counter: %08x %08x, next ticket %u, owner %u\n", (unsigned)locked_hi, (unsigned)locked_lo,
           (unsigned)ticket_next, (unsigned)ticket_owner);
    check("ticket lock counter low", locked_lo, lo);
    check("ticket lock counter high", locked_hi, hi);
    check("ticket lock tickets", ticket_next, NCORES * (ROUNDS / 4));
    check("ticket lock: never two holders", lock_overlaps, 0);

    uint32_t count = 0, sum = 0;
    for (struct node *n = stack_top; n; n = n->next) { count++; sum += n->value; }
    uint32_t want_sum = 0;
    for (unsigned k = 0; k < NCORES; k++) for (unsigned i = 0; i < NODES; i++) want_sum += k * 1000 + i;
    printf("lock-free stack: %u nodes, sum %u\n", (unsigned)count, (unsigned)sum);
    check("lock-free stack nodes", count, NCORES * NODES);
    check("lock-free stack sum", sum, want_sum);

    check("exchange flag: never two holders", flag_overlaps, 0);
    check("exchange flag: released", flag, 0);
    check("exchange flag: taken at least once", flag_taken[0] + flag_taken[1] > 0, 1);
  }
  return smp_finish("smp_atomics");
}
