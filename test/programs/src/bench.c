/*
 * A CPU-bound workload for the interpreter benchmark: table-driven CRC32,
 * quicksort, an integer matrix multiply, a sieve and a 64-bit hash mix, each
 * folded into a checksum that is printed (no timing: output is deterministic).
 */

#include "runtime.h"

#ifndef ROUNDS
#define ROUNDS 7
#endif

static uint32_t lcg_state = 12345;
static uint32_t lcg(void) { lcg_state = lcg_state * 1664525u + 1013904223u; return lcg_state; }

static uint8_t data[65536];
static uint32_t crc_table[256];

static void crc_init(void)
{
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, unsigned n)
{
  uint32_t c = 0xffffffffu;
  while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

#define NSORT 16384
static uint32_t arr[NSORT];

static void quicksort(uint32_t *a, int lo, int hi)
{
  while (lo < hi) {
    uint32_t pivot = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    /* Recurse into the smaller half to bound the stack. */
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
}

#define N 48
static int32_t ma[N][N], mb[N][N], mc[N][N];

static uint32_t matmul(void)
{
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int32_t s = 0;
      for (int k = 0; k < N; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  uint32_t h = 0;
  for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) h = h * 31 + (uint32_t)mc[i][j];
  return h;
}

#define SIEVE 200000
static uint8_t composite[SIEVE];

static uint32_t sieve(void)
{
  memset(composite, 0, sizeof composite);
  uint32_t count = 0, sum = 0;
  for (uint32_t i = 2; i < SIEVE; i++) {
    if (composite[i]) continue;
    count++;
    sum += i;
    for (uint32_t j = i * 2; j < SIEVE; j += i) composite[j] = 1;
  }
  return count ^ (sum << 8);
}

static uint64_t mix64(uint64_t x)
{
  for (int i = 0; i < 200000; i++) {
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x += (uint64_t)i << 17;
  }
  return x;
}

int main(void)
{
  crc_init();
  uint32_t total = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (uint8_t)(lcg() >> 24);
    uint32_t crc = 0;
    for (int pass = 0; pass < 4; pass++) crc = crc * 31 + crc32(data + pass * 7, sizeof data - pass * 7);

    for (int i = 0; i < NSORT; i++) arr[i] = lcg();
    quicksort(arr, 0, NSORT - 1);
    uint32_t sorted = 1, sh = 0;
    for (int i = 1; i < NSORT; i++) { if (arr[i - 1] > arr[i]) sorted = 0; sh = sh * 33 + arr[i]; }

    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { ma[i][j] = (int32_t)(lcg() >> 20) - 2048; mb[i][j] = (int32_t)(lcg() >> 22) - 512; }
    uint32_t mm = matmul();
    uint32_t sv = sieve();
    uint64_t mx = mix64(((uint64_t)crc << 32) | mm);

    printf("round %d: crc32 %08x sort %s %08x matmul %08x sieve %08x mix %016llx\n", round, (unsigned)crc,
           sorted ? "ok" : "BAD", (unsigned)sh, (unsigned)mm, (unsigned)sv, (unsigned long long)mx);
    if (!sorted) failures++;
    total = total * 0x9e3779b1u + crc + sh + mm + sv + (uint32_t)mx + (uint32_t)(mx >> 32);
  }
  printf("bench checksum %08x\n", (unsigned)total);
  return finish("bench");
}
