/*
 * 64- and 32-bit division and modulo through libgcc (__aeabi_uldivmod,
 * __aeabi_ldivmod, __aeabi_uidivmod, __aeabi_idivmod): the Cortex-A9 has no
 * divide instruction, so this exercises the shifts, compares, carries and
 * long multiplies the library routines are made of.
 */

#include "runtime.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define INT64_MIN_ ((int64_t)(-0x7fffffffffffffffll - 1))

/* Opaque to the optimiser, so that every division goes through libgcc. */
static uint64_t hide64(uint64_t v) { __asm__ volatile("" : "+r"(v)); return v; }
static uint32_t hide32(uint32_t v) { __asm__ volatile("" : "+r"(v)); return v; }

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static uint64_t checksum;
static void mix(uint64_t v) { checksum = (checksum ^ v) * 0x100000001b3ull; }

static void u64(uint64_t n, uint64_t d, int show)
{
  uint64_t q = hide64(n) / hide64(d), r = hide64(n) % hide64(d);
  if (show) printf("u64 %016llx / %016llx = %016llx rem %016llx\n", n, d, q, r);
  if (q * d + r != n || r >= d) { failures++; printf("u64 %016llx / %016llx: inconsistent\n", n, d); }
  mix(q); mix(r);
}

static void s64(int64_t n, int64_t d, int show)
{
  if (n == INT64_MIN_ && d == -1) {
    if (show) printf("s64 %lld / %lld: overflow, not divided\n", n, d);
    return;
  }
  int64_t q = (int64_t)hide64(n) / (int64_t)hide64(d), r = (int64_t)hide64(n) % (int64_t)hide64(d);
  if (show) printf("s64 %lld / %lld = %lld rem %lld\n", n, d, q, r);
  if ((uint64_t)q * (uint64_t)d + (uint64_t)r != (uint64_t)n || (r != 0 && (r < 0) != (n < 0))) {
    failures++;
    printf("s64 %lld / %lld: inconsistent\n", n, d);
  }
  mix((uint64_t)q); mix((uint64_t)r);
}

static void u32(uint32_t n, uint32_t d, int show)
{
  uint32_t q = hide32(n) / hide32(d), r = hide32(n) % hide32(d);
  if (show) printf("u32 %u / %u = %u rem %u\n", (unsigned)n, (unsigned)d, (unsigned)q, (unsigned)r);
  if (q * d + r != n || r >= d) { failures++; printf("u32 %u / %u: inconsistent\n", (unsigned)n, (unsigned)d); }
  mix(q); mix(r);
}

static void s32(int32_t n, int32_t d, int show)
{
  if (n == (int32_t)0x80000000 && d == -1) {
    if (show) printf("s32 %d / %d: overflow, not divided\n", (int)n, (int)d);
    return;
  }
  int32_t q = (int32_t)hide32(n) / (int32_t)hide32(d), r = (int32_t)hide32(n) % (int32_t)hide32(d);
  if (show) printf("s32 %d / %d = %d rem %d\n", (int)n, (int)d, (int)q, (int)r);
  if ((uint32_t)q * (uint32_t)d + (uint32_t)r != (uint32_t)n) { failures++; printf("s32 %d / %d: inconsistent\n", (int)n, (int)d); }
  mix((uint32_t)q); mix((uint32_t)r);
}

static const uint64_t e64[] = {
  0, 1, 2, 3, 7, 10, 0xffffffffull, 0x100000000ull, 0x100000001ull, 0x123456789abcdefull,
  0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull,
  0x00000001fffffffeull, 0xdeadbeefcafebabeull, 1000000007ull, 10000000000000000000ull,
};

static const uint32_t e32[] = {
  0, 1, 2, 3, 7, 10, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x12345678, 65536, 1000000007,
};

int main(void)
{
  printf("div64: edge cases\n");
  for (unsigned i = 0; i < N_ELEMS(e64); i++)
    for (unsigned j = 0; j < N_ELEMS(e64); j++)
      if (e64[j] != 0) {
        u64(e64[i], e64[j], 1);
        s64((int64_t)e64[i], (int64_t)e64[j], 1);
      }
  for (unsigned i = 0; i < N_ELEMS(e32); i++)
    for (unsigned j = 0; j < N_ELEMS(e32); j++)
      if (e32[j] != 0) {
        u32(e32[i], e32[j], 1);
        s32((int32_t)e32[i], (int32_t)e32[j], 1);
      }
  s64(INT64_MIN_, -1, 1);
  s64(INT64_MIN_, 1, 1);
  s64(INT64_MIN_, INT64_MIN_, 1);
  s64(-7, 2, 1);
  s64(7, -2, 1);
  s64(-7, -2, 1);
  s32(-7, 2, 1);
  s32(7, -2, 1);
  s32(-7, -2, 1);
  printf("div64: edge checksum %016llx\n", checksum);

  /* Random operands with random magnitudes, so that every path of the long division is taken. */
  for (unsigned round = 0; round < 8; round++) {
    for (unsigned k = 0; k < 500; k++) {
      uint64_t n = next() >> (next() & 63);
      uint64_t d = next() >> (next() & 63);
      if (d == 0) d = 1;
      u64(n, d, 0);
      s64((int64_t)n, (int64_t)d, 0);
      s64(-(int64_t)n, (int64_t)d, 0);
      uint32_t n32 = (uint32_t)next() >> (next() & 31), d32 = (uint32_t)next() >> (next() & 31);
      if (d32 == 0) d32 = 3;
      u32(n32, d32, 0);
      s32((int32_t)n32, -(int32_t)d32, 0);
    }
    printf("div64: random round %u checksum %016llx\n", round, checksum);
  }

  /* Constant divisors compile to multiply-high sequences instead of calls. */
  uint64_t acc = 0;
  for (uint32_t v = 1; v < 100000; v = v * 3 + 7) {
    uint64_t big = (uint64_t)v * 0x10001ull * v;
    acc += big / 10 + big % 1000 + v / 7 + (uint32_t)((int32_t)(0 - v) / 13);
  }
  printf("div64: constant divisors %016llx\n", acc);
  return finish("div64");
}
