/* Exception dispatch, result checks and the string functions the compiler may call. */

#include "runtime.h"

volatile unsigned exc_count[8];
static exc_handler handlers[8];
unsigned failures;

static const char *const names[8] = {
  "reset", "undefined instruction", "supervisor call", "prefetch abort", "data abort", "reserved", "irq", "fiq",
};

const char *exc_name(enum exc_kind kind) { return names[kind & 7]; }

void set_handler(enum exc_kind kind, exc_handler h) { handlers[kind & 7] = h; }

void exc_dispatch(unsigned kind, struct exc_frame *f);
void exc_dispatch(unsigned kind, struct exc_frame *f)
{
  kind &= 7;
  exc_count[kind]++;
  if (handlers[kind]) { handlers[kind](f); return; }
  flush_sh();
  printf("unexpected %s at pc=%08x spsr=%08x\n", names[kind], (unsigned)f->pc, (unsigned)f->spsr);
  if (kind == EXC_DABT) printf("  dfsr=%08x dfar=%08x\n", (unsigned)read_dfsr(), (unsigned)read_dfar());
  if (kind == EXC_PABT) printf("  ifsr=%08x ifar=%08x\n", (unsigned)read_ifsr(), (unsigned)read_ifar());
  printf("FAIL\n");
  exit(1);
}

void check(const char *name, uint32_t got, uint32_t want)
{
  if (got == want) {
    printf("check %s: ok\n", name);
  } else {
    failures++;
    printf("check %s: FAILED got %08x want %08x\n", name, (unsigned)got, (unsigned)want);
  }
}

void check64(const char *name, uint64_t got, uint64_t want)
{
  if (got == want) {
    printf("check %s: ok\n", name);
  } else {
    failures++;
    printf("check %s: FAILED got %016llx want %016llx\n", name, (unsigned long long)got, (unsigned long long)want);
  }
}

int finish(const char *program)
{
  if (failures) printf("%s: FAIL (%u failed)\n", program, failures);
  else printf("%s: PASS\n", program);
  return failures ? 1 : 0;
}

void *memset(void *d, int c, unsigned n)
{
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned n)
{
  unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}

void *memmove(void *d, const void *s, unsigned n)
{
  unsigned char *p = d;
  const unsigned char *q = s;
  if (p < q) while (n--) *p++ = *q++;
  else { p += n; q += n; while (n--) *--p = *--q; }
  return d;
}

int memcmp(const void *a, const void *b, unsigned n)
{
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
  return 0;
}

unsigned strlen(const char *s)
{
  unsigned n = 0;
  while (s[n]) n++;
  return n;
}
