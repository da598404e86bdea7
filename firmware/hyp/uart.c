/*
 * NS16550 UARTD (0x70006300, registers on a 4-byte stride): the console.
 * Output is polled. Input raises the UART's receive interrupt, which the
 * legacy interrupt controller delivers as FIQ to the FIQ debugger (fiq.c).
 */
#include "hyp.h"

#define UART_BASE 0x70006300u
#define RBR 0x00  /* receive buffer (read) / THR (write) */
#define IER 0x04
#define FCR 0x08
#define LCR 0x0c
#define LSR 0x14
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define IER_RDI  0x01

void uart_init(void)
{
    write32(UART_BASE + LCR, 0x03);        /* 8n1; the boot loader set the baud rate */
    write32(UART_BASE + FCR, 0x05);        /* FIFOs on, TX cleared (keep typed-ahead input) */
    write32(UART_BASE + IER, 0);
}

void uart_putc(char c)
{
    while (!(read32(UART_BASE + LSR) & LSR_THRE))
        ;
    write32(UART_BASE + RBR, (u8)c);
}

int uart_getc(void)
{
    if (!(read32(UART_BASE + LSR) & LSR_DR))
        return -1;
    return (u8)read32(UART_BASE + RBR);
}

/* Receive-data interrupt on: SPI 90, routed by the caller (FIQ through the LIC). */
void uart_enable_rx(void)
{
    write32(UART_BASE + IER, IER_RDI);
}

void uart_disable(void)
{
    write32(UART_BASE + IER, 0);
}
