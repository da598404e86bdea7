/*
 * Floating point: single- and double-precision arithmetic, multiply-accumulate,
 * division, conversions between float, double and 32/64-bit integers (with
 * rounding, saturation and NaN), compares with NaN, signed zeros, infinities,
 * subnormals, and small numeric kernels (series, a Mandelbrot row, a 4x4
 * matrix product, Newton iterations) folded into checksums of the result
 * bits. Results are printed as hex bits and through integer formatting.
 *
 * Built hard-float (-mfloat-abi=hard -mfpu=vfpv3-d16) this runs on the VFP:
 * arguments and results in s/d registers, and the parts under __ARM_PCS_VFP
 * also cover VSQRT, FPSCR cumulative exception flags, the four rounding
 * modes, flush-to-zero, default NaN, VCVTR, fixed-point VCVT, VMLA/VMLS/
 * VNMLA/VNMLS/VNMUL and VMOV immediates. Built soft-float the same C code
 * runs through libgcc's software floating point.
 */

#include "runtime.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

union f32 { float f; uint32_t u; };
union f64 { double d; uint64_t u; };

static uint32_t fbits(float f) { union f32 x = { .f = f }; return x.u; }
static uint64_t dbits(double d) { union f64 x = { .d = d }; return x.u; }
static float fmk(uint32_t u) { union f32 x = { .u = u }; return x.f; }
static double dmk(uint64_t u) { union f64 x = { .u = u }; return x.d; }

/* Opaque to the optimiser: every operation below happens at run time. */
static float hidef(float v) { __asm__ volatile("" : "+g"(v)); return v; }
static double hided(double v) { __asm__ volatile("" : "+g"(v)); return v; }

static uint64_t checksum;
static void mix(uint64_t v) { checksum = (checksum ^ v) * 0x100000001b3ull; }

/* "-12.345678": a double through integer formatting (|x| < 9e18). */
static void put_fixed(const char *label, double x, unsigned digits)
{
  uint64_t scale = 1;
  for (unsigned i = 0; i < digits; i++) scale *= 10;
  int neg = x < 0;
  if (neg) x = -x;
  uint64_t ip = (uint64_t)x;
  uint64_t frac = (uint64_t)((x - (double)ip) * (double)scale + 0.5);
  if (frac >= scale) { ip++; frac -= scale; }
  char buf[24];
  snprintf(buf, sizeof buf, "%%s%%llu.%%0%ullu\n", digits);
  printf("%-24s ", label);
  printf(buf, neg ? "-" : "", (unsigned long long)ip, (unsigned long long)frac);
}

static const uint32_t fvals[] = {
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x40490fdb, 0x3dcccccd, 0x7f7fffff, 0x00800000,
  0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0x4b800001, 0xcf000000,
};

static const uint64_t dvals[] = {
  0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
  0x400921fb54442d18ull, 0x3fb999999999999aull, 0x7fefffffffffffffull, 0x0010000000000000ull,
  0x0000000000000001ull, 0x800fffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
  0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x4340000000000001ull, 0xc3e0000000000000ull,
};

static void single_ops(void)
{
  for (unsigned i = 0; i < N_ELEMS(fvals); i++) {
    for (unsigned j = 0; j < N_ELEMS(fvals); j++) {
      float a = hidef(fmk(fvals[i])), b = hidef(fmk(fvals[j]));
      uint32_t s = fbits(a + b), d = fbits(a - b), m = fbits(a * b), q = fbits(a / b);
      unsigned c = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a != b) << 3 | (a > b) << 4 | (a >= b) << 5;
      if ((i + j) % 5 == 0) printf("f32 %08x %08x: + %08x - %08x * %08x / %08x cmp %02x\n",
        (unsigned)fvals[i], (unsigned)fvals[j], (unsigned)s, (unsigned)d, (unsigned)m, (unsigned)q, c);
      mix(s); mix(d); mix(m); mix(q); mix(c);
    }
  }
  printf("f32 checksum %016llx\n", (unsigned long long)checksum);
}

static void double_ops(void)
{
  checksum = 0;
  for (unsigned i = 0; i < N_ELEMS(dvals); i++) {
    for (unsigned j = 0; j < N_ELEMS(dvals); j++) {
      double a = hided(dmk(dvals[i])), b = hided(dmk(dvals[j]));
      uint64_t s = dbits(a + b), d = dbits(a - b), m = dbits(a * b), q = dbits(a / b);
      unsigned c = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a != b) << 3 | (a > b) << 4 | (a >= b) << 5;
      if ((i + j) % 5 == 0) printf("f64 %016llx %016llx: + %016llx - %016llx * %016llx / %016llx cmp %02x\n",
        (unsigned long long)dvals[i], (unsigned long long)dvals[j], (unsigned long long)s, (unsigned long long)d,
        (unsigned long long)m, (unsigned long long)q, c);
      mix(s); mix(d); mix(m); mix(q); mix(c);
    }
  }
  printf("f64 checksum %016llx\n", (unsigned long long)checksum);
}

/* In-range conversions only: out-of-range float-to-integer conversion is undefined in C. */
static void conversions(void)
{
  static const int32_t ints[] = { 0, 1, -1, 7, -7, 0x7fffffff, (int32_t)0x80000000, 0x01000001, -0x01000003, 123456789 };
  for (unsigned i = 0; i < N_ELEMS(ints); i++) {
    int32_t v = (int32_t)hided((double)ints[i]);
    float f = hidef((float)ints[i]);
    double d = hided((double)ints[i]);
    uint32_t u = (uint32_t)ints[i];
    printf("i32 %11d: f32 %08x f64 %016llx u32->f32 %08x u32->f64 %016llx back %d\n", (int)ints[i],
      (unsigned)fbits(f), (unsigned long long)dbits(d), (unsigned)fbits(hidef((float)u)),
      (unsigned long long)dbits(hided((double)u)), (int)v);
  }
  static const uint64_t reals[] = {
    0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3ff8000000000000ull, 0xbff8000000000000ull,
    0x4004000000000000ull, 0xc00c000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000000000ull,
    0x3fefffffffffffffull, 0x0000000000000001ull, 0x8000000000000000ull, 0x4415af1d78b58c40ull,
  };
  for (unsigned i = 0; i < N_ELEMS(reals); i++) {
    double d = hided(dmk(reals[i]));
    float f = hidef((float)d);
    int32_t si = (int32_t)d;
    int64_t sl = (int64_t)d;
    uint32_t ui = d >= 0 && d < 4294967296.0 ? (uint32_t)d : 0;
    printf("f64 %016llx: f32 %08x back %016llx s32 %d s64 %lld u32 %u\n", (unsigned long long)reals[i],
      (unsigned)fbits(f), (unsigned long long)dbits(hided((double)f)), (int)si, (long long)sl, (unsigned)ui);
  }
  /* Narrowing that rounds, overflows to infinity, and becomes subnormal or zero. */
  static const uint64_t narrow[] = {
    0x3ff0000010000000ull, 0x3ff0000030000000ull, 0x47efffffffffffffull, 0x47f0000000000000ull,
    0x3810000000000000ull, 0x36a0000000000000ull, 0x3690000000000000ull, 0x7ff4000000000000ull,
  };
  for (unsigned i = 0; i < N_ELEMS(narrow); i++)
    printf("narrow %016llx -> %08x\n", (unsigned long long)narrow[i], (unsigned)fbits(hidef((float)hided(dmk(narrow[i])))));
  static const int64_t longs[] = { 0x7fffffffffffffffll, -0x7fffffffffffffffll - 1, 0x20000000000001ll, -0x20000000000003ll, 1000000007ll };
  for (unsigned i = 0; i < N_ELEMS(longs); i++)
    printf("i64 %lld: f64 %016llx f32 %08x\n", (long long)longs[i], (unsigned long long)dbits(hided((double)longs[i])),
      (unsigned)fbits(hidef((float)longs[i])));
}

/* Numeric kernels: values printed with integer formatting, bits folded into checksums. */
static void kernels(void)
{
  /* Leibniz series for pi/4 and the harmonic series, single and double. */
  double pi = 0;
  float h = 0;
  for (int k = 0; k < 20000; k++) {
    pi += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
    h += 1.0f / (float)(k + 1);
  }
  put_fixed("leibniz pi", pi, 9);
  put_fixed("harmonic(20000) f32", h, 6);
  printf("bits %016llx %08x\n", (unsigned long long)dbits(pi), (unsigned)fbits(h));

  /* A Mandelbrot row: iteration counts. */
  checksum = 0;
  for (int row = 0; row < 8; row++) {
    char line[41];
    for (int col = 0; col < 40; col++) {
      double cr = -2.0 + col * (2.6 / 40), ci = -1.2 + row * (2.4 / 8), zr = 0, zi = 0;
      int n = 0;
      while (n < 64 && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      line[col] = " .:-=+*#%@"[n * 9 / 64];
      mix(n); mix(dbits(zr));
    }
    line[40] = 0;
    printf("|%s|\n", line);
  }
  printf("mandelbrot checksum %016llx\n", (unsigned long long)checksum);

  /* 4x4 single-precision matrix product. */
  float a[4][4], b[4][4], c[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) { a[i][j] = (float)(i + 1) / (float)(j + 3); b[i][j] = (float)(i * 4 + j) - 7.5f; }
  checksum = 0;
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 4; j++) {
      float s = 0;
      for (int k = 0; k < 4; k++) s += a[i][k] * b[k][j];
      c[i][j] = s;
      mix(fbits(s));
    }
  }
  put_fixed("matrix c[3][2]", c[3][2], 6);
  printf("matrix checksum %016llx\n", (unsigned long long)checksum);

  /* Newton's method for the cube root of 2, and a float/double round trip of 1/3. */
  double x = 1;
  for (int i = 0; i < 8; i++) x = x - (x * x * x - 2) / (3 * x * x);
  put_fixed("cbrt(2)", x, 12);
  printf("cbrt(2) %016llx\n", (unsigned long long)dbits(x));
  check("0.1 + 0.2", (uint32_t)(dbits(hided(0.1) + hided(0.2)) >> 32), 0x3fd33333);
  check("0.1 + 0.2 low", (uint32_t)dbits(hided(0.1) + hided(0.2)), 0x33333334);
  check("1/3 f32", fbits(hidef(1.0f) / hidef(3.0f)), 0x3eaaaaab);
  check("(int)-2.75", (uint32_t)(int32_t)hided(-2.75), 0xfffffffe);
  check("nan != nan", hided(dmk(0x7ff8000000000000ull)) != hided(dmk(0x7ff8000000000000ull)), 1);
}

#ifdef __ARM_PCS_VFP
/* ---- VFP only: the FPSCR, VSQRT and instructions C does not reach directly ---- */

/*
 * One VFP operation under a chosen FPSCR (rounding mode, FZ, DN), all in one
 * asm block: the FPSCR is set, the operation runs, the cumulative flags are
 * read and the FPSCR is cleared again, so that no compiler-scheduled floating
 * point code runs under the chosen mode or adds its own flags.
 */
enum fop { ADD, SUB, MUL, DIV, SQRT, NMUL, CMP, CMPE, TOF32, TOS32R };

#define FPU(insn, rc, ac, out, in_a, in_b) \
  __asm__ volatile("vmsr fpscr, %[fi]\n\t" insn "\n\tvmrs %[fo], fpscr\n\tvmsr fpscr, %[z]" \
    : [r] rc(out), [fo] "=&r"(fo) : [a] ac(in_a), [b] ac(in_b), [fi] "r"(mode), [z] "r"(0) : "memory")

static double fpu_d(enum fop op, double a, double b, uint32_t mode, uint32_t *flags_out)
{
  double r = 0;
  float rs = 0;
  uint32_t fo = 0;
  switch (op) {
    case ADD: FPU("vadd.f64 %P[r], %P[a], %P[b]", "=&w", "w", r, a, b); break;
    case SUB: FPU("vsub.f64 %P[r], %P[a], %P[b]", "=&w", "w", r, a, b); break;
    case MUL: FPU("vmul.f64 %P[r], %P[a], %P[b]", "=&w", "w", r, a, b); break;
    case DIV: FPU("vdiv.f64 %P[r], %P[a], %P[b]", "=&w", "w", r, a, b); break;
    case SQRT: FPU("vsqrt.f64 %P[r], %P[a]", "=&w", "w", r, a, b); break;
    case NMUL: FPU("vnmul.f64 %P[r], %P[a], %P[b]", "=&w", "w", r, a, b); break;
    case TOF32: FPU("vcvt.f32.f64 %[r], %P[a]", "=&t", "w", rs, a, b); r = dmk(fbits(rs)); break;
    case TOS32R: FPU("vcvtr.s32.f64 %[r], %P[a]", "=&t", "w", rs, a, b); r = dmk(fbits(rs)); break;
    default: break;
  }
  if (flags_out) *flags_out = fo;
  return r;
}

/* The compare forms return the FPSCR right after the compare (NZCV in bits 31:28). */
static uint32_t fpu_cmp(enum fop op, double a, double b, uint32_t *flags_out)
{
  uint32_t nzcv, fo, mode = 0;
  if (op == CMP) FPU("vcmp.f64 %P[a], %P[b]\n\tvmrs %[r], fpscr", "=&r", "w", nzcv, a, b);
  else FPU("vcmpe.f64 %P[a], %P[b]\n\tvmrs %[r], fpscr", "=&r", "w", nzcv, a, b);
  *flags_out = fo;
  return nzcv >> 28;
}

static float fpu_f(enum fop op, float a, float b, uint32_t mode, uint32_t *flags_out)
{
  float r = 0;
  uint32_t fo = 0;
  switch (op) {
    case ADD: FPU("vadd.f32 %[r], %[a], %[b]", "=&t", "t", r, a, b); break;
    case SUB: FPU("vsub.f32 %[r], %[a], %[b]", "=&t", "t", r, a, b); break;
    case MUL: FPU("vmul.f32 %[r], %[a], %[b]", "=&t", "t", r, a, b); break;
    case DIV: FPU("vdiv.f32 %[r], %[a], %[b]", "=&t", "t", r, a, b); break;
    case SQRT: FPU("vsqrt.f32 %[r], %[a]", "=&t", "t", r, a, b); break;
    default: break;
  }
  if (flags_out) *flags_out = fo;
  return r;
}

#define FZ (1u << 24)
#define DN (1u << 25)
#define RMODE(m) ((uint32_t)(m) << 22)

/* "IZOUX-D": the cumulative flags IOC DZC OFC UFC IXC and IDC, as letters. */
static const char *flags(uint32_t fpscr)
{
  static char bufs[4][8];  /* up to four results in one printf */
  static unsigned next_buf;
  char *s = bufs[next_buf++ & 3];
  const char *names = "IZOUX..D";
  int n = 0;
  for (int i = 0; i < 8; i++) if (i != 5 && i != 6) s[n++] = fpscr & (1u << i) ? names[i] : '-';
  s[n] = 0;
  return s;
}

static void sqrt_and_flags(void)
{
  static const uint64_t in[] = {
    0x4000000000000000ull, 0x4010000000000000ull, 0x3ff0000000000001ull, 0x0000000000000001ull,
    0x7fefffffffffffffull, 0x8000000000000000ull, 0xbff0000000000000ull, 0x7ff0000000000000ull,
    0x7ff4000000000000ull, 0x41dfffffffc00000ull, 0x3fd5555555555555ull,
  };
  for (unsigned i = 0; i < N_ELEMS(in); i++) {
    uint32_t f1, f2, f3;
    double r = fpu_d(SQRT, dmk(in[i]), 0, 0, &f1);
    float x = fmk((uint32_t)dbits(fpu_d(TOF32, dmk(in[i]), 0, 0, &f3)));
    float rf = fpu_f(SQRT, x, 0, 0, &f2);
    printf("vsqrt %016llx = %016llx [%s]  f32 %08x = %08x [%s]\n", (unsigned long long)in[i],
      (unsigned long long)dbits(r), flags(f1), (unsigned)fbits(x), (unsigned)fbits(rf), flags(f2));
  }
  put_fixed("sqrt(2)", fpu_d(SQRT, 2.0, 0, 0, 0), 15);
  check("sqrt(4)", (uint32_t)(dbits(fpu_d(SQRT, 4.0, 0, 0, 0)) >> 32), 0x40000000);

  /* Which operations raise which exception flags. */
  static const struct { const char *what; uint64_t a, b; } ops[] = {
    { "1/0", 0x3ff0000000000000ull, 0 },
    { "0/0", 0, 0 },
    { "max*2", 0x7fefffffffffffffull, 0x4000000000000000ull },
    { "min/3", 0x0010000000000000ull, 0x4008000000000000ull },
    { "1/3", 0x3ff0000000000000ull, 0x4008000000000000ull },
    { "inf-inf", 0x7ff0000000000000ull, 0x7ff0000000000000ull },
    { "snan+1", 0x7ff0000000000001ull, 0x3ff0000000000000ull },
    { "sub-sub", 0x0008000000000000ull, 0x0004000000000001ull },
  };
  for (unsigned i = 0; i < N_ELEMS(ops); i++) {
    double a = dmk(ops[i].a), b = dmk(ops[i].b);
    uint32_t fq, fm, fs;
    double q = fpu_d(DIV, a, b, 0, &fq), m = fpu_d(MUL, a, b, 0, &fm), s = fpu_d(SUB, a, b, 0, &fs);
    printf("flags %-8s / %016llx [%s] * %016llx [%s] - %016llx [%s]\n", ops[i].what, (unsigned long long)dbits(q),
      flags(fq), (unsigned long long)dbits(m), flags(fm), (unsigned long long)dbits(s), flags(fs));
  }
  /* Compares: VCMPE raises Invalid for a quiet NaN, VCMP only for a signalling one. */
  static const uint64_t cmpv[] = { 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull };
  for (unsigned i = 0; i < N_ELEMS(cmpv); i++) {
    uint32_t f1, f2;
    unsigned n1 = fpu_cmp(CMP, dmk(cmpv[i]), 1.0, &f1), n2 = fpu_cmp(CMPE, dmk(cmpv[i]), 1.0, &f2);
    printf("vcmp %016llx, 1.0: nzcv %x [%s] vcmpe: nzcv %x [%s]\n", (unsigned long long)cmpv[i], n1, flags(f1), n2, flags(f2));
  }
}

static void rounding(void)
{
  static const char *const modes[] = { "RN", "RP", "RM", "RZ" };
  static const uint64_t v[] = { 0x4004000000000000ull, 0xc004000000000000ull, 0x400c000000000000ull, 0x3fe8000000000000ull, 0xbfe0000000000000ull };
  for (unsigned m = 0; m < 4; m++) {
    uint32_t fl;
    double third = fpu_d(DIV, 1.0, 3.0, RMODE(m), 0), mthird = fpu_d(DIV, -1.0, 3.0, RMODE(m), 0);
    float ft = fpu_f(DIV, 2.0f, 3.0f, RMODE(m), 0);
    double sum = fpu_d(ADD, 1.0, dmk(0x3ca0000000000001ull), RMODE(m), 0);
    double big = fpu_d(MUL, dmk(0x7fefffffffffffffull), 2.0, RMODE(m), &fl);
    double narrow = fpu_d(TOF32, dmk(0x3ff0000010000001ull), 0, RMODE(m), 0);
    double nm = fpu_d(NMUL, 1.0, dmk(0x3fd5555555555555ull), RMODE(m), 0);
    printf("%s 1/3 %016llx -1/3 %016llx 2/3f %08x 1+eps %016llx max*2 %016llx [%s] narrow %08x vnmul %016llx\n   vcvtr",
      modes[m], (unsigned long long)dbits(third), (unsigned long long)dbits(mthird), (unsigned)fbits(ft),
      (unsigned long long)dbits(sum), (unsigned long long)dbits(big), flags(fl), (unsigned)dbits(narrow),
      (unsigned long long)dbits(nm));
    for (unsigned i = 0; i < N_ELEMS(v); i++) printf(" %d", (int)(uint32_t)dbits(fpu_d(TOS32R, dmk(v[i]), 0, RMODE(m), 0)));
    printf("\n");
  }
}

static void flush_to_zero_default_nan(void)
{
  static const struct { const char *what; enum fop op; uint64_t a, b; } ops[] = {
    { "sub+sub", ADD, 0x0008000000000000ull, 0x0008000000000000ull },
    { "sub*big", MUL, 0x0008000000000000ull, 0x7e37e43c8800759cull },
    { "min/3", DIV, 0x0010000000000000ull, 0x4008000000000000ull },
    { "1+sub", ADD, 0x3ff0000000000000ull, 0x0000000000000001ull },
    { "snan+1", ADD, 0x7ff4000000000123ull, 0x3ff0000000000000ull },
    { "qnan*1", MUL, 0xfff8000000000456ull, 0x3ff0000000000000ull },
    { "qnan+snan", ADD, 0xfff8000000000456ull, 0x7ff4000000000123ull },
    { "0/0", DIV, 0, 0 },
  };
  for (unsigned i = 0; i < N_ELEMS(ops); i++) {
    printf("%-9s", ops[i].what);
    static const uint32_t modes[] = { 0, FZ, DN, FZ | DN };
    static const char *const names[] = { "", "fz", "dn", "fz+dn" };
    for (unsigned m = 0; m < 4; m++) {
      uint32_t fl;
      double r = fpu_d(ops[i].op, dmk(ops[i].a), dmk(ops[i].b), modes[m], &fl);
      printf(" %s%s%016llx [%s]", names[m], m ? " " : "", (unsigned long long)dbits(r), flags(fl));
    }
    printf("\n");
  }
  /* Single precision under FZ: a subnormal input is flushed (IDC), a subnormal result too (UFC). */
  uint32_t f1, f2;
  float s1 = fpu_f(ADD, fmk(0x00400000), fmk(0x00000000), FZ, &f1);
  float s2 = fpu_f(MUL, fmk(0x00800000), fmk(0x3f000000), FZ, &f2);
  printf("fz f32: %08x [%s] %08x [%s]\n", (unsigned)fbits(s1), flags(f1), (unsigned)fbits(s2), flags(f2));
}

static void vfp_instructions(void)
{
  double acc = hided(10.0), x = hided(3.25), y = hided(-1.5);
  double r1 = acc, r2 = acc, r3 = acc, r4 = acc, r5;
  __asm__ volatile("vmla.f64 %P0, %P1, %P2" : "+w"(r1) : "w"(x), "w"(y));
  __asm__ volatile("vmls.f64 %P0, %P1, %P2" : "+w"(r2) : "w"(x), "w"(y));
  __asm__ volatile("vnmla.f64 %P0, %P1, %P2" : "+w"(r3) : "w"(x), "w"(y));
  __asm__ volatile("vnmls.f64 %P0, %P1, %P2" : "+w"(r4) : "w"(x), "w"(y));
  __asm__ volatile("vnmul.f64 %P0, %P1, %P2" : "=w"(r5) : "w"(x), "w"(y));
  printf("vmla %016llx vmls %016llx vnmla %016llx vnmls %016llx vnmul %016llx\n", (unsigned long long)dbits(r1),
    (unsigned long long)dbits(r2), (unsigned long long)dbits(r3), (unsigned long long)dbits(r4), (unsigned long long)dbits(r5));
  float fa = hidef(1.0f), fx = hidef(1e-8f), fy = hidef(1e8f);
  __asm__ volatile("vmla.f32 %0, %1, %2" : "+t"(fa) : "t"(fx), "t"(fy));
  double i1, i2;
  float i3;
  __asm__ volatile("vmov.f64 %P0, #1.5" : "=w"(i1));
  __asm__ volatile("vmov.f64 %P0, #-0.125" : "=w"(i2));
  __asm__ volatile("vmov.f32 %0, #31.0" : "=t"(i3));
  printf("vmla.f32 %08x vmov imm %016llx %016llx %08x\n", (unsigned)fbits(fa), (unsigned long long)dbits(i1),
    (unsigned long long)dbits(i2), (unsigned)fbits(i3));
  /* Fixed point: Q16.16 both ways, signed and unsigned, 32- and 16-bit. */
  double fx1 = hided(-3.14159);
  __asm__ volatile("vcvt.s32.f64 %P0, %P0, #16" : "+w"(fx1));
  double fx2 = hided(dmk(0x0000000000012345ull));
  __asm__ volatile("vcvt.f64.u32 %P0, %P0, #16" : "+w"(fx2));
  float fx3 = hidef(100000.0f);
  __asm__ volatile("vcvt.s16.f32 %0, %0, #4" : "+t"(fx3));
  printf("vcvt fixed: %016llx %016llx %08x\n", (unsigned long long)dbits(fx1), (unsigned long long)dbits(fx2),
    (unsigned)fbits(fx3));
  double ab = hided(-2.5);
  double neg, abs;
  __asm__ volatile("vneg.f64 %P0, %P1\n\tvabs.f64 %P2, %P1" : "=&w"(neg), "+w"(ab), "=&w"(abs));
  uint32_t lo, hi;
  __asm__ volatile("vmov %0, %1, %P2" : "=r"(lo), "=r"(hi) : "w"(abs));
  printf("vneg %016llx vabs %08x:%08x\n", (unsigned long long)dbits(neg), (unsigned)hi, (unsigned)lo);
  /* FPSID/MVFR0/MVFR1 are read but not printed: they differ between implementations. */
}
#endif

int main(void)
{
#ifdef __ARM_PCS_VFP
  printf("fp: hard-float (VFP)\n");
#else
  printf("fp: soft-float (libgcc)\n");
#endif
  single_ops();
  double_ops();
  conversions();
  kernels();
#ifdef __ARM_PCS_VFP
  sqrt_and_flags();
  rounding();
  flush_to_zero_default_nan();
  vfp_instructions();
#endif
  return finish("fp");
}
