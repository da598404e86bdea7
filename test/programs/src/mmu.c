/*
 * Short-descriptor translation: a first-level table with sections, a
 * supersection and two second-level tables with small and large pages; the
 * MMU is enabled and translations checked through aliases and with the
 * ATS1C* operations. Then every kind of fault is provoked, caught, reported
 * with DFSR/DFAR or IFSR/IFAR, and recovered from: translation (section and
 * page), access flag (SCTLR.AFE=1, section and page), domain (section and
 * page), permission (user access with LDRT/STRT, write to a read-only page,
 * no-access section) and execute-never (section and page), plus a fetch from
 * an unmapped address.
 */

#include "runtime.h"

static uint32_t l1[4096] __attribute__((aligned(16384)));
static uint32_t l2[256] __attribute__((aligned(1024)));

/* Descriptor fields (ARMv7 short-descriptor format, TEX remap off). */
#define SEC          0x2u
#define SEC_B        (1u << 2)
#define SEC_C        (1u << 3)
#define SEC_XN       (1u << 4)
#define SEC_DOM(d)   ((uint32_t)(d) << 5)
#define SEC_AP(ap)   ((((ap) & 3u) << 10) | (((ap) >> 2) << 15))
#define SEC_TEX(t)   ((uint32_t)(t) << 12)
#define SEC_SUPER    (1u << 18)
#define SEC_NORMAL   (SEC_TEX(1) | SEC_C | SEC_B)
#define L1_TABLE     0x1u
#define L1_DOM(d)    ((uint32_t)(d) << 5)

#define SMALL        0x2u
#define SMALL_XN     0x1u
#define PG_B         (1u << 2)
#define PG_C         (1u << 3)
#define PG_AP(ap)    ((((ap) & 3u) << 4) | (((ap) >> 2) << 9))
#define SMALL_TEX(t) ((uint32_t)(t) << 6)
#define SMALL_NORMAL (SMALL_TEX(1) | PG_C | PG_B)
#define LARGE        0x1u
#define LARGE_XN     (1u << 15)
#define LARGE_TEX(t) ((uint32_t)(t) << 12)
#define LARGE_NORMAL (LARGE_TEX(1) | PG_C | PG_B)

/* AP[2:0] values: 3 = full access, 1 = PL1 only, 2 = PL1 RW / user RO, 7 = read-only, 0 = none. */

#define PA_DATA  0x60500000u
#define PA_CODE  (PA_DATA + 0x30000u)
#define DACR_VAL 0x15u /* domains 0-2 client, 3 and 4 no access */

static void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static void isb(void) { __asm__ volatile("isb" ::: "memory"); }

static void tlbi_all(void) { dsb(); CP15_WRITE(0, c8, c7, 0, 0); dsb(); isb(); }
static void tlbi_va(uint32_t va) { dsb(); CP15_WRITE(0, c8, c7, 1, va & ~0xfffu); dsb(); isb(); }
static void write_dacr(uint32_t v) { CP15_WRITE(0, c3, c0, 0, v); isb(); }

static volatile uint32_t *pa(uint32_t a) { return (volatile uint32_t *)a; }

static void build_tables(void)
{
  /* Identity map of the first 8 MiB of RAM (program, stacks, tables, test data). */
  for (uint32_t mb = 0x600; mb < 0x608; mb++) l1[mb] = (mb << 20) | SEC | SEC_NORMAL | SEC_AP(3) | SEC_DOM(0);

  l1[0x900] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(3) | SEC_DOM(1);           /* alias section */
  l1[0x910] = (uint32_t)l2 | L1_TABLE | L1_DOM(2);                            /* pages */
  l1[0x920] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(2) | SEC_DOM(1);           /* AF=0 under AFE */
  /* 0x930: left invalid, mapped on demand by the abort handler. */
  l1[0x940] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(0) | SEC_DOM(3);           /* no-access domain */
  l1[0x950] = (uint32_t)l2 | L1_TABLE | L1_DOM(4);                            /* pages, no-access domain */
  l1[0x960] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(0) | SEC_DOM(1);           /* no access */
  l1[0x970] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(3) | SEC_DOM(1) | SEC_XN;  /* execute-never */
  l1[0x980] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(1) | SEC_DOM(1);           /* PL1 only */
  /* Supersection: 16 MiB at 0xa0000000 -> 0x60000000, repeated in 16 entries. */
  for (uint32_t i = 0; i < 16; i++) l1[0xa00 + i] = 0x60000000u | SEC | SEC_SUPER | SEC_NORMAL | SEC_AP(3);

  l2[0] = (PA_DATA + 0x11000) | SMALL | SMALL_NORMAL | PG_AP(3);
  l2[1] = (PA_DATA + 0x10000) | SMALL | SMALL_NORMAL | PG_AP(3);
  l2[2] = (PA_DATA + 0x12000) | SMALL | SMALL_NORMAL | PG_AP(1);
  l2[3] = (PA_DATA + 0x13000) | SMALL | SMALL_NORMAL | PG_AP(7);
  l2[4] = 0;
  l2[5] = PA_CODE | SMALL | SMALL_NORMAL | PG_AP(3) | SMALL_XN;
  l2[6] = PA_CODE | SMALL | SMALL_NORMAL | PG_AP(3);
  l2[7] = (PA_DATA + 0x14000) | SMALL | SMALL_NORMAL | PG_AP(2);
  l2[8] = (PA_DATA + 0x15000) | SMALL | SMALL_NORMAL | PG_AP(2);
  for (uint32_t i = 0x10; i < 0x20; i++) l2[i] = (PA_DATA + 0x20000) | LARGE | LARGE_NORMAL | PG_AP(3);
}

/* Fills the test data with a recognisable pattern: each word holds its own physical address ^ 0x5a5a5a5a. */
static void fill_data(void)
{
  for (uint32_t a = PA_DATA; a < PA_DATA + 0x30000; a += 4) *pa(a) = a ^ 0x5a5a5a5a;
  /* Position-independent code: mov r0, #42; bx lr. */
  *pa(PA_CODE) = 0xe3a0002a;
  *pa(PA_CODE + 4) = 0xe12fff1e;
  dsb();
  CP15_WRITE(0, c7, c5, 0, 0); /* ICIALLU */
  isb();
}

/* ---- exception handling ---- */

static volatile uint32_t fsr, far;
static volatile unsigned dabts, pabts;
static void (*volatile fixup)(uint32_t far);

static void on_dabt(struct exc_frame *f)
{
  fsr = read_dfsr();
  far = read_dfar();
  dabts++;
  void (*fix)(uint32_t) = fixup;
  fixup = 0;
  if (fix) fix(far); /* then retry the access */
#ifdef __thumb__
  /* give up on it: skip a 16- or 32-bit Thumb instruction */
  else f->pc += (*(volatile uint16_t *)f->pc >> 11) >= 0x1d ? 4 : 2;
#else
  else f->pc += 4;   /* give up on it */
#endif
}

/* Fetch tests keep the address to resume at in r3. */
static void on_pabt(struct exc_frame *f)
{
  fsr = read_ifsr();
  far = read_ifar();
  pabts++;
  f->pc = f->r[3];
#ifdef __thumb__
  /* BLX to a word-aligned address switched to ARM state; resume in Thumb. */
  f->spsr |= PSR_T;
#endif
}

static const char *status_name(unsigned st)
{
  switch (st) {
    case 0x01: return "alignment";
    case 0x03: return "access flag (section)";
    case 0x06: return "access flag (page)";
    case 0x05: return "translation (section)";
    case 0x07: return "translation (page)";
    case 0x09: return "domain (section)";
    case 0x0b: return "domain (page)";
    case 0x0d: return "permission (section)";
    case 0x0f: return "permission (page)";
    default: return "other";
  }
}

static void report_data(const char *what, unsigned before, uint32_t value)
{
  if (dabts == before) { printf("%-28s no fault, value %08x\n", what, (unsigned)value); return; }
  unsigned st = fsr_status(fsr);
  /* The domain field is UNKNOWN for alignment and first-level translation faults. */
  int dom_valid = st != 0x01 && st != 0x05;
  printf("%-28s data abort: %s status=%02x", what, status_name(st), st);
  if (dom_valid) printf(" domain=%u", (unsigned)((fsr >> 4) & 15));
  printf(" wnr=%u dfar=%08x, value %08x\n", (unsigned)((fsr >> 11) & 1), (unsigned)far, (unsigned)value);
}

static void report_fetch(const char *what, unsigned before, uint32_t result)
{
  if (pabts == before) { printf("%-28s executed, returned %u\n", what, (unsigned)result); return; }
  unsigned st = fsr_status(fsr);
  printf("%-28s prefetch abort: %s status=%02x ifar=%08x\n", what, status_name(st), st, (unsigned)far);
}

/* ---- accesses ---- */

#define MARK 0xbad0bad0u

static uint32_t ldr(uint32_t va) { uint32_t v = MARK; __asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(va) : "memory"); return v; }
static uint32_t ldrt(uint32_t va) { uint32_t v = MARK; __asm__ volatile("ldrt %0, [%1]" : "+r"(v) : "r"(va) : "memory"); return v; }
static void str(uint32_t va, uint32_t v) { __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(va) : "memory"); }
static void strt(uint32_t va, uint32_t v) { __asm__ volatile("strt %0, [%1]" :: "r"(v), "r"(va) : "memory"); }

static uint32_t call_at(uint32_t va)
{
  register uint32_t r0 __asm__("r0") = MARK;
  __asm__ volatile("adr r3, 1f\n\tblx %1\n1:" : "+r"(r0) : "r"(va) : "r1", "r2", "r3", "r12", "lr", "memory", "cc");
  return r0;
}

static uint32_t ats(int op, uint32_t va)
{
  switch (op) {
    case 0: CP15_WRITE(0, c7, c8, 0, va); break; /* ATS1CPR */
    case 1: CP15_WRITE(0, c7, c8, 1, va); break; /* ATS1CPW */
    case 2: CP15_WRITE(0, c7, c8, 2, va); break; /* ATS1CUR */
    default: CP15_WRITE(0, c7, c8, 3, va); break; /* ATS1CUW */
  }
  isb();
  uint32_t par = CP15_READ(0, c7, c4, 0);
  /* Physical address and F, or on a fault F and FS; attribute bits are IMPLEMENTATION DEFINED. */
  return (par & 1) ? (par & 0x7f) : (par & 0xfffff001);
}

/* ---- fix-ups applied by the data abort handler before retrying ---- */

static void map_on_demand(uint32_t va)
{
  l1[va >> 20] = PA_DATA | SEC | SEC_NORMAL | SEC_AP(3) | SEC_DOM(1);
  tlbi_va(va);
}

static void set_access_flag(uint32_t va)
{
  if ((va >> 20) == 0x910) l2[(va >> 12) & 0xff] |= PG_AP(1);
  else l1[va >> 20] |= SEC_AP(1);
  tlbi_va(va);
}

static void open_domains(uint32_t va)
{
  (void)va;
  write_dacr(DACR_VAL | (3u << 6) | (1u << 8)); /* domain 3 manager, domain 4 client */
}

/* ---- tests ---- */

static void translations(void)
{
  static const struct { const char *name; uint32_t va; } reads[] = {
    { "identity", PA_DATA + 0x1234 },
    { "section alias", 0x90001234 },
    { "small page 0", 0x91000010 },
    { "small page 1", 0x91001ffc },
    { "large page", 0x9101abc0 },
    { "large page end", 0x9101fffc },
    { "supersection", 0xa0501234 },
    { "supersection high", 0xa052fff0 },
  };
  for (unsigned i = 0; i < sizeof reads / sizeof reads[0]; i++)
    printf("%-28s va %08x reads %08x (pa %08x)\n", reads[i].name, (unsigned)reads[i].va, (unsigned)ldr(reads[i].va),
           (unsigned)(ldr(reads[i].va) ^ 0x5a5a5a5a));

  /* Writes through one alias are seen through the others. */
  str(0x91000020, 0x11112222);
  printf("write via small page 0, read via section alias: %08x, via identity: %08x\n",
         (unsigned)ldr(0x90011020), (unsigned)*pa(PA_DATA + 0x11020));
  str(0xa0520040, 0x33334444);
  printf("write via supersection, read via large page: %08x\n", (unsigned)ldr(0x91010040));

  /* For a supersection only PA[31:24] of the PAR is defined here. */
  static const struct { const char *name; int op; uint32_t va, mask; } tr[] = {
    { "ats1cpr small page 1", 0, 0x91001234, ~0u },
    { "ats1cpr large page", 0, 0x9101f008, ~0u },
    { "ats1cpr section alias", 0, 0x900ff008, ~0u },
    { "ats1cpr supersection", 0, 0xa07fff00, 0xff000001 },
    { "ats1cpw read-only page", 1, 0x91003000, ~0u },
    { "ats1cur pl1-only page", 2, 0x91002000, ~0u },
    { "ats1cuw user-ro page", 3, 0x91008000, ~0u },
    { "ats1cur user-ro page", 2, 0x91008004, ~0u },
    { "ats1cpr unmapped page", 0, 0x91004000, ~0u },
    { "ats1cpr unmapped section", 0, 0x9f000000, ~0u },
  };
  for (unsigned i = 0; i < sizeof tr / sizeof tr[0]; i++)
    printf("%-28s va %08x par %08x\n", tr[i].name, (unsigned)tr[i].va, (unsigned)(ats(tr[i].op, tr[i].va) & tr[i].mask));
}

static void faults(void)
{
  unsigned b;
  uint32_t v;

  b = dabts; v = ldr(0x91004008); report_data("translation fault (page)", b, v);
  b = dabts; str(0x91004008, 1); report_data("  write", b, 0);

  b = dabts; fixup = map_on_demand; v = ldr(0x93000100);
  report_data("translation fault (section)", b, v);
  printf("  mapped on demand, value read after retry %08x\n", (unsigned)v);

  b = dabts; v = ldr(0x94000000); report_data("domain fault (section)", b, v);
  b = dabts; v = ldr(0x95001000); report_data("domain fault (page)", b, v);
  b = dabts; fixup = open_domains; v = ldr(0x94000010); report_data("domain fault, then manager", b, v);
  b = dabts; v = ldr(0x95001004); report_data("  page in client domain 4", b, v);
  b = dabts; str(0x94000020, 0x77778888); report_data("  manager ignores AP=000", b, ldr(0x90000020));
  write_dacr(DACR_VAL);

  b = dabts; v = ldr(0x96000000); report_data("permission (section, AP=0)", b, v);
  b = dabts; v = ldrt(0x98000004); report_data("ldrt PL1-only section", b, v);
  b = dabts; v = ldr(0x98000004); report_data("  ldr same address", b, v);
  b = dabts; v = ldrt(0x91002008); report_data("ldrt PL1-only page", b, v);
  b = dabts; strt(0x91002008, 5); report_data("strt PL1-only page", b, 0);
  b = dabts; v = ldrt(0x91008008); report_data("ldrt user-RO page", b, v);
  b = dabts; strt(0x91008008, 6); report_data("strt user-RO page", b, ldr(0x91008008));
  b = dabts; str(0x91008008, 7); report_data("str (PL1) user-RO page", b, ldr(0x91008008));
  b = dabts; str(0x9100300c, 8); report_data("str read-only page", b, ldr(0x9100300c));
  b = dabts; v = ldr(0x9100300c); report_data("  ldr read-only page", b, v);
  b = dabts; v = ldrt(0x9100300c); report_data("  ldrt read-only page", b, v);

  b = pabts; v = call_at(0x91006000); report_fetch("fetch executable page", b, v);
  b = pabts; v = call_at(0x90030000); report_fetch("fetch executable section", b, v);
  b = pabts; v = call_at(0x91005000); report_fetch("fetch XN page", b, v);
  b = pabts; v = call_at(0x97030000); report_fetch("fetch XN section", b, v);
  b = pabts; v = call_at(0x91004000); report_fetch("fetch unmapped page", b, v);
  b = pabts; v = call_at(0x9f000000); report_fetch("fetch unmapped section", b, v);

  /* Access flag: with SCTLR.AFE=1, AP[0] is the access flag and AP[2:1] the permissions. */
  b = dabts; v = ldr(0x91007000); report_data("AFE=0: AP=010 page", b, v);
  write_sctlr(read_sctlr() | SCTLR_AFE);
  tlbi_all();
  printf("sctlr.afe=%u\n", (unsigned)((read_sctlr() >> 29) & 1));
  b = dabts; v = ldr(0x91007004); report_data("access flag (page)", b, v);
  b = dabts; fixup = set_access_flag; v = ldr(0x91007008); report_data("access flag (page), set", b, v);
  b = dabts; v = ldr(0x92000004); report_data("access flag (section)", b, v);
  b = dabts; fixup = set_access_flag; str(0x9200000c, 0x99990000); report_data("access flag (section), set", b, ldr(0x9200000c));
  b = dabts; v = ldrt(0x9100300c); report_data("AFE: ldrt AP=111 page", b, v);
  b = dabts; v = ldrt(0x91002004); report_data("AFE: ldrt AP=001 page", b, v);
  write_sctlr(read_sctlr() & ~SCTLR_AFE);
  tlbi_all();
}

int main(void)
{
  printf("mmu: sctlr.m=%u\n", (unsigned)(read_sctlr() & 1));
  fill_data();
  build_tables();
  set_handler(EXC_DABT, on_dabt);
  set_handler(EXC_PABT, on_pabt);

  CP15_WRITE(0, c2, c0, 2, 0);             /* TTBCR: TTBR0 only, 16 KiB table */
  CP15_WRITE(0, c2, c0, 0, (uint32_t)l1);  /* TTBR0, walks non-cacheable */
  CP15_WRITE(0, c13, c0, 1, 0);            /* CONTEXTIDR: ASID 0 */
  write_dacr(DACR_VAL);
  tlbi_all();
  write_sctlr(read_sctlr() | SCTLR_M);
  printf("mmu: enabled, sctlr.m=%u ttbr0 %s dacr=%08x\n", (unsigned)(read_sctlr() & 1),
         (CP15_READ(0, c2, c0, 0) & ~0x7fu) == (uint32_t)l1 ? "= l1" : "WRONG", (unsigned)CP15_READ(0, c3, c0, 0));

  translations();
  faults();

  write_sctlr(read_sctlr() & ~SCTLR_M);
  printf("mmu: disabled, sctlr.m=%u; data aborts %u, prefetch aborts %u\n", (unsigned)(read_sctlr() & 1), dabts, pabts);
  set_handler(EXC_DABT, 0);
  set_handler(EXC_PABT, 0);
  return finish("mmu");
}
