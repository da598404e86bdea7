/*
 * Loads and stores: sizes, signed loads, addressing modes with writeback,
 * doubleword transfers, LDM/STM in all four directions, user-bank transfers,
 * unaligned accesses with SCTLR.A=0, and alignment faults (SCTLR.A=1 and the
 * always-aligned instructions) caught by the data abort handler.
 */

#include "runtime.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t buf[128] __attribute__((aligned(8)));

static void fill(void)
{
  for (unsigned i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(0x80 + i * 7);
}

static void dump(const char *what, unsigned from, unsigned n)
{
  printf("%s:", what);
  for (unsigned i = 0; i < n; i++) printf(" %02x", buf[from + i]);
  printf("\n");
}

#define OFF(p) ((int)((uint8_t *)(p) - buf))

static void sizes(void)
{
  fill();
  uint8_t *p = buf + 16;
  uint32_t a, b, c, d, e, f;
  __asm__ volatile(
    "ldrb %0, [%6]\n\t"
    "ldrsb %1, [%6, #1]\n\t"
    "ldrh %2, [%6, #2]\n\t"
    "ldrsh %3, [%6, #4]\n\t"
    "ldr %4, [%6, #8]\n\t"
    "ldrsb %5, [%6, #-9]"
    : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f) : "r"(p) : "memory");
  printf("ldrb %08x ldrsb %08x ldrh %08x ldrsh %08x ldr %08x ldrsb- %08x\n",
         (unsigned)a, (unsigned)b, (unsigned)c, (unsigned)d, (unsigned)e, (unsigned)f);

  uint64_t dw;
  __asm__ volatile("ldrd %0, %H0, [%1, #-8]" : "=&r"(dw) : "r"(p) : "memory");
  printf("ldrd %08x %08x\n", (unsigned)dw, (unsigned)(dw >> 32));

  __asm__ volatile(
    "strb %0, [%2]\n\t"
    "strh %0, [%2, #2]\n\t"
    "str %1, [%2, #4]\n\t"
    "strb %1, [%2, #-1]"
    :: "r"(0xa1b2c3d4), "r"(0x11223344), "r"(p) : "memory");
  dump("strb/strh/str", 15, 9);

  register uint32_t r4 __asm__("r4") = 0xcafef00d;
  register uint32_t r5 __asm__("r5") = 0x0badc0de;
  __asm__ volatile("strd r4, r5, [%0, #8]" :: "r"(p), "r"(r4), "r"(r5) : "memory");
  dump("strd", 24, 8);
}

static void addressing(void)
{
  fill();
  uint8_t *base = buf + 32;
  uint32_t v, w;
  uint8_t *p;

  p = base;
  __asm__ volatile("ldr %0, [%1, #4]!" : "=r"(v), "+r"(p) :: "memory");
  printf("pre-index writeback: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldr %0, [%1], #-4" : "=r"(v), "+r"(p) :: "memory");
  printf("post-index: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldrh %0, [%1, #-6]!" : "=r"(v), "+r"(p) :: "memory");
  printf("ldrh pre-index: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldrsh %0, [%1], #10" : "=r"(v), "+r"(p) :: "memory");
  printf("ldrsh post-index: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldrsb %0, [%1, %2]!" : "=r"(v), "+r"(p) : "r"(-3) : "memory");
  printf("ldrsb reg pre-index: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldr %0, [%1, %2, lsl #2]" : "=r"(v) : "r"(p), "r"(3) : "memory");
  printf("ldr scaled reg: %08x\n", (unsigned)v);
  p = base;
  __asm__ volatile("ldr %0, [%1, -%2, lsl #3]" : "=r"(v) : "r"(p), "r"(2) : "memory");
  printf("ldr negative scaled reg: %08x\n", (unsigned)v);
  p = base;
  __asm__ volatile("ldr %0, [%1], %2, asr #1" : "=r"(v), "+r"(p) : "r"(-16) : "memory");
  printf("ldr post-index asr: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldrb %0, [%1, %2, ror #28]!" : "=r"(v), "+r"(p) : "r"(0x10000000) : "memory");
  printf("ldrb ror pre-index: %08x base+%d\n", (unsigned)v, OFF(p));
  p = base;
  __asm__ volatile("ldrd %0, %H0, [%1], #-16" : "=r"(*(uint64_t *)&buf[96]), "+r"(p) :: "memory");
  printf("ldrd post-index: %08x %08x base+%d\n", *(unsigned *)&buf[96], *(unsigned *)&buf[100], OFF(p));
  p = base;
  {
    uint32_t off = 8;
    __asm__ volatile("ldrd r2, r3, [%0, -%3]!\n\tmov %1, r2\n\tmov %2, r3" : "+r"(p), "=r"(v), "=r"(w) : "r"(off) : "r2", "r3", "memory");
  }
  printf("ldrd reg pre-index: %08x %08x base+%d\n", (unsigned)v, (unsigned)w, OFF(p));

  p = base;
  __asm__ volatile("str %1, [%0, #-4]!" : "+r"(p) : "r"(0x01020304) : "memory");
  __asm__ volatile("strh %1, [%0], #6" : "+r"(p) : "r"(0xabcd) : "memory");
  __asm__ volatile("strb %1, [%0, %2]!" : "+r"(p) : "r"(0xee), "r"(1) : "memory");
  printf("store writebacks: base+%d\n", OFF(p));
  dump("after stores", 26, 12);

  /* Unprivileged variants at PL1 with the MMU off behave as plain accesses. */
  p = base;
  __asm__ volatile("ldrt %0, [%1], #4" : "=r"(v), "+r"(p) :: "memory");
  printf("ldrt: %08x base+%d\n", (unsigned)v, OFF(p));
  __asm__ volatile("strbt %1, [%0], #-1" : "+r"(p) : "r"(0x5a) : "memory");
  __asm__ volatile("ldrsbt %0, [%1], #1" : "=r"(w), "+r"(p) :: "memory");
  printf("strbt/ldrsbt: %08x base+%d\n", (unsigned)w, OFF(p));
  __asm__ volatile("pld [%0, #64]\n\tpli [%0]" :: "r"(p));
}

static void multiple(void)
{
  fill();
  uint32_t out[8];
  uint8_t *p;

#define LDM4(mode, off) do { \
    p = buf + 48; \
    register uint32_t r4 __asm__("r4"), r5 __asm__("r5"), r6 __asm__("r6"), r7 __asm__("r7"); \
    __asm__ volatile("ldm" mode " %4" off ", {r4-r7}" : "=r"(r4), "=r"(r5), "=r"(r6), "=r"(r7), "+r"(p) :: "memory"); \
    printf("ldm%s%s: %08x %08x %08x %08x base+%d\n", mode, off, (unsigned)r4, (unsigned)r5, (unsigned)r6, \
           (unsigned)r7, OFF(p)); \
  } while (0)
  LDM4("ia", "");
  LDM4("ia", "!");
  LDM4("ib", "!");
  LDM4("da", "!");
  LDM4("db", "!");
  LDM4("db", "");

#define STM3(mode, off) do { \
    fill(); \
    p = buf + 48; \
    register uint32_t r4 __asm__("r4") = 0x44444444, r8 __asm__("r8") = 0x88888888, r9 __asm__("r9") = 0x99999999; \
    __asm__ volatile("stm" mode " %0" off ", {r4, r8, r9}" : "+r"(p) : "r"(r4), "r"(r8), "r"(r9) : "memory"); \
    printf("stm%s%s: base+%d\n", mode, off, OFF(p)); \
    dump("  ", 32, 32); \
  } while (0)
  STM3("ia", "!");
  STM3("ib", "");
  STM3("da", "!");
  STM3("db", "!");

  /* Base register in the list, stored first: the original value is stored. */
  {
    uint32_t *q = (uint32_t *)(buf + 64);
    register uint32_t *r0 __asm__("r0") = q;
    register uint32_t r1 __asm__("r1") = 0x11;
    __asm__ volatile("stmia r0, {r0, r1}" :: "r"(r0), "r"(r1) : "memory");
    printf("stm base in list: %d %08x\n", OFF((uint8_t *)q[0]), (unsigned)q[1]);
  }
  /* Loading the base register from the list (no writeback): the loaded value wins. */
  {
    uint32_t words[2] = { 0x12340000, 0x5678 };
    register uint32_t *r0 __asm__("r0") = words;
    register uint32_t r1 __asm__("r1");
    __asm__ volatile("ldmia r0, {r0, r1}" : "+r"(r0), "=r"(r1) :: "memory");
    printf("ldm base in list: %08x %08x\n", (unsigned)(uintptr_t)r0, (unsigned)r1);
  }

  /* push/pop and a 16-register store. */
  {
    uint32_t sp_before, sp_after, a, b;
    __asm__ volatile(
      "mov %0, sp\n\t"
      "mov r2, #0x22\n\tmov r3, #0x33\n\t"
      "push {r2, r3}\n\t"
      "mov r2, #0\n\tmov r3, #0\n\t"
      "pop {r2, r3}\n\t"
      "mov %2, r2\n\tmov %3, r3\n\t"
      "mov %1, sp"
      : "=&r"(sp_before), "=&r"(sp_after), "=&r"(a), "=&r"(b) :: "r2", "r3", "memory");
    printf("push/pop: %08x %08x sp %s\n", (unsigned)a, (unsigned)b, sp_before == sp_after ? "restored" : "moved");
  }

  /* User-bank transfer from SVC mode: STM/LDM with ^ reach the User-mode SP and LR. */
  {
    uint32_t words[2] = { 0, 0 }, saved[2], restored[2];
    __asm__ volatile("stmia %0, {sp, lr}^" :: "r"(saved) : "memory");
    __asm__ volatile("nop");
    words[0] = 0x600f0000; words[1] = 0x600f0004;
    __asm__ volatile("ldmia %0, {sp, lr}^" :: "r"(words) : "memory");
    __asm__ volatile("nop");
    __asm__ volatile("stmia %0, {sp, lr}^" :: "r"(restored) : "memory");
    __asm__ volatile("nop");
    __asm__ volatile("ldmia %0, {sp, lr}^" :: "r"(saved) : "memory");
    __asm__ volatile("nop");
    printf("user bank via ^: %08x %08x\n", (unsigned)restored[0], (unsigned)restored[1]);
  }

  /* LDR to PC through a table, and LDM that loads the PC. */
  {
    uint32_t r;
    __asm__ volatile(
      "adr r2, 1f\n\t"
      "ldr pc, [r2, #8]\n"
      "1: .word 0, 0, 2f, 0\n"
      "2: mov %0, #77\n\t"
      "adr r2, 3f\n\t"
      "push {r2}\n\t"
      "pop {pc}\n\t"
      "mov %0, #0\n"
      "3: add %0, %0, #1"
      : "=&r"(r) :: "r2", "memory");
    printf("ldr/pop pc: %d\n", (int)r);
  }
  (void)out;
}

static volatile uint32_t abort_dfsr, abort_dfar, abort_pc;
static volatile unsigned aborts;

static void dabt(struct exc_frame *f)
{
  abort_dfsr = read_dfsr();
  abort_dfar = read_dfar();
  abort_pc = f->pc;
  aborts++;
  f->pc += 4;
}

/* base: the base register after the instruction, or NULL if it has no writeback. */
static void report_abort(const char *what, unsigned before, uint8_t *base)
{
  char b[24] = "";
  if (base) snprintf(b, sizeof b, " base=buf+%d", OFF(base));
  if (aborts == before) {
    printf("%s: no abort%s\n", what, b);
    return;
  }
  printf("%s: data abort status=%02x wnr=%d dfar=buf+%d%s\n", what, fsr_status(abort_dfsr),
         (int)((abort_dfsr >> 11) & 1), OFF((uint8_t *)abort_dfar), b);
}

static void unaligned(void)
{
  fill();
  uint32_t v;
  printf("sctlr.a=%d\n", (int)((read_sctlr() >> 1) & 1));
  for (unsigned k = 1; k < 4; k++) {
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(buf + 64 + k) : "memory");
    printf("unaligned ldr +%u: %08x\n", k, (unsigned)v);
    __asm__ volatile("ldrh %0, [%1]" : "=r"(v) : "r"(buf + 64 + k) : "memory");
    printf("unaligned ldrh +%u: %08x\n", k, (unsigned)v);
    __asm__ volatile("ldrsh %0, [%1]" : "=r"(v) : "r"(buf + 64 + 2 * k + 1) : "memory");
    printf("unaligned ldrsh +%u: %08x\n", 2 * k + 1, (unsigned)v);
  }
  __asm__ volatile("str %0, [%1]" :: "r"(0xdeadbeef), "r"(buf + 81) : "memory");
  __asm__ volatile("strh %0, [%1]" :: "r"(0x1234), "r"(buf + 87) : "memory");
  dump("unaligned str/strh", 80, 12);
  uint8_t *p = buf + 65;
  __asm__ volatile("ldr %0, [%1, #2]!" : "=r"(v), "+r"(p) :: "memory");
  printf("unaligned ldr writeback: %08x base+%d\n", (unsigned)v, OFF(p));

  set_handler(EXC_DABT, dabt);
  /* These require alignment whatever SCTLR.A says. */
  unsigned before = aborts;
  p = buf + 66;
  register uint32_t r4 __asm__("r4") = 0, r5 __asm__("r5") = 0;
  __asm__ volatile("ldm %2!, {r4, r5}" : "+r"(r4), "+r"(r5), "+r"(p) :: "memory");
  report_abort("ldm unaligned", before, p);
  before = aborts;
  p = buf + 68;
  __asm__ volatile("ldrd r4, r5, [%2]" : "+r"(r4), "+r"(r5) : "r"(p) : "memory");
  report_abort("ldrd word-aligned", before, 0);
  before = aborts;
  p = buf + 66;
  __asm__ volatile("strd r4, r5, [%0, #4]!" : "+r"(p) : "r"(r4), "r"(r5) : "memory");
  report_abort("strd unaligned", before, p);

  write_sctlr(read_sctlr() | SCTLR_A);
  printf("sctlr.a=%d\n", (int)((read_sctlr() >> 1) & 1));
  before = aborts;
  v = 0x55;
  __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(buf + 70) : "memory");
  report_abort("ldr +70", before, 0);
  printf("  destination %08x\n", (unsigned)v);
  before = aborts;
  p = buf + 72;
  __asm__ volatile("ldrh %0, [%1, #1]!" : "+r"(v), "+r"(p) :: "memory");
  report_abort("ldrh +73 writeback", before, p);
  before = aborts;
  __asm__ volatile("strh %0, [%1]" :: "r"(v), "r"(buf + 75) : "memory");
  report_abort("strh +75", before, 0);
  before = aborts;
  __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(buf + 78) : "memory");
  report_abort("str +78", before, 0);
  before = aborts;
  __asm__ volatile("ldrb %0, [%1]" : "=r"(v) : "r"(buf + 79) : "memory");
  report_abort("ldrb +79", before, 0);
  before = aborts;
  __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(buf + 80) : "memory");
  report_abort("ldr +80", before, 0);
  before = aborts;
  p = buf + 84;
  __asm__ volatile("stmdb %0!, {r4, r5}" : "+r"(p) : "r"(r4), "r"(r5) : "memory");
  report_abort("stmdb aligned", before, p);
  write_sctlr(read_sctlr() & ~SCTLR_A);
  set_handler(EXC_DABT, 0);
  printf("aborts taken: %u, sctlr.a=%d\n", aborts, (int)((read_sctlr() >> 1) & 1));
}

int main(void)
{
  sizes();
  addressing();
  multiple();
  unaligned();
  return finish("loadstore");
}
