/*
 * uart_slow_reader: a UARTD console reader that polls, one byte at a time,
 * and then spends READ_GAP_US doing something else before it looks again.
 *
 * With its 32-byte receive FIFO enabled, a reader this slow keeps up with
 * typing at 115200 baud (a byte every 86.8 us) but not with a long line put
 * into the FIFO all at once: the FIFO overruns (LSR OE) and loses the tail.
 * test/integration/uart-line-rate.test.ts types a 200-byte line both ways.
 *
 * It reads until a newline, or until nothing has arrived for IDLE_END_US,
 * then prints what it got on UARTD and exits through semihosting:
 *
 *   uart_slow_reader: ready
 *   received N bytes, overruns M, first gap G us
 *   line: <the bytes, '\n' shown as <LF>>
 *
 * The first gap is the time from the first byte to the second as the reader
 * saw it (TMRUS), so the output shows the pace the bytes came at.
 */

#include "runtime.h"
#include "tegra20.h"
#include "uartd.h"

#define READ_GAP_US 60u
#define IDLE_END_US 5000u
#define MAX_LINE 512u
#define LSR_OE 0x02u
#define FCR_ENABLE_CLEAR 0x07u  /* FIFO on, both FIFOs cleared, receive trigger 1 byte */

static uint32_t now_us(void) { return REG(TMR + TMRUS_CNTR_1US); }

static void wait_us(uint32_t us)
{
  uint32_t start = now_us();
  while (now_us() - start < us) {}
}

static char line[MAX_LINE];

int main(void)
{
  /* 115200 8N1 from the 216 MHz UART clock (divisor 117), FIFOs on, no interrupts. */
  REG(UARTD + UART_LCR) = 0x83;
  REG(UARTD + UART_DLL) = 117;
  REG(UARTD + UART_DLM) = 0;
  REG(UARTD + UART_LCR) = 0x03;
  REG(UARTD + UART_IER) = 0;
  REG(UARTD + UART_FCR) = FCR_ENABLE_CLEAR;
  (void)REG(UARTD + UART_LSR);
  uart_puts("uart_slow_reader: ready\n");

  unsigned n = 0, overruns = 0;
  uint32_t first = 0, gap = 0, last = now_us();
  for (;;) {
    uint32_t lsr = REG(UARTD + UART_LSR);
    if (lsr & LSR_OE) overruns++;
    if (!(lsr & LSR_DR)) {
      /* Nothing yet: end once the line has been quiet for IDLE_END_US (after a first byte). */
      if (n && now_us() - last >= IDLE_END_US) break;
      continue;
    }
    char c = (char)REG(UARTD + UART_RBR);
    last = now_us();
    if (n == 0) first = last;
    else if (n == 1) gap = last - first;
    if (n < MAX_LINE) line[n] = c;
    n++;
    if (c == '\n') break;
    /* The reader's other work: it does not look at the UART for a while. */
    wait_us(READ_GAP_US);
  }

  uprintf("received %u bytes, overruns %u, first gap %u us\n", n, overruns, (unsigned)gap);
  uart_puts("line: ");
  for (unsigned i = 0; i < n && i < MAX_LINE; i++) {
    if (line[i] == '\n') uart_puts("<LF>");
    else uart_putc(line[i]);
  }
  uart_putc('\n');
  return 0;
}
