/*
 * Polled output on UARTD, the Xoom's console, shared by the test programs.
 * uprintf formats on the caller's stack, so interrupt handlers can print too.
 */
#ifndef UARTD_H
#define UARTD_H

#include <stdarg.h>
#include "runtime.h"
#include "tegra20.h"

static inline void uart_putc(char c)
{
  while (!(REG(UARTD + UART_LSR) & LSR_THRE)) {}
  REG(UARTD + UART_THR) = (uint8_t)c;
}

static inline void uart_puts(const char *s)
{
  while (*s) uart_putc(*s++);
}

static inline void uprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void uprintf(const char *fmt, ...)
{
  char buf[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  uart_puts(buf);
}

#endif
