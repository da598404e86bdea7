/*
 * A CPU-bound domain: it never yields or blocks, so other domains run only if
 * the hypervisor preempts it (sched=preempt). Its work is 64-bit arithmetic,
 * which on this CPU (no divide instruction) is libgcc's __aeabi_uldivmod and
 * __aeabi_ldivmod/__divdi3; it first prints a few quotients whose values are
 * known, then `rounds=N` rounds (default 4) of about 3 ms each.
 */
#include "lib/guest.h"

typedef unsigned long long u64;
typedef long long s64;

static volatile u64 big = 0xffffffffffffffffull, ten = 10;
static volatile s64 neg = -9000000000000000000ll, seven = 7;

/* Decimal text of v (64-bit division by 10 per digit). */
static char *u64_text(u64 v, char *end)
{
    *--end = 0;
    do { *--end = '0' + (char)(v % 10); v /= 10; } while (v);
    return end;
}

static char *s64_text(s64 v, char *end)
{
    char *p = u64_text(v < 0 ? -(u64)v : (u64)v, end);
    if (v < 0) *--p = '-';
    return p;
}

static unsigned rounds_arg(const char *a)
{
    static const char key[] = "rounds=";
    for (; *a; a++) {
        unsigned k = 0;
        while (key[k] && a[k] == key[k]) k++;
        if (!key[k]) {
            unsigned v = 0;
            for (a += k; *a >= '0' && *a <= '9'; a++) v = v * 10 + (*a - '0');
            return v ? v : 4;
        }
    }
    return 4;
}

int main(void)
{
    static struct hyp_domain_info info;
    char b1[24], b2[24], b3[24];
    hyp_info(&info);
    u64 q = big / ten, r = big % ten;
    print("spin: 64-bit division: %s / 10 = %s remainder %s\n", u64_text(big, b1 + 24), u64_text(q, b2 + 24),
          u64_text(r, b3 + 24));
    s64 sq = neg / seven, sr = neg % seven;
    print("spin: signed 64-bit division: %s / 7 = %s remainder %s\n", s64_text(neg, b1 + 24), s64_text(sq, b2 + 24),
          s64_text(sr, b3 + 24));
    unsigned rounds = rounds_arg(info.args);
    u64 acc = 0x123456789abcdefull;
    for (unsigned i = 1; i <= rounds; i++) {
        for (unsigned k = 1; k <= 6000; k++)
            acc = acc * 6364136223846793005ull / (k | 1) + 1442695040888963407ull;
        print("spin: dom%u round %u/%u, checksum %s\n", info.id, i, rounds, u64_text(acc, b1 + 24));
    }
    print("spin: done after %u rounds\n", rounds);
    return 0;
}

void guest_upcall(unsigned ports)
{
}
