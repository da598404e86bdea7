/*
 * Load/store exclusive: success and failure of STREX (after CLREX, without a
 * preceding LDREX), byte/halfword/doubleword forms, an atomic counter and a
 * compare-and-swap built from them, and the alignment fault an unaligned
 * exclusive load always takes. (An unaligned STREX is left out: QEMU checks
 * the monitor before alignment and fails it without an abort.)
 */

#include "runtime.h"

static volatile uint32_t word __attribute__((aligned(8))) = 0x11111111;
static volatile uint64_t dword __attribute__((aligned(8))) = 0x2222222233333333ull;
static volatile uint8_t bytes[8] __attribute__((aligned(8))) = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void basic(void)
{
  uint32_t old, status;
  __asm__ volatile("ldrex %0, [%2]\n\tstrex %1, %3, [%2]" : "=&r"(old), "=&r"(status) : "r"(&word), "r"(0xaaaa5555) : "memory");
  printf("ldrex/strex: old %08x status %u now %08x\n", (unsigned)old, (unsigned)status, (unsigned)word);

  __asm__ volatile("ldrex %0, [%2]\n\tclrex\n\tstrex %1, %3, [%2]" : "=&r"(old), "=&r"(status) : "r"(&word), "r"(0x12345678) : "memory");
  printf("after clrex: old %08x status %u now %08x\n", (unsigned)old, (unsigned)status, (unsigned)word);

  __asm__ volatile("clrex\n\tstrex %0, %2, [%1]" : "=&r"(status) : "r"(&word), "r"(0x87654321) : "memory");
  printf("strex without ldrex: status %u now %08x\n", (unsigned)status, (unsigned)word);

  /* A successful STREX clears the monitor: a second one fails. */
  uint32_t s2;
  __asm__ volatile("ldrex %0, [%3]\n\tstrex %1, %4, [%3]\n\tstrex %2, %5, [%3]"
                   : "=&r"(old), "=&r"(status), "=&r"(s2) : "r"(&word), "r"(0x01010101), "r"(0x02020202) : "memory");
  printf("strex twice: status %u then %u now %08x\n", (unsigned)status, (unsigned)s2, (unsigned)word);

  /* The newest LDREX is the one that counts. */
  uint32_t o2;
  __asm__ volatile("ldrex %0, [%3]\n\tldrex %1, [%4]\n\tstrex %2, %5, [%4]"
                   : "=&r"(old), "=&r"(o2), "=&r"(status) : "r"(&word), "r"(&bytes[4]), "r"(0xf0f0f0f0) : "memory");
  printf("ldrex twice: status %u word %08x bytes+4 %02x %02x %02x %02x\n", (unsigned)status, (unsigned)word,
         bytes[4], bytes[5], bytes[6], bytes[7]);
  (void)o2;

  __asm__ volatile("ldrexb %0, [%2]\n\tstrexb %1, %3, [%2]" : "=&r"(old), "=&r"(status) : "r"(&bytes[1]), "r"(0x1ff) : "memory");
  printf("ldrexb/strexb: old %08x status %u bytes %02x %02x %02x\n", (unsigned)old, (unsigned)status, bytes[0], bytes[1], bytes[2]);

  __asm__ volatile("ldrexh %0, [%2]\n\tstrexh %1, %3, [%2]" : "=&r"(old), "=&r"(status) : "r"(&bytes[2]), "r"(0xabcdef) : "memory");
  printf("ldrexh/strexh: old %08x status %u bytes %02x %02x %02x %02x\n", (unsigned)old, (unsigned)status,
         bytes[1], bytes[2], bytes[3], bytes[4]);

  __asm__ volatile("ldrexh %0, [%2]\n\tclrex\n\tstrexh %1, %3, [%2]" : "=&r"(old), "=&r"(status) : "r"(&bytes[2]), "r"(0) : "memory");
  printf("strexh after clrex: status %u bytes %02x %02x\n", (unsigned)status, bytes[2], bytes[3]);

  uint64_t d;
  __asm__ volatile("ldrexd %0, %H0, [%2]\n\tstrexd %1, %3, %H3, [%2]"
                   : "=&r"(d), "=&r"(status) : "r"(&dword), "r"(0x0123456789abcdefull) : "memory");
  printf("ldrexd/strexd: old %016llx status %u now %016llx\n", (unsigned long long)d, (unsigned)status,
         (unsigned long long)dword);
  __asm__ volatile("ldrexd %0, %H0, [%2]\n\tclrex\n\tstrexd %1, %3, %H3, [%2]"
                   : "=&r"(d), "=&r"(status) : "r"(&dword), "r"(0ull) : "memory");
  printf("strexd after clrex: status %u now %016llx\n", (unsigned)status, (unsigned long long)dword);
}

static uint32_t atomic_add(volatile uint32_t *p, uint32_t v, unsigned *retries)
{
  uint32_t old, status, tmp;
  for (;;) {
    __asm__ volatile("ldrex %0, [%3]\n\tadd %2, %0, %4\n\tstrex %1, %2, [%3]"
                     : "=&r"(old), "=&r"(status), "=&r"(tmp) : "r"(p), "r"(v) : "memory");
    if (status == 0) break;
    (*retries)++;
  }
  __asm__ volatile("dmb" ::: "memory");
  return old;
}

static int cas(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
  uint32_t old, status;
  do {
    __asm__ volatile("ldrex %0, [%1]" : "=&r"(old) : "r"(p) : "memory");
    if (old != expect) { __asm__ volatile("clrex"); return 0; }
    __asm__ volatile("strex %0, %2, [%1]" : "=&r"(status) : "r"(p), "r"(desired) : "memory");
  } while (status);
  return 1;
}

static void counter(void)
{
  static volatile uint32_t count;
  unsigned retries = 0;
  uint32_t sum = 0;
  for (unsigned i = 0; i < 1000; i++) sum += atomic_add(&count, i & 7, &retries);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  printf("atomic counter: %u sum of olds %u retries %u\n", (unsigned)count, (unsigned)sum, retries);
  int a = cas(&count, 3499, 1), b = cas(&count, 3500, 7);
  printf("cas: %d %d now %u\n", a, b, (unsigned)count);
}

static volatile uint32_t abort_dfsr, abort_dfar;
static volatile unsigned aborts;

static void dabt(struct exc_frame *f)
{
  abort_dfsr = read_dfsr();
  abort_dfar = read_dfar();
  aborts++;
  f->pc += 4;
}

static void alignment(void)
{
  static volatile uint8_t area[16] __attribute__((aligned(8)));
  set_handler(EXC_DABT, dabt);
  uint32_t v = 0x77;
  static const struct { const char *name; unsigned off; } cases[] = {
    { "ldrex +2", 2 }, { "ldrexh +1", 1 }, { "ldrexd +4", 4 }
  };
  for (unsigned i = 0; i < 3; i++) {
    unsigned before = aborts;
    volatile uint8_t *p = area + cases[i].off;
    switch (i) {
      case 0: __asm__ volatile("ldrex %0, [%1]" : "+r"(v) : "r"(p) : "memory"); break;
      case 1: __asm__ volatile("ldrexh %0, [%1]" : "+r"(v) : "r"(p) : "memory"); break;
      case 2: { uint64_t d = 0; __asm__ volatile("ldrexd %0, %H0, [%1]" : "+r"(d) : "r"(p) : "memory"); break; }
    }
    if (aborts == before) printf("%s: no abort\n", cases[i].name);
    else printf("%s: data abort status=%02x wnr=%d dfar=area+%d\n", cases[i].name, fsr_status(abort_dfsr),
                (int)((abort_dfsr >> 11) & 1), (int)(abort_dfar - (uint32_t)area));
  }
  printf("destination unchanged: %08x\n", (unsigned)v);
  set_handler(EXC_DABT, 0);
}

int main(void)
{
  basic();
  counter();
  alignment();
  return finish("exclusives");
}
