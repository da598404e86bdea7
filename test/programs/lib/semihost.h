/* Console output and exit through ARM semihosting (SVC 0x123456). */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdarg.h>
#include <stdint.h>

#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20

/* Raw semihosting call: r0 = op, r1 = arg; returns r0. */
int semihost_call(int op, const void *arg);

void putchar_sh(int c);             /* SYS_WRITEC, unbuffered */
void puts_sh(const char *s);        /* SYS_WRITE0 of s, then a newline */

/*
 * printf subset: %d %i %u %x %X %c %s %p %%, with optional '-' and '0' flags,
 * a width, and the 'l' / 'll' length modifiers (%lld %llu %llx for 64 bits).
 * Output is buffered per line and written with SYS_WRITE0.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, unsigned size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, unsigned size, const char *fmt, va_list ap);
void flush_sh(void);

void exit(int code) __attribute__((noreturn));

#endif
