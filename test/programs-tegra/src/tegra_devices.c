/*
 * tegra_devices: the Tegra20 devices a bring-up touches first, on tegra2-xoom.
 *
 *  1. GIC: distributor and CPU0 interface enabled, priority mask, SPIs for
 *     TMR1 (ID 32), TMR2 (33), the display (105) and UARTD (122) targeted at
 *     CPU0 and enabled.
 *  2. Tegra timers: TMR1 periodic at 1000 us taken five times through the GIC
 *     IRQ handler (IAR, tick count, TMRUS time, cleared with PCR bit 30); TMR2
 *     and TMR1 one-shot; then, with IRQs masked, a level interrupt followed
 *     through pending, active-and-pending, active and idle, and a spurious IAR.
 *  3. UARTD with interrupts: the receive interrupt (IER bit 0) echoes the
 *     bytes the test injects from the IRQ handler; the THRE interrupt sends a
 *     buffered string 8 bytes per interrupt.
 *  4. Legacy interrupt controller: UARTD (SPI 90 = LIC bank 2 bit 26) routed
 *     as FIQ with CPU_IEP_CLASS and CPU_IER_SET and masked in the GIC, as a
 *     FIQ debugger does; the FIQ handler receives the next input bytes.
 *  5. Display: window A of DC scans out a 320x200 B5G6R5 frame buffer at
 *     16 MiB with a test pattern; three vblank interrupts through the GIC.
 *
 * Output goes to UARTD (polled); the last line is "tegra_devices: PASS" and
 * the program exits through semihosting. All times are TMRUS CNTR_1US
 * differences, which follow from virtual time alone.
 */

#include "runtime.h"
#include "tegra20.h"
#include "uartd.h"

static unsigned failed;

static void ucheck(const char *name, uint32_t got, uint32_t want)
{
  if (got == want) {
    uprintf("check %s: ok\n", name);
  } else {
    failed++;
    uprintf("check %s: FAILED got 0x%08x want 0x%08x\n", name, (unsigned)got, (unsigned)want);
  }
}

/* ---- time and waiting ---- */

static uint32_t now_us(void) { return REG(TMR + TMRUS_CNTR_1US); }

/* Waits for the next microsecond tick and returns its count. */
static uint32_t next_us(void)
{
  uint32_t t = now_us(), u;
  while ((u = now_us()) == t) {}
  return u;
}

/*
 * Sleeps in WFI until *v reaches want. The check runs with IRQ and FIQ masked
 * so that an interrupt between the check and the WFI cannot be lost (WFI
 * wakes on a pending interrupt even while it is masked); restoring the mask
 * then takes it.
 */
static void wait_until(volatile unsigned *v, unsigned want)
{
  for (;;) {
    uint32_t saved = read_cpsr();
    __asm__ volatile("cpsid if" ::: "memory");
    if (*v >= want) {
      __asm__ volatile("msr cpsr_c, %0" :: "r"(saved) : "memory");
      return;
    }
    __asm__ volatile("wfi" ::: "memory");
    __asm__ volatile("msr cpsr_c, %0" :: "r"(saved) : "memory");
  }
}

/* ---- interrupt state shared with the handlers ---- */

#define PERIODIC_TICKS 5
#define VBLANKS 3
#define TX_PER_THRE 8

static volatile uint32_t t_origin;
static volatile unsigned tmr1_periodic, tmr1_ticks, tmr1_last_us, tmr2_ticks;
static volatile unsigned uart_irqs, rx_lines, thre_irqs, tx_done, first_thre_iir;
static volatile unsigned fiqs, fiq_lines;
static volatile unsigned vblanks, vblank_last_us, unexpected_irqs, spurious_irqs;
static const char *volatile tx_buf;
static volatile unsigned tx_pos, tx_len;

static const char tx_text[] = "  [sent by the THRE interrupt handler, 8 bytes per interrupt]\n";

static uint32_t gic_bit(unsigned reg_base, unsigned id)
{
  return (REG(GICD + reg_base + 4 * (id / 32)) >> (id % 32)) & 1;
}

/* Reads every byte in the receive FIFO and echoes it; returns how many, and counts '\r' as a line end. */
static unsigned drain_and_echo(volatile unsigned *lines)
{
  unsigned n = 0;
  while (REG(UARTD + UART_LSR) & LSR_DR) {
    char c = (char)REG(UARTD + UART_RBR);
    n++;
    if (c == '\r') { uart_puts("<CR>"); (*lines)++; }
    else uart_putc(c);
  }
  return n;
}

static const char *iir_name(uint32_t iir)
{
  switch (iir & IIR_ID) {
    case IIR_RDI: return "rx data";
    case IIR_TIMEOUT: return "rx timeout";
    case IIR_THRI: return "thr empty";
    case IIR_NO_INT: return "none";
    default: return "other";
  }
}

static void tmr1_irq(uint32_t iar)
{
  uint32_t t = now_us() - t_origin;
  uint32_t count = REG(TMR + TMR1_PCR) & PCR_COUNT;
  REG(TMR + TMR1_PCR) = PCR_INTR_CLR;
  unsigned n = ++tmr1_ticks;
  /* Stop in the handler: the tick count is exact however late the main loop runs. */
  if (tmr1_periodic && n == PERIODIC_TICKS) REG(TMR + TMR1_PTV) = 0;
  tmr1_last_us = t;
  uprintf("  irq: iar=0x%08x TMR1 %s %u at +%u us, PCR count %u\n",
          (unsigned)iar, tmr1_periodic ? "tick" : "one-shot", n, (unsigned)t, (unsigned)count);
}

static void tmr2_irq(uint32_t iar)
{
  uint32_t t = now_us() - t_origin;
  REG(TMR + TMR2_PCR) = PCR_INTR_CLR;
  tmr2_ticks++;
  uprintf("  irq: iar=0x%08x TMR2 one-shot at +%u us, PTV now 0x%08x\n",
          (unsigned)iar, (unsigned)t, (unsigned)REG(TMR + TMR2_PTV));
}

static void uartd_irq(uint32_t iar)
{
  uint32_t iir = REG(UARTD + UART_IIR) & 0xff;
  uart_irqs++;
  switch (iir & IIR_ID) {
    case IIR_RDI:
    case IIR_TIMEOUT: {
      uprintf("  irq: iar=0x%08x at %u us UARTD IIR=0x%02x (%s), echo \"", (unsigned)iar, (unsigned)now_us(),
              (unsigned)iir, iir_name(iir));
      unsigned n = drain_and_echo(&rx_lines);
      uprintf("\" (%u byte%s)\n", n, n == 1 ? "" : "s");
      break;
    }
    case IIR_THRI: {
      /* Reading IIR acknowledged THRE; refilling THR re-arms it. */
      if (thre_irqs++ == 0) first_thre_iir = iir;
      for (unsigned i = 0; i < TX_PER_THRE && tx_pos < tx_len; i++) REG(UARTD + UART_THR) = (uint8_t)tx_buf[tx_pos++];
      if (tx_pos == tx_len) {
        REG(UARTD + UART_IER) = IER_RDI;
        tx_done = 1;
      }
      break;
    }
    default:
      unexpected_irqs++;
      uprintf("  irq: iar=0x%08x UARTD unexpected IIR=0x%02x\n", (unsigned)iar, (unsigned)iir);
  }
}

static void dc_irq(uint32_t iar)
{
  uint32_t t = now_us() - t_origin;
  uint32_t status = DC_REG(DC_CMD_INT_STATUS);
  DC_REG(DC_CMD_INT_STATUS) = status; /* write 1 to clear */
  unsigned n = ++vblanks;
  vblank_last_us = t;
  if (n == VBLANKS) {
    DC_REG(DC_CMD_INT_ENABLE) = 0;
    DC_REG(DC_CMD_INT_MASK) = 0;
  }
  uprintf("  irq: iar=0x%08x DC INT_STATUS=0x%08x vblank %u at +%u us\n",
          (unsigned)iar, (unsigned)status, n, (unsigned)t);
}

static void on_irq(struct exc_frame *f)
{
  (void)f;
  uint32_t iar = REG(GICC + GICC_IAR);
  unsigned id = iar & 0x3ff;
  switch (id) {
    case GIC_SPURIOUS: spurious_irqs++; return;
    case ID_TMR1: tmr1_irq(iar); break;
    case ID_TMR2: tmr2_irq(iar); break;
    case ID_UARTD: uartd_irq(iar); break;
    case ID_DC: dc_irq(iar); break;
    default:
      unexpected_irqs++;
      uprintf("  irq: unexpected iar=0x%08x\n", (unsigned)iar);
  }
  REG(GICC + GICC_EOIR) = iar;
}

/* The FIQ comes from the legacy interrupt controller, not the GIC: no IAR/EOI. */
static void on_fiq(struct exc_frame *f)
{
  (void)f;
  uint32_t t = now_us();
  uint32_t mode = read_cpsr() & 0x1f;
  uint32_t vfiq = REG(LIC_BANK(2) + LIC_VFIQ_CPU);
  uint32_t virq = REG(LIC_BANK(2) + LIC_VIRQ_CPU);
  uint32_t isr = REG(LIC_BANK(2) + LIC_ISR);
  uint32_t pend = gic_bit(0x200, ID_UARTD), en = gic_bit(0x100, ID_UARTD);
  uint32_t iir = REG(UARTD + UART_IIR) & 0xff;
  fiqs++;
  uprintf("  fiq: at %u us mode=0x%02x VFIQ_CPU[2]=0x%08x VIRQ_CPU[2]=0x%08x ISR[2]=0x%08x GIC 122 pending=%u enabled=%u\n",
          (unsigned)t, (unsigned)mode, (unsigned)vfiq, (unsigned)virq, (unsigned)isr, (unsigned)pend, (unsigned)en);
  uprintf("  fiq: UARTD IIR=0x%02x (%s), echo \"", (unsigned)iir, iir_name(iir));
  unsigned n = drain_and_echo(&fiq_lines);
  uprintf("\" (%u byte%s)\n", n, n == 1 ? "" : "s");
}

/* ---- 1. GIC ---- */

static void gic_enable_spi(unsigned id, uint8_t prio)
{
  *(volatile uint8_t *)(uintptr_t)(GICD + GICD_IPRIORITYR(id)) = prio;
  *(volatile uint8_t *)(uintptr_t)(GICD + GICD_ITARGETSR(id)) = 0x01; /* CPU0 */
  REG(GICD + GICD_ISENABLER(id / 32)) = 1u << (id % 32);
}

static void gic_setup(void)
{
  uint32_t typer = REG(GICD + GICD_TYPER);
  uprintf("[gic] GICD_TYPER ITLinesNumber=%u (%u interrupt IDs) CPUNumber=%u (%u CPUs)\n",
          (unsigned)(typer & 0x1f), (unsigned)(32 * ((typer & 0x1f) + 1)),
          (unsigned)((typer >> 5) & 7), (unsigned)(((typer >> 5) & 7) + 1));
  REG(GICD + GICD_CTLR) = 0;
  gic_enable_spi(ID_TMR1, 0xa0);
  gic_enable_spi(ID_TMR2, 0xa0);
  gic_enable_spi(ID_DC, 0xa0);
  gic_enable_spi(ID_UARTD, 0x80);
  REG(GICC + GICC_PMR) = 0xf0;
  REG(GICC + GICC_CTLR) = 1;
  REG(GICD + GICD_CTLR) = 1;
  uprintf("  ISENABLER1=0x%08x ISENABLER3=0x%08x PMR=0x%02x prio(32)=0x%02x prio(122)=0x%02x target(122)=0x%02x\n",
          (unsigned)REG(GICD + GICD_ISENABLER(1)), (unsigned)REG(GICD + GICD_ISENABLER(3)),
          (unsigned)REG(GICC + GICC_PMR),
          (unsigned)*(volatile uint8_t *)(uintptr_t)(GICD + GICD_IPRIORITYR(ID_TMR1)),
          (unsigned)*(volatile uint8_t *)(uintptr_t)(GICD + GICD_IPRIORITYR(ID_UARTD)),
          (unsigned)*(volatile uint8_t *)(uintptr_t)(GICD + GICD_ITARGETSR(ID_UARTD)));
  set_handler(EXC_IRQ, on_irq);
  set_handler(EXC_FIQ, on_fiq);
  __asm__ volatile("cpsie i" ::: "memory");
}

/* ---- 2. timers ---- */

static void timers(void)
{
  uprintf("[timers] TMR1 periodic, 1000 us (PTV=0x%08x)\n", (unsigned)(PTV_EN | PTV_PER | 999));
  tmr1_periodic = 1;
  t_origin = next_us();
  REG(TMR + TMR1_PTV) = PTV_EN | PTV_PER | 999;
  wait_until(&tmr1_ticks, PERIODIC_TICKS);
  uprintf("  TMR1: %u ticks in %u us (CNTR_1US), PTV now 0x%08x\n",
          (unsigned)tmr1_ticks, (unsigned)tmr1_last_us, (unsigned)REG(TMR + TMR1_PTV));
  ucheck("tmr1 periodic ticks", tmr1_ticks, PERIODIC_TICKS);
  ucheck("tmr1 5 periods in us", tmr1_last_us, PERIODIC_TICKS * 1000);

  uprintf("[timers] TMR2 one-shot 2500 us, TMR1 one-shot 6000 us\n");
  tmr1_periodic = 0;
  tmr1_ticks = 0;
  t_origin = next_us();
  REG(TMR + TMR2_PTV) = PTV_EN | 2499;
  REG(TMR + TMR1_PTV) = PTV_EN | 5999;
  uint32_t count2 = REG(TMR + TMR2_PCR) & PCR_COUNT;
  uprintf("  armed: TMR2 PCR count %u\n", (unsigned)count2);
  wait_until(&tmr1_ticks, 1);
  uprintf("  TMR2 fired %u time(s) in %u us; PTV TMR1=0x%08x TMR2=0x%08x\n", (unsigned)tmr2_ticks,
          (unsigned)tmr1_last_us, (unsigned)REG(TMR + TMR1_PTV), (unsigned)REG(TMR + TMR2_PTV));
  ucheck("tmr2 one-shot fired once", tmr2_ticks, 1);
  ucheck("one-shot enable bits clear", (REG(TMR + TMR1_PTV) | REG(TMR + TMR2_PTV)) & PTV_EN, 0);

  /* A level interrupt step by step, with IRQs masked. */
  uprintf("[gic] TMR2 one-shot 10 us with IRQs masked\n");
  __asm__ volatile("cpsid i" ::: "memory");
  t_origin = next_us();
  REG(TMR + TMR2_PTV) = PTV_EN | 9;
  while (now_us() - t_origin < 11) {}
  uint32_t pend0 = REG(GICD + GICD_ISPENDR(1)), hppir = REG(GICC + GICC_HPPIR);
  uint32_t iar = REG(GICC + GICC_IAR);
  uint32_t rpr = REG(GICC + GICC_RPR);
  uint32_t pend1 = REG(GICD + GICD_ISPENDR(1)), act1 = REG(GICD + GICD_ISACTIVER(1));
  REG(TMR + TMR2_PCR) = PCR_INTR_CLR;
  uint32_t pend2 = REG(GICD + GICD_ISPENDR(1)), act2 = REG(GICD + GICD_ISACTIVER(1));
  REG(GICC + GICC_EOIR) = iar;
  uint32_t act3 = REG(GICD + GICD_ISACTIVER(1)), rpr3 = REG(GICC + GICC_RPR);
  uint32_t iar2 = REG(GICC + GICC_IAR);
  __asm__ volatile("cpsie i" ::: "memory");
  uprintf("  expired: ISPENDR1=0x%08x HPPIR=%u\n", (unsigned)pend0, (unsigned)hppir);
  uprintf("  IAR=0x%08x RPR=0x%02x, line still high: ISPENDR1=0x%08x ISACTIVER1=0x%08x\n",
          (unsigned)iar, (unsigned)rpr, (unsigned)pend1, (unsigned)act1);
  uprintf("  PCR bit 30 written: ISPENDR1=0x%08x ISACTIVER1=0x%08x\n", (unsigned)pend2, (unsigned)act2);
  uprintf("  EOIR written: ISACTIVER1=0x%08x RPR=0x%02x; IAR again=%u (spurious)\n",
          (unsigned)act3, (unsigned)rpr3, (unsigned)iar2);
  ucheck("masked level interrupt acknowledged", iar, ID_TMR2);
  ucheck("spurious IAR", iar2, GIC_SPURIOUS);
}

/* ---- 3. UARTD ---- */

static void uart_irqs_phase(void)
{
  /* 115200 8N1 from the 216 MHz PLL_P clock: divisor 117. FIFO on, receive trigger 4 bytes. */
  REG(UARTD + UART_LCR) = 0x83;
  REG(UARTD + UART_DLL) = 117;
  REG(UARTD + UART_DLM) = 0;
  REG(UARTD + UART_LCR) = 0x03;
  REG(UARTD + UART_FCR) = 0x47;
  REG(UARTD + UART_IER) = IER_RDI;
  uprintf("[uartd] IER=0x%02x IIR=0x%02x LSR=0x%02x, waiting for a line from the host\n",
          (unsigned)REG(UARTD + UART_IER), (unsigned)REG(UARTD + UART_IIR), (unsigned)REG(UARTD + UART_LSR));
  wait_until(&rx_lines, 1);
  uprintf("  line received in %u receive interrupts\n", (unsigned)uart_irqs);
  ucheck("uartd rx interrupts", uart_irqs, 2);

  uprintf("[uartd] THRE interrupt sends %u buffered bytes:\n", (unsigned)(sizeof tx_text - 1));
  unsigned before = uart_irqs;
  tx_buf = tx_text;
  tx_len = sizeof tx_text - 1;
  tx_pos = 0;
  REG(UARTD + UART_IER) = IER_RDI | IER_THRI;
  wait_until(&tx_done, 1);
  uprintf("  THRE: %u bytes in %u interrupts, first IIR=0x%02x, IER now 0x%02x\n",
          (unsigned)tx_pos, (unsigned)thre_irqs, (unsigned)first_thre_iir, (unsigned)REG(UARTD + UART_IER));
  ucheck("thre interrupts", thre_irqs, (sizeof tx_text - 1 + TX_PER_THRE - 1) / TX_PER_THRE);
  ucheck("uartd irqs during thre", uart_irqs - before, thre_irqs);
}

/* ---- 4. LIC FIQ routing ---- */

static void fiq_phase(void)
{
  const uint32_t bit = 1u << (SPI_UARTD % 32);
  uprintf("[lic] UARTD (SPI %u = bank %u bit %u) routed as FIQ\n", SPI_UARTD, SPI_UARTD / 32, SPI_UARTD % 32);
  REG(GICD + GICD_ICENABLER(ID_UARTD / 32)) = 1u << (ID_UARTD % 32);
  REG(LIC_BANK(2) + LIC_CPU_IEP_CLASS) |= bit;
  REG(LIC_BANK(2) + LIC_CPU_IER_SET) = bit;
  uprintf("  CPU_IER[2]=0x%08x CPU_IEP_CLASS[2]=0x%08x GIC 122 enabled=%u\n",
          (unsigned)REG(LIC_BANK(2) + LIC_CPU_IER), (unsigned)REG(LIC_BANK(2) + LIC_CPU_IEP_CLASS),
          (unsigned)gic_bit(0x100, ID_UARTD));
  unsigned irqs_before = uart_irqs;
  __asm__ volatile("cpsie f" ::: "memory");
  wait_until(&fiq_lines, 1);
  __asm__ volatile("cpsid f" ::: "memory");
  REG(LIC_BANK(2) + LIC_CPU_IER_CLR) = bit;
  REG(LIC_BANK(2) + LIC_CPU_IEP_CLASS) &= ~bit;
  uprintf("  %u FIQs, %u UARTD IRQs meanwhile; CPU_IER[2]=0x%08x after CPU_IER_CLR\n",
          (unsigned)fiqs, (unsigned)(uart_irqs - irqs_before), (unsigned)REG(LIC_BANK(2) + LIC_CPU_IER));
  ucheck("fiqs", fiqs, 2);
  ucheck("uartd irqs while routed to fiq", uart_irqs - irqs_before, 0);
}

/* ---- 5. display ---- */

#define FB_ADDR 0x01000000u
#define FB_W 320
#define FB_H 200
#define FB_STRIDE (FB_W * 2)

static volatile uint16_t *const fb = (volatile uint16_t *)(uintptr_t)FB_ADDR;

static uint16_t rgb565(unsigned r, unsigned g, unsigned b)
{
  return (uint16_t)(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3));
}

static void fill(int x0, int y0, int w, int h, uint16_t c)
{
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++) fb[y * FB_W + x] = c;
}

static void frame(int x0, int y0, int w, int h, int t, uint16_t c)
{
  fill(x0, y0, w, t, c);
  fill(x0, y0 + h - t, w, t, c);
  fill(x0, y0, t, h, c);
  fill(x0 + w - t, y0, t, h, c);
}

static void draw_pattern(void)
{
  static const uint8_t bars[8][3] = {
    { 255, 255, 255 }, { 255, 255, 0 }, { 0, 255, 255 }, { 0, 255, 0 },
    { 255, 0, 255 }, { 255, 0, 0 }, { 0, 0, 255 }, { 0, 0, 0 },
  };
  fill(0, 0, FB_W, FB_H, rgb565(16, 16, 48));
  /* Colour bars, the top half. */
  for (int i = 0; i < 8; i++) fill(i * 40, 0, 40, 100, rgb565(bars[i][0], bars[i][1], bars[i][2]));
  /* Three 32-step ramps: red, green, blue. */
  for (int s = 0; s < 32; s++) {
    unsigned v = s * 255 / 31;
    fill(s * 10, 100, 10, 12, rgb565(v, 0, 0));
    fill(s * 10, 112, 10, 12, rgb565(0, v, 0));
    fill(s * 10, 124, 10, 12, rgb565(0, 0, v));
  }
  /* A checkerboard, rectangles and an outlined box in the bottom part. */
  for (int y = 140; y < 196; y += 8)
    for (int x = 4; x < 100; x += 8)
      fill(x, y, 8, 8, ((x / 8 + y / 8) & 1) ? rgb565(255, 255, 255) : rgb565(0, 0, 0));
  fill(116, 146, 60, 40, rgb565(255, 128, 0));
  fill(140, 156, 60, 34, rgb565(0, 160, 80));
  frame(216, 144, 96, 48, 3, rgb565(255, 255, 0));
  fill(240, 160, 48, 16, rgb565(200, 0, 200));
  /* A 2-pixel white border round the whole frame. */
  frame(0, 0, FB_W, FB_H, 2, rgb565(255, 255, 255));
}

static void display(void)
{
  uprintf("[dc] 320x200 B5G6R5 frame buffer at 0x%08x, window A\n", FB_ADDR);
  draw_pattern();
  /* The bring-up order of tegra2.md section 6 (U-Boot's). */
  DC_REG(DC_CMD_DISPLAY_WINDOW_HEADER) = WINDOW_A_SELECT;
  DC_REG(DC_WIN_COLOR_DEPTH) = WIN_COLOR_DEPTH_B5G6R5;
  DC_REG(DC_WIN_POSITION) = 0;
  DC_REG(DC_WIN_SIZE) = (FB_H << 16) | FB_W;
  DC_REG(DC_WIN_PRESCALED_SIZE) = (FB_H << 16) | FB_STRIDE;
  DC_REG(DC_WIN_DDA_INCREMENT) = (0x1000 << 16) | 0x1000;
  DC_REG(DC_WIN_LINE_STRIDE) = FB_STRIDE;
  DC_REG(DC_WINBUF_START_ADDR) = FB_ADDR;
  DC_REG(DC_WINBUF_ADDR_H_OFFSET) = 0;
  DC_REG(DC_WINBUF_ADDR_V_OFFSET) = 0;
  DC_REG(DC_WIN_OPTIONS) = WIN_ENABLE;
  DC_REG(DC_DISP_ACTIVE) = (FB_H << 16) | FB_W;
  DC_REG(DC_CMD_STATE_CONTROL) = GENERAL_UPDATE | WIN_A_UPDATE;
  DC_REG(DC_CMD_STATE_CONTROL) = GENERAL_ACT_REQ | WIN_A_ACT_REQ;
  while (DC_REG(DC_CMD_STATE_CONTROL) & (GENERAL_ACT_REQ | WIN_A_ACT_REQ)) {}
  uprintf("  WIN_OPTIONS=0x%08x WIN_SIZE=0x%08x DISP_ACTIVE=0x%08x, act requests done\n",
          (unsigned)DC_REG(DC_WIN_OPTIONS), (unsigned)DC_REG(DC_WIN_SIZE), (unsigned)DC_REG(DC_DISP_ACTIVE));

  t_origin = next_us();
  DC_REG(DC_CMD_DISPLAY_COMMAND) = DISP_CTRL_MODE_C_DISPLAY;
  DC_REG(DC_CMD_INT_ENABLE) = VBLANK_INT;
  DC_REG(DC_CMD_INT_MASK) = VBLANK_INT;
  uprintf("  DISPLAY_COMMAND=0x%08x (continuous), vblank interrupt enabled\n",
          (unsigned)DC_REG(DC_CMD_DISPLAY_COMMAND));
  wait_until(&vblanks, VBLANKS);
  ucheck("vblanks", vblanks, VBLANKS);
  ucheck("vblank 3 at 3/60 s", vblank_last_us, 50000);
}

int main(void)
{
  uprintf("tegra_devices: Tegra20 GIC, timers, UARTD, LIC FIQ and display on tegra2-xoom\n");
  gic_setup();
  timers();
  uart_irqs_phase();
  fiq_phase();
  display();
  uprintf("  unexpected IRQs %u, spurious IRQs %u\n", (unsigned)unexpected_irqs, (unsigned)spurious_irqs);
  ucheck("no unexpected interrupts", unexpected_irqs + spurious_irqs, 0);
  if (failed) uprintf("tegra_devices: FAIL (%u failed)\n", failed);
  else uprintf("tegra_devices: PASS\n");
  return failed ? 1 : 0;
}
