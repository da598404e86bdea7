/* Semihosting console and a small printf, with no C library underneath. */

#include "semihost.h"

int semihost_call(int op, const void *arg)
{
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
#ifdef __thumb__
  __asm__ volatile("svc 0xab" : "+r"(r0) : "r"(r1) : "memory");  /* the Thumb semihosting SVC */
#else
  __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
#endif
  return r0;
}

void putchar_sh(int c)
{
  char ch = (char)c;
  flush_sh();
  semihost_call(SYS_WRITEC, &ch);
}

static char line[256];
static unsigned line_len;

void flush_sh(void)
{
  if (line_len == 0) return;
  line[line_len] = 0;
  semihost_call(SYS_WRITE0, line);
  line_len = 0;
}

static void line_put(void *ctx, char c)
{
  (void)ctx;
  line[line_len++] = c;
  if (c == '\n' || line_len == sizeof line - 1) flush_sh();
}

void puts_sh(const char *s)
{
  while (*s) line_put(0, *s++);
  line_put(0, '\n');
}

struct bounded { char *buf; unsigned size; unsigned len; };

static void bounded_put(void *ctx, char c)
{
  struct bounded *b = ctx;
  if (b->len + 1 < b->size) b->buf[b->len] = c;
  b->len++;
}

typedef void (*sink)(void *ctx, char c);

static int format(sink put, void *ctx, const char *fmt, va_list ap)
{
  int count = 0;
  for (; *fmt; fmt++) {
    if (*fmt != '%') { put(ctx, *fmt); count++; continue; }
    fmt++;
    int left = 0, zero = 0, width = 0, longs = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') { longs++; fmt++; }

    char tmp[24];
    const char *text = tmp;
    int len = 0;
    int negative = 0;
    switch (*fmt) {
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'p': {
        unsigned long long v;
        int is_signed = *fmt == 'd' || *fmt == 'i';
        if (*fmt == 'p') v = (unsigned)va_arg(ap, void *);
        else if (longs >= 2) v = va_arg(ap, unsigned long long);
        else v = va_arg(ap, unsigned);
        if (is_signed) {
          long long s = longs >= 2 ? (long long)v : (long long)(int)v;
          if (s < 0) { negative = 1; v = 0 - (unsigned long long)s; }
        }
        unsigned base = (*fmt == 'x' || *fmt == 'X' || *fmt == 'p') ? 16 : 10;
        const char *digits = *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        char *p = tmp + sizeof tmp;
        do {
          *--p = digits[v % base];
          v /= base;
        } while (v);
        text = p;
        len = tmp + sizeof tmp - p;
        break;
      }
      case 'c': tmp[0] = (char)va_arg(ap, int); len = 1; break;
      case 's': text = va_arg(ap, const char *); if (!text) text = "(null)"; while (text[len]) len++; break;
      case '%': tmp[0] = '%'; len = 1; break;
      case 0: return count;
      default: tmp[0] = '%'; tmp[1] = *fmt; len = 2; break;
    }
    int pad = width - len - negative;
    if (!left && !zero) while (pad-- > 0) { put(ctx, ' '); count++; }
    if (negative) { put(ctx, '-'); count++; }
    if (!left && zero) while (pad-- > 0) { put(ctx, '0'); count++; }
    for (int i = 0; i < len; i++) { put(ctx, text[i]); count++; }
    if (left) while (pad-- > 0) { put(ctx, ' '); count++; }
  }
  return count;
}

int vprintf(const char *fmt, va_list ap)
{
  return format(line_put, 0, fmt, ap);
}

int printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int vsnprintf(char *buf, unsigned size, const char *fmt, va_list ap)
{
  struct bounded b = { buf, size, 0 };
  int n = format(bounded_put, &b, fmt, ap);
  if (size) buf[b.len < size ? b.len : size - 1] = 0;
  return n;
}

int snprintf(char *buf, unsigned size, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
