/* Freestanding helpers: memory, strings, CRC-32. */
#include "hyp.h"

void *memcpy(void *d, const void *s, unsigned n)
{
    u8 *dp = d;
    const u8 *sp = s;
    if ((((u32)dp | (u32)sp | n) & 3) == 0) {
        for (; n; n -= 4, dp += 4, sp += 4)
            *(u32 *)dp = *(const u32 *)sp;
        return d;
    }
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, unsigned n)
{
    u8 *dp = d;
    if ((((u32)dp | n) & 3) == 0) {
        u32 w = (u8)c * 0x01010101u;
        for (; n; n -= 4, dp += 4)
            *(u32 *)dp = w;
        return d;
    }
    while (n--)
        *dp++ = (u8)c;
    return d;
}

int memcmp(const void *a, const void *b, unsigned n)
{
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

unsigned strlen(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

int strncmp(const char *a, const char *b, unsigned n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (u8)*a - (u8)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, ~0u);
}

void strlcpy(char *d, const char *s, unsigned n)
{
    unsigned i = 0;
    for (; i + 1 < n && s[i]; i++)
        d[i] = s[i];
    if (n)
        d[i] = 0;
}

/* CRC-32, IEEE 802.3 polynomial, as zlib (bitwise: small, fast enough). */
u32 crc32(const u8 *p, u32 n)
{
    u32 c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

/* Decimal or 0x-hex, optionally with a K/M suffix (KiB/MiB); 0 = bad. */
int parse_uint(const char *s, unsigned n, u32 *out)
{
    u32 v = 0, base = 10;
    unsigned i = 0;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= n)
        return 0;
    for (; i < n; i++) {
        char c = s[i];
        u32 dgt;
        if (c >= '0' && c <= '9')
            dgt = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            dgt = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            dgt = c - 'A' + 10;
        else if (i == n - 1 && (c == 'K' || c == 'k')) {
            v <<= 10;
            break;
        } else if (i == n - 1 && (c == 'M' || c == 'm')) {
            v <<= 20;
            break;
        } else
            return 0;
        v = v * base + dgt;
    }
    *out = v;
    return 1;
}
