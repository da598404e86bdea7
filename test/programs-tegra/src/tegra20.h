/*
 * Tegra20 (and Cortex-A9 MPCore) register addresses used by the test
 * programs. Sources: docs/tegra2.md sections 1, 2, 3, 6, 7;
 * machine/boards/tegra2-xoom.yaml.
 */
#ifndef TEGRA20_H
#define TEGRA20_H

#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))

/* GIC (PERIPHBASE 0x50040000): CPU interface at +0x100, distributor at +0x1000. */
#define GICC 0x50040100u
#define GICD 0x50041000u
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n) (0x200 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_IPRIORITYR(id) (0x400 + (id))   /* byte per ID */
#define GICD_ITARGETSR(id) (0x800 + (id))    /* byte per ID */
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GIC_SPURIOUS 1023

/* GIC IDs = 32 + SPI (tegra2.md section 7). */
#define ID_TMR1 32
#define ID_TMR2 33
#define ID_DC 105
#define ID_UARTD 122
#define SPI_UARTD 90

/* Timers (tegra2.md section 2). */
#define TMR 0x60005000u
#define TMR1_PTV 0x00
#define TMR1_PCR 0x04
#define TMR2_PTV 0x08
#define TMR2_PCR 0x0c
#define TMRUS_CNTR_1US 0x10
#define PTV_EN (1u << 31)
#define PTV_PER (1u << 30)
#define PCR_INTR_CLR (1u << 30)
#define PCR_COUNT 0x1fffffffu

/* Legacy interrupt controller: banks of 32 sources at a 0x100 stride. */
#define LIC 0x60004000u
#define LIC_BANK(n) (LIC + 0x100u * (n))
#define LIC_VIRQ_CPU 0x00
#define LIC_VFIQ_CPU 0x08
#define LIC_ISR 0x10
#define LIC_CPU_IER 0x20
#define LIC_CPU_IER_SET 0x24
#define LIC_CPU_IER_CLR 0x28
#define LIC_CPU_IEP_CLASS 0x2c

/* UARTD: NS16550A, registers on a 4-byte stride (reg-shift 2). */
#define UARTD 0x70006300u
#define UART_RBR 0x00
#define UART_THR 0x00
#define UART_DLL 0x00
#define UART_IER 0x04
#define UART_DLM 0x04
#define UART_IIR 0x08
#define UART_FCR 0x08
#define UART_LCR 0x0c
#define UART_MCR 0x10
#define UART_LSR 0x14
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_ID 0x0f
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_TIMEOUT 0x0c
#define LSR_DR 0x01
#define LSR_THRE 0x20

/* Display controller A: register offsets are word numbers (byte offset = word * 4). */
#define DC 0x54200000u
#define DC_REG(word) REG(DC + 4u * (word))
#define DC_CMD_DISPLAY_COMMAND 0x032
#define DC_CMD_INT_STATUS 0x037
#define DC_CMD_INT_MASK 0x038
#define DC_CMD_INT_ENABLE 0x039
#define DC_CMD_STATE_CONTROL 0x041
#define DC_CMD_DISPLAY_WINDOW_HEADER 0x042
#define DC_DISP_ACTIVE 0x409
#define DC_WIN_OPTIONS 0x700
#define DC_WIN_COLOR_DEPTH 0x703
#define DC_WIN_POSITION 0x704
#define DC_WIN_SIZE 0x705
#define DC_WIN_PRESCALED_SIZE 0x706
#define DC_WIN_DDA_INCREMENT 0x709
#define DC_WIN_LINE_STRIDE 0x70a
#define DC_WINBUF_START_ADDR 0x800
#define DC_WINBUF_ADDR_H_OFFSET 0x806
#define DC_WINBUF_ADDR_V_OFFSET 0x808
#define DISP_CTRL_MODE_C_DISPLAY (1u << 5)
#define GENERAL_ACT_REQ (1u << 0)
#define WIN_A_ACT_REQ (1u << 1)
#define GENERAL_UPDATE (1u << 8)
#define WIN_A_UPDATE (1u << 9)
#define WINDOW_A_SELECT (1u << 4)
#define WIN_ENABLE (1u << 30)
#define WIN_COLOR_DEPTH_B5G6R5 6
#define VBLANK_INT (1u << 2)

#endif
