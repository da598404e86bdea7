/*
 * Console: formatted output, the domain output mux ("[name] " before every
 * line of a domain) and the GDB remote-protocol mode (console=gdb), where every
 * write becomes one `$O<hex>#<checksum>` packet. Every write also goes, as
 * plain text, to the framebuffer console (fb.c). Writes hold a lock that
 * masks FIQ, so the FIQ debugger's output never lands inside another line.
 * Input arrives as FIQ and is handled by the FIQ debugger (fiq.c).
 */
#include <stdarg.h>
#include "hyp.h"

static int gdb_mode;

void con_set_gdb(int on)
{
    gdb_mode = on;
}

static void raw_write(const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}

static void gdb_packet(const char *s, unsigned n)
{
    static const char hex[] = "0123456789abcdef";
    u8 sum = 'O';
    uart_putc('$');
    uart_putc('O');
    for (unsigned i = 0; i < n; i++) {
        char h = hex[(u8)s[i] >> 4], l = hex[s[i] & 15];
        uart_putc(h);
        uart_putc(l);
        sum += (u8)h + (u8)l;
    }
    uart_putc('#');
    uart_putc(hex[sum >> 4]);
    uart_putc(hex[sum & 15]);
}

static spinlock_t con_lock;

/*
 * A fault in the hypervisor may have interrupted a console write that holds
 * the lock: the dump and the panic must still be printed (single CPU, so
 * nobody else is inside).
 */
void con_force_unlock(void)
{
    con_lock.locked = 0;
}

void con_write(const char *s, unsigned n)
{
    if (!n)
        return;
    u32 flags = spin_lock_irqsave(&con_lock);
    if (gdb_mode)
        gdb_packet(s, n);
    else
        raw_write(s, n);
    fb_write(s, n);
    spin_unlock_irqrestore(&con_lock, flags);
}

/* ---- formatting ---- */

struct out { char *buf; unsigned size, len; };

static void out_c(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_num(struct out *o, u32 v, u32 base, int width, char pad, int neg)
{
    char tmp[12];
    int n = 0;
    do {
        u32 d = v % base;
        tmp[n++] = d < 10 ? '0' + d : 'a' + d - 10;
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (; width > n; width--)
        out_c(o, pad);
    while (n)
        out_c(o, tmp[--n]);
}

int vformat_ap(char *buf, unsigned size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_c(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, left = 0;
        if (*fmt == '-') { left = 1; fmt++; }
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        switch (*fmt) {
        case 'd': {
            s32 v = va_arg(ap, s32);
            out_num(&o, v < 0 ? -(u32)v : (u32)v, 10, width, pad, v < 0);
            break;
        }
        case 'u': out_num(&o, va_arg(ap, u32), 10, width, pad, 0); break;
        case 'x': out_num(&o, va_arg(ap, u32), 16, width, pad, 0); break;
        case 'c': out_c(&o, (char)va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            unsigned n = strlen(s);
            if (!left)
                for (; width > (int)n; width--) out_c(&o, ' ');
            while (*s) out_c(&o, *s++);
            for (; width > (int)n; width--) out_c(&o, ' ');
            break;
        }
        case '%': out_c(&o, '%'); break;
        default: out_c(&o, '?'); break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return o.len;
}

int ksnprintf(char *buf, unsigned size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vformat_ap(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vformat_ap(buf, sizeof buf, fmt, ap);
    va_end(ap);
    con_write(buf, n < (int)sizeof buf ? (unsigned)n : sizeof buf - 1);
}

/* ---- the domain mux: whole lines, prefixed with the domain's name ---- */

#define LINE_MAX 120
static struct { char buf[LINE_MAX + 24]; unsigned len; } lines[MAX_DOMAINS];

void con_domain_flush(int dom)
{
    if (lines[dom].len) {
        con_write(lines[dom].buf, lines[dom].len);
        lines[dom].len = 0;
    }
}

void con_domain_write(int dom, const char *s, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (!lines[dom].len)
            lines[dom].len = ksnprintf(lines[dom].buf, 24, "[%s] ", domains[dom].cfg.name);
        lines[dom].buf[lines[dom].len++] = s[i];
        if (s[i] == '\n' || lines[dom].len >= sizeof lines[dom].buf - 1) {
            if (s[i] != '\n')
                lines[dom].buf[lines[dom].len++] = '\n';
            con_domain_flush(dom);
        }
    }
}

void con_flush_all(void)
{
    for (u32 i = 0; i < ndomains; i++)
        con_domain_flush(i);
}
