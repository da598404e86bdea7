/*
 * Integer data processing: add/sub with carry and overflow, shifter carry-out,
 * multiplies (incl. long and accumulating forms), CLZ, byte reversal,
 * saturating arithmetic, bitfields, DSP multiplies, SIMD add/sub with GE
 * flags, packing and extension.
 */

#include "asmtest.h"

/*
 * Built for Thumb-2 as well: A32-only forms (RSC, flag-setting long
 * multiplies, register-shifted register operands, some immediates) are left
 * out there or replaced by their Thumb-2 counterparts, which the output names.
 */
#ifdef __thumb__
#define A32_ONLY(stmt) do { } while (0)
#else
#define A32_ONLY(stmt) stmt
#endif

static const uint32_t vals[] = {
  0x00000000, 0x00000001, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678, 0xfedcba98, 0x00008000, 0x7fff8001,
};

static const uint32_t shifts[] = { 0, 1, 4, 31, 32, 33, 255, 256, 0x101 };

static void addsub(void)
{
  for (unsigned i = 0; i < N_ELEMS(vals); i++) {
    for (unsigned j = 0; j < N_ELEMS(vals); j++) {
      uint32_t a = vals[i], b = vals[j];
      T2("adds", "adds %[r], %[x], %[y]", a, b, 0);
      T2("subs", "subs %[r], %[x], %[y]", a, b, 0);
      if ((i + j) % 3 == 0) {
        T2("rsbs", "rsbs %[r], %[x], %[y]", a, b, 0);
        T2("cmn", "mov %[r], #0\n\tcmn %[x], %[y]", a, b, 0);
        T2("teq", "mov %[r], #0\n\tteq %[x], %[y]", a, b, PSR_C | PSR_V);
        T2("tst", "mov %[r], #0\n\ttst %[x], %[y]", a, b, PSR_V);
      }
      for (uint32_t c = 0; c <= PSR_C; c += PSR_C) {
        if ((i * 7 + j + (c ? 1 : 0)) % 2) continue;
        T2("adcs", "adcs %[r], %[x], %[y]", a, b, c);
        T2("sbcs", "sbcs %[r], %[x], %[y]", a, b, c);
        A32_ONLY(T2("rscs", "rscs %[r], %[x], %[y]", a, b, c));
      }
    }
  }
  /* Non-flag-setting forms leave the flags alone. */
  T2("add", "add %[r], %[x], %[y]", 0xffffffff, 1, PSR_N | PSR_V);
  T2("adc", "adc %[r], %[x], %[y]", 0x7fffffff, 0, PSR_C);
  T2("sbc", "sbc %[r], %[x], %[y]", 5, 3, 0);
  A32_ONLY(T2("rsc", "rsc %[r], %[x], %[y]", 5, 3, PSR_C));
  T2("addimm", "adds %[r], %[x], #0xff000000", 0x01000000, 0, 0);
  T2("subimm", "subs %[r], %[x], #0x3fc", 0x3fc, 0, PSR_N);
  T2("cmpimm", "mov %[r], #0\n\tcmp %[x], #0x80000000", 0x7fffffff, 0, 0);
}

static void shifter(void)
{
  static const uint32_t sv[] = { 0x80000001, 0x40000000, 0xffffffff, 0x00000000, 0x12345678 };
  for (unsigned i = 0; i < N_ELEMS(sv); i++) {
    for (unsigned j = 0; j < N_ELEMS(shifts); j++) {
      uint32_t a = sv[i], s = shifts[j];
      for (uint32_t c = 0; c <= PSR_C; c += PSR_C) {
        if ((i + j + (c ? 1 : 0)) % 2) continue;
#ifdef __thumb__
        T2("lsls", "lsls %[r], %[x], %[y]", a, s, c);
        T2("lsrs", "lsrs %[r], %[x], %[y]", a, s, c);
        T2("asrs", "asrs %[r], %[x], %[y]", a, s, c);
        T2("rors", "rors %[r], %[x], %[y]", a, s, c);
#else
        T2("lslr", "movs %[r], %[x], lsl %[y]", a, s, c);
        T2("lsrr", "movs %[r], %[x], lsr %[y]", a, s, c);
        T2("asrr", "movs %[r], %[x], asr %[y]", a, s, c);
        T2("rorr", "movs %[r], %[x], ror %[y]", a, s, c);
#endif
      }
    }
    for (uint32_t c = 0; c <= PSR_C; c += PSR_C) {
      T2("lsl0", "movs %[r], %[x]", sv[i], 0, c);
      T2("lsl1", "movs %[r], %[x], lsl #1", sv[i], 0, c);
      T2("lsl31", "movs %[r], %[x], lsl #31", sv[i], 0, c);
      T2("lsr1", "movs %[r], %[x], lsr #1", sv[i], 0, c);
      T2("lsr32", "movs %[r], %[x], lsr #32", sv[i], 0, c);
      T2("asr7", "movs %[r], %[x], asr #7", sv[i], 0, c);
      T2("asr32", "movs %[r], %[x], asr #32", sv[i], 0, c);
      T2("ror4", "movs %[r], %[x], ror #4", sv[i], 0, c);
      T2("rrx", "movs %[r], %[x], rrx", sv[i], 0, c);
      T2("mvns", "mvns %[r], %[x], ror #31", sv[i], 0, c);
      T2("ands", "ands %[r], %[x], %[y], lsr #3", sv[i], 0xf0f0f0f0, c);
      A32_ONLY(T2("orrs", "orrs %[r], %[x], %[y], asr %[y]", sv[i], 0x8000001f, c));
      T2("eors", "eors %[r], %[x], #0x80000000", sv[i], 0, c);
      A32_ONLY(T2("bics", "bics %[r], %[x], #0xf000000f", sv[i], 0, c));
      T2("addsh", "adds %[r], %[x], %[y], ror #16", sv[i], 0xffff0001, c);
      T2("movimm", "movs %[r], #0xf0000000", 0, 0, c);
      T2("movimm2", "movs %[r], #0x3f0", 0, 0, c);
    }
  }
}

static void multiply(void)
{
  static const uint32_t mv[] = { 0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x12345678, 0x0000ffff, 0xfffe0001 };
  for (unsigned i = 0; i < N_ELEMS(mv); i++) {
    for (unsigned j = i; j < N_ELEMS(mv); j++) {
      uint32_t a = mv[i], b = mv[j];
#ifdef __thumb__
      T2("mul", "mul %[r], %[x], %[y]", a, b, PSR_C | PSR_V);
#else
      T2("muls", "muls %[r], %[x], %[y]", a, b, PSR_C | PSR_V);
#endif
      T3("mla", "mla %[r], %[x], %[y], %[z]", a, b, 0x11111111, 0);
      T3("mls", "mls %[r], %[x], %[y], %[z]", a, b, 0x11111111, 0);
#ifdef __thumb__
      T64("umull", "umull %[lo], %[hi], %[x], %[y]", a, b, 0, 0, PSR_C | PSR_V);
      T64("smull", "smull %[lo], %[hi], %[x], %[y]", a, b, 0, 0, 0);
      T64("umlal", "umlal %[lo], %[hi], %[x], %[y]", a, b, 0xffffffff, 0x00000001, 0);
      T64("smlal", "smlal %[lo], %[hi], %[x], %[y]", a, b, 0x80000000, 0xffffffff, 0);
#else
      T64("umull", "umulls %[lo], %[hi], %[x], %[y]", a, b, 0, 0, PSR_C | PSR_V);
      T64("smull", "smulls %[lo], %[hi], %[x], %[y]", a, b, 0, 0, 0);
      T64("umlal", "umlal %[lo], %[hi], %[x], %[y]", a, b, 0xffffffff, 0x00000001, 0);
      T64("smlals", "smlals %[lo], %[hi], %[x], %[y]", a, b, 0x80000000, 0xffffffff, 0);
#endif
      T64("umaal", "umaal %[lo], %[hi], %[x], %[y]", a, b, 0xffffffff, 0xffffffff, 0);
    }
  }
}

static void misc(void)
{
  static const uint32_t v[] = { 0, 1, 0x80000000, 0x00010000, 0x12345678, 0xffffffff, 0x0000ff80 };
  for (unsigned i = 0; i < N_ELEMS(v); i++) {
    T2("clz", "clz %[r], %[x]", v[i], 0, 0);
    T2("rev", "rev %[r], %[x]", v[i], 0, 0);
    T2("rev16", "rev16 %[r], %[x]", v[i], 0, 0);
    T2("revsh", "revsh %[r], %[x]", v[i], 0, 0);
    T2("rbit", "rbit %[r], %[x]", v[i], 0, 0);
    T2("ubfx", "ubfx %[r], %[x], #4, #12", v[i], 0, 0);
    T2("ubfx32", "ubfx %[r], %[x], #0, #32", v[i], 0, 0);
    T2("sbfx", "sbfx %[r], %[x], #7, #9", v[i], 0, 0);
    T2("sbfx1", "sbfx %[r], %[x], #31, #1", v[i], 0, 0);
    T2("bfi", "mov %[r], %[y]\n\tbfi %[r], %[x], #8, #12", v[i], 0xa5a5a5a5, 0);
    T2("bfi31", "mov %[r], %[y]\n\tbfi %[r], %[x], #31, #1", v[i], 0x5a5a5a5a, 0);
    T2("bfc", "mov %[r], %[x]\n\tbfc %[r], #3, #17", v[i], 0, 0);
    T2("movw", "mov %[r], %[x]\n\tmovw %[r], #0xbeef", v[i], 0, 0);
    T2("movt", "mov %[r], %[x]\n\tmovt %[r], #0xdead", v[i], 0, 0);
    T2("sxtb", "sxtb %[r], %[x], ror #8", v[i], 0, 0);
    T2("sxth", "sxth %[r], %[x]", v[i], 0, 0);
    T2("uxtb", "uxtb %[r], %[x], ror #24", v[i], 0, 0);
    T2("uxth", "uxth %[r], %[x], ror #16", v[i], 0, 0);
    T2("sxtab", "sxtab %[r], %[y], %[x]", v[i], 0x1000, 0);
    T2("uxtah", "uxtah %[r], %[y], %[x], ror #8", v[i], 0xffff0000, 0);
    T2("sxtb16", "sxtb16 %[r], %[x]", v[i], 0, 0);
    T2("uxtab16", "uxtab16 %[r], %[y], %[x], ror #8", v[i], 0x80017fff, 0);
    T2("pkhbt", "pkhbt %[r], %[x], %[y], lsl #8", v[i], 0x89abcdef, 0);
    T2("pkhtb", "pkhtb %[r], %[x], %[y], asr #12", v[i], 0x89abcdef, 0);
  }
}

static void saturating(void)
{
  static const uint32_t v[] = { 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0xc0000000, 0x00007fff, 0xffff8000 };
  for (unsigned i = 0; i < N_ELEMS(v); i++) {
    for (unsigned j = 0; j < N_ELEMS(v); j += 2) {
      T2("qadd", "qadd %[r], %[x], %[y]", v[i], v[j], 0);
      T2("qsub", "qsub %[r], %[x], %[y]", v[i], v[j], 0);
      T2("qdadd", "qdadd %[r], %[x], %[y]", v[i], v[j], 0);
      T2("qdsub", "qdsub %[r], %[x], %[y]", v[i], v[j], PSR_Q);
      T2("qadd16", "qadd16 %[r], %[x], %[y]", v[i], v[j], 0);
      T2("uqsub8", "uqsub8 %[r], %[x], %[y]", v[i], v[j], 0);
      T2("qasx", "qasx %[r], %[x], %[y]", v[i], v[j], 0);
    }
    T2("ssat8", "ssat %[r], #8, %[x]", v[i], 0, 0);
    T2("ssat1", "ssat %[r], #1, %[x], lsl #3", v[i], 0, 0);
    T2("ssat32", "ssat %[r], #32, %[x], asr #4", v[i], 0, 0);
    T2("usat8", "usat %[r], #8, %[x]", v[i], 0, 0);
    T2("usat0", "usat %[r], #0, %[x]", v[i], 0, 0);
    T2("usat31", "usat %[r], #31, %[x], asr #1", v[i], 0, 0);
    T2("ssat16", "ssat16 %[r], #4, %[x]", v[i], 0, 0);
    T2("usat16", "usat16 %[r], #9, %[x]", v[i], 0, 0);
  }
}

static void dsp(void)
{
  static const uint32_t v[] = { 0x00000000, 0x7fff7fff, 0x80008000, 0x00017fff, 0xffff0002, 0x12345678, 0x80000000, 0x7fffffff };
  for (unsigned i = 0; i < N_ELEMS(v); i++) {
    for (unsigned j = 0; j < N_ELEMS(v); j++) {
      if ((i + j) % 2) continue;
      uint32_t a = v[i], b = v[j];
      T2("smulbb", "smulbb %[r], %[x], %[y]", a, b, 0);
      T2("smultb", "smultb %[r], %[x], %[y]", a, b, 0);
      T2("smulwt", "smulwt %[r], %[x], %[y]", a, b, 0);
      T3("smlabt", "smlabt %[r], %[x], %[y], %[z]", a, b, 0x7fffffff, 0);
      T3("smlawb", "smlawb %[r], %[x], %[y], %[z]", a, b, 0x40000000, 0);
      T3("smlad", "smlad %[r], %[x], %[y], %[z]", a, b, 0x7ffffff0, 0);
      T3("smlsdx", "smlsdx %[r], %[x], %[y], %[z]", a, b, 5, 0);
      T2("smuad", "smuad %[r], %[x], %[y]", a, b, 0);
      T2("smusd", "smusd %[r], %[x], %[y]", a, b, 0);
      T2("smmul", "smmul %[r], %[x], %[y]", a, b, 0);
      T2("smmulr", "smmulr %[r], %[x], %[y]", a, b, 0);
      T3("smmla", "smmla %[r], %[x], %[y], %[z]", a, b, 0x80000000, 0);
      T3("smmlsr", "smmlsr %[r], %[x], %[y], %[z]", a, b, 0x1, 0);
      T64("smlaltb", "smlaltb %[lo], %[hi], %[x], %[y]", a, b, 0xffffffff, 0x7fffffff, 0);
      T64("smlald", "smlald %[lo], %[hi], %[x], %[y]", a, b, 0x00000001, 0x80000000, 0);
      T64("smlsldx", "smlsldx %[lo], %[hi], %[x], %[y]", a, b, 0, 0, 0);
      T2("usad8", "usad8 %[r], %[x], %[y]", a, b, 0);
      T3("usada8", "usada8 %[r], %[x], %[y], %[z]", a, b, 0xfffffff0, 0);
    }
  }
}

static void simd(void)
{
  static const uint32_t v[] = { 0x00000000, 0x7f80ff01, 0x80007fff, 0xffffffff, 0x01020304, 0xfe7f8001 };
  for (unsigned i = 0; i < N_ELEMS(v); i++) {
    for (unsigned j = 0; j < N_ELEMS(v); j++) {
      uint32_t a = v[i], b = v[j];
      if ((i + j) % 2 == 0) {
        T2("sadd16", "sadd16 %[r], %[x], %[y]", a, b, 0);
        T2("usub16", "usub16 %[r], %[x], %[y]", a, b, 0);
        T2("uadd8", "uadd8 %[r], %[x], %[y]", a, b, 0);
        T2("ssub8", "ssub8 %[r], %[x], %[y]", a, b, 0);
        T2("sasx", "sasx %[r], %[x], %[y]", a, b, 0);
        T2("usax", "usax %[r], %[x], %[y]", a, b, 0);
      } else {
        T2("shadd8", "shadd8 %[r], %[x], %[y]", a, b, 0);
        T2("uhsub16", "uhsub16 %[r], %[x], %[y]", a, b, 0);
        T2("qsub8", "qsub8 %[r], %[x], %[y]", a, b, 0);
        T2("uqadd16", "uqadd16 %[r], %[x], %[y]", a, b, 0);
        T2("shsax", "shsax %[r], %[x], %[y]", a, b, 0);
        T2("uqasx", "uqasx %[r], %[x], %[y]", a, b, 0);
      }
      /* SEL picks bytes by the GE flags an earlier instruction set. */
      T2("sel", "uadd8 %[r], %[x], %[y]\n\tsel %[r], %[x], %[y]", a, b, 0);
    }
  }
}

int main(void)
{
  printf("arith: start cpsr=%08x\n", (unsigned)(read_cpsr() & 0x1ff));
  addsub();
  shifter();
  multiply();
  misc();
  saturating();
  dsp();
  simd();
  return finish("arith");
}
