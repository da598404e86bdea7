/*
 * Tegra20 legacy interrupt controller (LIC, 0x60004000): four banks of 32
 * sources at a 0x100 stride, source n = SPI n. Every SoC interrupt reaches
 * both the GIC and the LIC; a source classed FIQ here and enabled for the CPU
 * drives the CPU's FIQ line, as Android's FIQ debugger sets up the console
 * UART (the GIC keeps that ID disabled, so it is not also taken as an IRQ).
 */
#include "hyp.h"

#define LIC_BASE 0x60004000u
#define LIC_BANK(n) (LIC_BASE + 0x100u * (n))
#define VFIQ_CPU      0x08
#define CPU_IER_SET   0x24
#define CPU_IER_CLR   0x28
#define CPU_IEP_CLASS 0x2c

void lic_route_fiq(u32 spi)
{
    u32 bank = LIC_BANK(spi / 32), bit = 1u << (spi % 32);
    write32(bank + CPU_IEP_CLASS, read32(bank + CPU_IEP_CLASS) | bit);
    write32(bank + CPU_IER_SET, bit);
}

u32 lic_fiq_pending(u32 spi)
{
    return (read32(LIC_BANK(spi / 32) + VFIQ_CPU) >> (spi % 32)) & 1;
}

void lic_disable_all(void)
{
    for (u32 b = 0; b < 4; b++) {
        write32(LIC_BANK(b) + CPU_IER_CLR, 0xffffffffu);
        write32(LIC_BANK(b) + CPU_IEP_CLASS, 0);
    }
}
