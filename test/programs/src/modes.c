/*
 * Processor modes: switching with CPS and MSR, banked SP/LR in every mode,
 * the FIQ bank of r8-r12, SPSR writes and reads, SRS/RFE, a trip to User
 * mode and back through SVC, and what MSR/CPS may not change.
 */

#include "runtime.h"

static const char *mode_name(uint32_t m)
{
  switch (m & 0x1f) {
    case MODE_USR: return "usr"; case MODE_FIQ: return "fiq"; case MODE_IRQ: return "irq";
    case MODE_SVC: return "svc"; case MODE_ABT: return "abt"; case MODE_UND: return "und";
    case MODE_SYS: return "sys"; default: return "???";
  }
}

/*
 * bank_probe(out): in each of FIQ, IRQ, ABT, UND, SYS writes a marker into
 * SP and LR (and r8-r12 in FIQ), then visits them again to read the markers
 * back, restoring each mode's original SP/LR. out gets per mode
 * {cpsr, sp, lr} and then the FIQ r8-r12 and the SVC r8-r12 seen afterwards.
 */
void bank_probe(uint32_t *out);
__asm__(
  "	.text\n"
  "	.type bank_probe, %function\n"
  "bank_probe:\n"
  "	push	{r4-r11, lr}\n"
  "	mov	r8, #0x08\n	mov	r9, #0x09\n	mov	r10, #0x0a\n	mov	r11, #0x0b\n	mov	r12, #0x0c\n"
  "	ldr	r1, =saved_banks\n"
  /* Pass 1: remember the originals and write markers. */
  "	cps	#0x11\n	stmia r1!, {sp, lr}\n	ldr sp, =0xf1000000\n	ldr lr, =0xf1000004\n"
  "	mov	r8, #0x88\n	mov	r9, #0x99\n	mov	r10, #0xaa\n	mov	r11, #0xbb\n	mov	r12, #0xcc\n"
  "	cps	#0x12\n	stmia r1!, {sp, lr}\n	ldr sp, =0xf2000000\n	ldr lr, =0xf2000004\n"
  "	cps	#0x17\n	stmia r1!, {sp, lr}\n	ldr sp, =0xf7000000\n	ldr lr, =0xf7000004\n"
  "	cps	#0x1b\n	stmia r1!, {sp, lr}\n	ldr sp, =0xfb000000\n	ldr lr, =0xfb000004\n"
  "	cps	#0x1f\n	stmia r1!, {sp, lr}\n	ldr sp, =0xff000000\n	ldr lr, =0xff000004\n"
  "	cps	#0x13\n"
  /* Pass 2: read the markers back and restore. */
  "	ldr	r1, =saved_banks\n"
  "	cps	#0x11\n	mrs r2, cpsr\n	stmia r0!, {r2, sp, lr}\n	ldmia r1!, {sp, lr}\n"
  "	stmia	r0!, {r8-r12}\n"
  "	cps	#0x12\n	mrs r2, cpsr\n	stmia r0!, {r2, sp, lr}\n	ldmia r1!, {sp, lr}\n"
  "	cps	#0x17\n	mrs r2, cpsr\n	stmia r0!, {r2, sp, lr}\n	ldmia r1!, {sp, lr}\n"
  "	cps	#0x1b\n	mrs r2, cpsr\n	stmia r0!, {r2, sp, lr}\n	ldmia r1!, {sp, lr}\n"
  "	cps	#0x1f\n	mrs r2, cpsr\n	stmia r0!, {r2, sp, lr}\n	ldmia r1!, {sp, lr}\n"
  "	cps	#0x13\n"
  "	stmia	r0!, {r8-r12}\n"
  "	pop	{r4-r11, pc}\n"
  "	.ltorg\n"
  "	.size bank_probe, . - bank_probe\n"
);
uint32_t saved_banks[10];

static void banks(void)
{
  uint32_t out[25];
  uint32_t sp_before, sp_after;
  __asm__ volatile("mov %0, sp" : "=r"(sp_before));
  bank_probe(out);
  __asm__ volatile("mov %0, sp" : "=r"(sp_after));
  static const int order[5] = { 0, 1, 2, 3, 4 };
  for (int k = 0; k < 5; k++) {
    const uint32_t *e = out + (order[k] == 0 ? 0 : 3 * order[k] + 5);
    printf("%s: cpsr=%08x sp=%08x lr=%08x\n", mode_name(e[0]), (unsigned)e[0], (unsigned)e[1], (unsigned)e[2]);
    if (k == 0) printf("fiq r8-r12: %x %x %x %x %x\n", (unsigned)out[3], (unsigned)out[4], (unsigned)out[5],
                       (unsigned)out[6], (unsigned)out[7]);
  }
  printf("svc r8-r12 after: %x %x %x %x %x\n", (unsigned)out[20], (unsigned)out[21], (unsigned)out[22],
         (unsigned)out[23], (unsigned)out[24]);
  printf("svc sp %s\n", sp_before == sp_after ? "preserved" : "CHANGED");
}

static void msr_tests(void)
{
  uint32_t saved = read_cpsr(), v;
  printf("cpsr at start: %08x (%s)\n", (unsigned)(saved & ~0xf8000000u), mode_name(saved));

  __asm__ volatile("msr cpsr_c, #0xdf\n\tmrs %0, cpsr\n\tmsr cpsr_c, #0xd3" : "=r"(v) :: "memory");
  printf("msr cpsr_c to sys: %08x\n", (unsigned)(v & 0xffff));
  __asm__ volatile("msr cpsr_f, #0xa0000000\n\tmrs %0, cpsr" : "=r"(v) :: "cc");
  printf("msr cpsr_f: %08x\n", (unsigned)v);
  __asm__ volatile("msr cpsr_f, %1\n\tmrs %0, cpsr" : "=r"(v) : "r"(0x580f0000) : "cc");
  printf("msr cpsr_f reg (ge not in field): %08x\n", (unsigned)v);
  __asm__ volatile("msr cpsr_s, %1\n\tmrs %0, cpsr" : "=r"(v) : "r"(0x000a0000) : "cc");
  printf("msr cpsr_s (ge): %08x\n", (unsigned)v);
  __asm__ volatile("msr apsr_nzcvq, #0\n\tmsr apsr_g, #0\n\tmrs %0, cpsr" : "=r"(v) :: "cc");
  printf("flags cleared: %08x\n", (unsigned)v);
  /* The T bit is not written by MSR. */
  __asm__ volatile("msr cpsr_c, #0xf3\n\tmrs %0, cpsr" : "=r"(v) :: "cc");
  printf("msr with T set: %08x\n", (unsigned)v);
  __asm__ volatile("cpsie a\n\tmrs %0, cpsr" : "=r"(v));
  printf("cpsie a: %08x\n", (unsigned)v);
  __asm__ volatile("cpsid a\n\tmrs %0, cpsr" : "=r"(v));
  printf("cpsid a: %08x\n", (unsigned)v);
  __asm__ volatile("cpsid a, #0x1b\n\tmrs %0, cpsr\n\tcps #0x13" : "=r"(v));
  printf("cpsid a, #und: %08x\n", (unsigned)v);
}

static void spsr_tests(void)
{
  static const uint32_t modes[] = { MODE_FIQ, MODE_IRQ, MODE_ABT, MODE_UND, MODE_SVC };
  static const uint32_t values[] = { 0xf80f01d0, 0x00000010, 0x500a0293, 0x200001ff, 0x90050117 };
  for (unsigned i = 0; i < 5; i++) {
    for (unsigned j = 0; j < 5; j++) {
      /* Fixed low registers: r8-r12 and lr are banked in some of these modes. */
      register uint32_t mode __asm__("r0") = modes[i], value __asm__("r1") = values[j];
      register uint32_t got __asm__("r4"), cpsr __asm__("r5");
      __asm__ volatile(
        "mrs	r2, cpsr\n\t"
        "bic	r3, r2, #0x1f\n\t"
        "orr	r3, r3, %2\n\t"
        "msr	cpsr_c, r3\n\t"
        "mrs	r3, spsr\n\t"
        "msr	spsr_fsxc, %3\n\t"
        "mrs	%0, spsr\n\t"
        "msr	spsr_fsxc, r3\n\t"
        "mrs	%1, cpsr\n\t"
        "msr	cpsr_c, r2"
        : "=&r"(got), "=&r"(cpsr) : "r"(mode), "r"(value) : "r2", "r3", "memory");
      printf("spsr_%s <- %08x: %08x (cpsr %03x)\n", mode_name(cpsr), (unsigned)values[j], (unsigned)got,
             (unsigned)(cpsr & 0x1ff));
    }
  }
  uint32_t v;
  __asm__ volatile("mrs r3, spsr\n\tmsr spsr_f, #0x30000000\n\tmsr spsr_c, #0xd7\n\tmrs %0, spsr\n\tmsr spsr_cxsf, r3"
                   : "=r"(v) :: "r3");
  printf("spsr_f/spsr_c fields: %08x\n", (unsigned)(v & 0xf00001ff));
}

static void srs_rfe(void)
{
  uint32_t flags, mode, stack[2], und_sp_before, und_sp_after, r;
  /* SRS onto SVC's own stack, RFE back: returns to the label with CPSR from the stored SPSR. */
  __asm__ volatile(
    "mrs	r3, spsr\n\t"
    "push	{r3, lr}\n\t"
    "mrs	r2, cpsr\n\t"
    "bic	r2, r2, #0xf0000000\n\t"
    "orr	r2, r2, #0x60000000\n\t"
    "msr	spsr_fsxc, r2\n\t"
    "adr	lr, 1f\n\t"
    "srsdb	sp!, #0x13\n\t"
    "mov	%0, #0\n\t"
    "rfeia	sp!\n\t"
    "mov	%0, #1\n"
    "1:	mrs	%1, cpsr\n\t"
    "pop	{r3, lr}\n\t"
    "msr	spsr_fsxc, r3"
    : "=&r"(r), "=&r"(flags) :: "r2", "r3", "lr", "memory", "cc");
  printf("srsdb/rfeia: skipped=%d cpsr=%08x\n", (int)(r == 0), (unsigned)flags);

  /* SRS to the Undefined-mode stack without writeback; RFEDA from memory into System mode. */
  __asm__ volatile("cps #0x1b\n\tmov %0, sp\n\tcps #0x13" : "=r"(und_sp_before));
  __asm__ volatile(
    "mrs	r3, spsr\n\t"
    "push	{r3, lr}\n\t"
    "ldr	r2, =0x800001d3\n\t"
    "msr	spsr_fsxc, r2\n\t"
    "ldr	lr, =0x12345678\n\t"
    "srsdb	#0x1b\n\t"
    "pop	{r3, lr}\n\t"
    "msr	spsr_fsxc, r3"
    ::: "r2", "r3", "lr", "memory");
  __asm__ volatile("cps #0x1b\n\tmov %0, sp\n\tldr %1, [sp, #-8]\n\tldr %2, [sp, #-4]\n\tcps #0x13"
                   : "=&r"(und_sp_after), "=&r"(stack[0]), "=&r"(stack[1]));
  printf("srsdb #und: stored lr=%08x spsr=%08x, und sp %s\n", (unsigned)stack[0], (unsigned)stack[1],
         und_sp_before == und_sp_after ? "unchanged" : "CHANGED");

  /* RFEDA Rn loads the PC from [Rn-4] and the CPSR from [Rn]. */
  uint32_t frame[2];
  frame[1] = 0x900001df;
  __asm__ volatile(
    "adr	r2, 1f\n\t"
    "str	r2, [%1]\n\t"
    "rfeda	%2\n\t"
    "nop\n"
    "1:	mrs	%0, cpsr\n\t"
    "cps	#0x13"
    : "=&r"(mode) : "r"(frame), "r"(frame + 1) : "r2", "lr", "memory", "cc");
  printf("rfeda into sys: cpsr=%08x\n", (unsigned)mode);
}

/* Set by the code that runs in User mode (only the APSR bits of an MRS there are defined). */
static volatile uint32_t user_cpsr[4];
static volatile uint32_t user_svc_imm, user_spsr;

static void svc_back(struct exc_frame *f)
{
  uint32_t insn = *(volatile uint32_t *)f->pc;
  user_svc_imm = insn & 0xffffff;
  user_spsr = f->spsr;
  f->pc += 4;
  /* Return to the caller in SVC mode instead of User mode. */
  f->spsr = (f->spsr & ~0x1fu) | MODE_SVC;
}

static void user_mode(void)
{
  set_handler(EXC_SVC, svc_back);
  uint32_t lr_svc_before, lr_svc_after;
  __asm__ volatile(
    "mov	%0, lr\n\t"
    "mrs	r2, spsr\n\t"
    "push	{r2}\n\t"
    "mrs	r2, cpsr\n\t"
    "bic	r2, r2, #0x1f\n\t"
    "orr	r2, r2, #0x10\n\t"
    "msr	spsr_cxsf, r2\n\t"
    "adr	lr, 1f\n\t"
    "movs	pc, lr\n"
    "1:	mrs	r2, cpsr\n\t"
    "str	r2, [%2]\n\t"
    "cps	#0x13\n\t"
    "mrs	r2, cpsr\n\t"
    "str	r2, [%2, #4]\n\t"
    "mov	r2, #0x93\n\t"
    "orr	r2, r2, #0x80000000\n\t"
    "msr	cpsr_fsxc, r2\n\t"
    "mrs	r2, cpsr\n\t"
    "str	r2, [%2, #8]\n\t"
    "cpsie	i\n\t"
    "mrs	r2, cpsr\n\t"
    "str	r2, [%2, #12]\n\t"
    "svc	#0x42\n\t"
    "pop	{r2}\n\t"
    "msr	spsr_cxsf, r2\n\t"
    "mov	%1, lr"
    : "=&r"(lr_svc_before), "=&r"(lr_svc_after) : "r"(user_cpsr) : "r2", "lr", "memory", "cc");
  printf("user mode apsr: %08x after cps=%08x after msr=%08x after cpsie=%08x\n",
         (unsigned)(user_cpsr[0] & 0xf80f0000), (unsigned)(user_cpsr[1] & 0xf80f0000),
         (unsigned)(user_cpsr[2] & 0xf80f0000), (unsigned)(user_cpsr[3] & 0xf80f0000));
  printf("svc #0x%x taken from %s, spsr=%08x; now in %s\n", (unsigned)user_svc_imm, mode_name(user_spsr),
         (unsigned)user_spsr, mode_name(read_cpsr()));
  (void)lr_svc_before; (void)lr_svc_after;
  set_handler(EXC_SVC, 0);
}

static void endianness(void)
{
  static volatile uint32_t w = 0x11223344;
  uint32_t be, le, cpsr;
  __asm__ volatile("setend be\n\tldr %0, [%3]\n\tmrs %2, cpsr\n\tsetend le\n\tldr %1, [%3]"
                   : "=&r"(be), "=&r"(le), "=&r"(cpsr) : "r"(&w) : "memory");
  printf("setend: be load %08x (cpsr.e=%d), le load %08x\n", (unsigned)be, (int)((cpsr >> 9) & 1), (unsigned)le);
}

int main(void)
{
  msr_tests();
  banks();
  spsr_tests();
  srs_rfe();
  user_mode();
  endianness();
  printf("final mode %s\n", mode_name(read_cpsr()));
  return finish("modes");
}
