/*
 * Supervisor calls and undefined instructions: SVC immediates decoded by the
 * handler, conditional SVC, SVC from System mode, UDF, SDIV/UDIV (UNDEFINED
 * on the Cortex-A9, emulated by the handler), accesses to absent or disabled
 * coprocessors, and BKPT. The vectors return with MOVS pc, lr.
 */

#include "runtime.h"

static volatile unsigned svc_seen, und_seen;
static volatile uint32_t last_imm, last_spsr;

static void on_svc(struct exc_frame *f)
{
  uint32_t insn = *(volatile uint32_t *)f->pc;
  last_imm = insn & 0x00ffffff;
  last_spsr = f->spsr;
  svc_seen++;
  /* A tiny system call table: the immediate selects the operation on r0-r3. */
  switch (last_imm) {
    case 0: f->r[0] = f->r[0] + f->r[1]; break;
    case 1: f->r[0] = f->r[0] * f->r[1] + f->r[2]; break;
    case 0x123: f->r[0] = ~f->r[0]; f->r[1] = 0x123; break;
    case 0xfffffe: f->r[0] = f->r[3] ^ 0xa5a5a5a5; break;
    default: f->r[0] = 0xdead0000 | last_imm; break;
  }
  f->pc += 4;
}

static int64_t sdiv32(int32_t n, int32_t d)
{
  if (d == 0) return 0;
  if (n == (int32_t)0x80000000 && d == -1) return n;
  return n / d;
}

static void on_undef(struct exc_frame *f)
{
  uint32_t insn = *(volatile uint32_t *)f->pc;
  und_seen++;
  last_spsr = f->spsr;
  if ((insn & 0x0ff000f0) == 0x07f000f0 && (insn >> 28) == 0xe) {
    printf("  undef: udf #%u\n", (unsigned)(((insn >> 4) & 0xfff0) | (insn & 0xf)));
  } else if ((insn & 0x0fd0f0f0) == 0x0710f010) {
    /* SDIV/UDIV Rd, Rn, Rm: emulate. */
    unsigned rd = (insn >> 16) & 15, rn = insn & 15, rm = (insn >> 8) & 15;
    uint32_t n = f->r[rn], m = f->r[rm];
    int is_unsigned = (insn >> 21) & 1;
    f->r[rd] = is_unsigned ? (m ? n / m : 0) : (uint32_t)sdiv32((int32_t)n, (int32_t)m);
    printf("  undef: %s r%u, r%u, r%u emulated\n", is_unsigned ? "udiv" : "sdiv", rd, rn, rm);
  } else {
    printf("  undef: instruction %08x\n", (unsigned)insn);
  }
  f->pc += 4;
}

static volatile uint32_t pabt_ifsr;
static void on_pabt(struct exc_frame *f)
{
  pabt_ifsr = read_ifsr();
  printf("  prefetch abort: instruction %08x ifsr.status=%02x\n", (unsigned)*(volatile uint32_t *)f->pc,
         fsr_status(pabt_ifsr));
  f->pc += 4;
}

static void svcs(void)
{
  register uint32_t r0 __asm__("r0"), r1 __asm__("r1"), r2 __asm__("r2"), r3 __asm__("r3");

  r0 = 40; r1 = 2;
  __asm__ volatile("svc #0" : "+r"(r0), "+r"(r1) :: "lr", "memory");
  printf("svc #0: r0=%u imm=%x spsr.mode=%02x\n", (unsigned)r0, (unsigned)last_imm, (unsigned)(last_spsr & 0x1f));

  r0 = 6; r1 = 7; r2 = 100;
  __asm__ volatile("svc #1" : "+r"(r0), "+r"(r1), "+r"(r2) :: "lr", "memory");
  printf("svc #1: r0=%u\n", (unsigned)r0);

  r0 = 0x0f0f0f0f; r1 = 0;
  __asm__ volatile("svc #0x123" : "+r"(r0), "+r"(r1) :: "lr", "memory");
  printf("svc #0x123: r0=%08x r1=%x\n", (unsigned)r0, (unsigned)r1);

  r0 = 0; r3 = 0xffffffff;
  __asm__ volatile("svc #0xfffffe" : "+r"(r0), "+r"(r3) :: "lr", "memory");
  printf("svc #0xfffffe: r0=%08x\n", (unsigned)r0);

  r0 = 0;
  __asm__ volatile("svc #0x7777" : "+r"(r0) :: "lr", "memory");
  printf("svc #0x7777: r0=%08x\n", (unsigned)r0);

  /* Conditional SVC: only the one whose condition passes is taken. */
  unsigned before = svc_seen;
  r0 = 1; r1 = 1;
  __asm__ volatile("cmp r0, #1\n\tsvcne #0\n\tsvceq #0" : "+r"(r0), "+r"(r1) :: "lr", "memory", "cc");
  printf("conditional svc: taken %u, r0=%u\n", svc_seen - before, (unsigned)r0);

  /* From System mode: SPSR_svc records mode 0x1f; the return lands back in System mode. */
  uint32_t mode_after;
  r0 = 1000; r1 = 24;
  __asm__ volatile("cps #0x1f\n\tsvc #0\n\tmrs %2, cpsr\n\tcps #0x13" : "+r"(r0), "+r"(r1), "=r"(mode_after) :: "lr", "memory");
  printf("svc from sys: r0=%u spsr.mode=%02x back in mode %02x\n", (unsigned)r0, (unsigned)(last_spsr & 0x1f),
         (unsigned)(mode_after & 0x1f));

  /* Flags survive the round trip through the handler (restored from SPSR). */
  uint32_t flags;
  __asm__ volatile("msr cpsr_f, #0x90000000\n\tsvc #0\n\tmrs %0, cpsr" : "=r"(flags) :: "r0", "r1", "lr", "memory", "cc");
  printf("flags across svc: %08x\n", (unsigned)(flags & 0xf8000000));
}

static void undefs(void)
{
  unsigned before = und_seen;
  __asm__ volatile("udf #0x1234" ::: "memory");
  __asm__ volatile("udf #0" ::: "memory");
  __asm__ volatile("udf #65535" ::: "memory");

  register uint32_t r0 __asm__("r0") = (uint32_t)-100, r1 __asm__("r1") = 7, r2 __asm__("r2") = 0;
  /* sdiv r2, r0, r1 */
  __asm__ volatile(".word 0xe712f110" : "+r"(r2) : "r"(r0), "r"(r1) : "memory");
  printf("sdiv -100 / 7 = %d\n", (int)r2);
  /* udiv r2, r0, r1 */
  r0 = (uint32_t)-100; r1 = 7;
  __asm__ volatile(".word 0xe732f110" : "+r"(r2) : "r"(r0), "r"(r1) : "memory");
  printf("udiv %u / 7 = %u\n", (unsigned)r0, (unsigned)r2);

  /* An absent coprocessor, and VFP while CPACR leaves it disabled. */
  uint32_t v = 0x5555;
  __asm__ volatile("mrc p7, 0, %0, c0, c0, 0" : "+r"(v) :: "memory");
  printf("mrc p7: destination %08x\n", (unsigned)v);
  __asm__ volatile(".word 0xee000a10" ::: "memory"); /* vmov s0, r0 */
  __asm__ volatile(".word 0xeef10a10" : : : "r0", "memory"); /* vmrs r0, fpscr */
  /* Unallocated in the media instruction space. */
  __asm__ volatile(".word 0xe7fabcfd" ::: "memory");
  __asm__ volatile(".word 0xe6000010" ::: "memory");
  printf("undefined taken: %u, last spsr.mode=%02x\n", und_seen - before, (unsigned)(last_spsr & 0x1f));

  /* BKPT: a debug event, reported as a prefetch abort. */
  set_handler(EXC_PABT, on_pabt);
  __asm__ volatile("bkpt #0x42" ::: "memory");
  set_handler(EXC_PABT, 0);
}

int main(void)
{
  set_handler(EXC_SVC, on_svc);
  set_handler(EXC_UNDEF, on_undef);
  svcs();
  undefs();
  printf("svc taken %u, undefined taken %u\n", svc_seen, und_seen);
  return finish("svc_undef");
}
