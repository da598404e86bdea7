/* Hypercall stub and console printing for guests. */
#include <stdarg.h>
#include "guest.h"

int hypercall(int nr, unsigned a0, unsigned a1)
{
    register unsigned r0 __asm__("r0") = a0;
    register unsigned r1 __asm__("r1") = a1;
    register int r7 __asm__("r7") = nr;
    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r1), "r"(r7) : "memory");
    return (int)r0;
}

static void num(char *buf, unsigned *n, unsigned v, unsigned base)
{
    char tmp[12];
    int k = 0;
    do { tmp[k++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
    while (k) buf[(*n)++] = tmp[--k];
}

/* %d %u %x %s %c; one console write per call. */
void print(const char *fmt, ...)
{
    char buf[128];
    unsigned n = 0;
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt && n < sizeof buf - 12; fmt++) {
        if (*fmt != '%') { buf[n++] = *fmt; continue; }
        switch (*++fmt) {
        case 'd': { int v = va_arg(ap, int); if (v < 0) { buf[n++] = '-'; v = -v; } num(buf, &n, v, 10); break; }
        case 'u': num(buf, &n, va_arg(ap, unsigned), 10); break;
        case 'x': num(buf, &n, va_arg(ap, unsigned), 16); break;
        case 'c': buf[n++] = (char)va_arg(ap, int); break;
        case 's': for (const char *s = va_arg(ap, const char *); *s && n < sizeof buf - 12; s++) buf[n++] = *s; break;
        default: buf[n++] = *fmt; break;
        }
    }
    va_end(ap);
    hypercall(HYP_CONSOLE_WRITE, (unsigned)buf, n);
}
