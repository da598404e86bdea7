/* GIC (Cortex-A9 MPCore, PERIPHBASE 0x50040000): distributor and CPU interface. */
#include "hyp.h"

#define GICD 0x50041000u
#define GICC 0x50040100u
#define GICD_CTLR       0x000
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10

void gic_init(void)
{
    write32(GICD + GICD_CTLR, 0);
    for (u32 i = 0; i < 160 / 32; i++)
        write32(GICD + GICD_ICENABLER + 4 * i, 0xffffffffu);
    write32(GICD + GICD_CTLR, 1);
    write32(GICC + GICC_PMR, 0xf0);
    write32(GICC + GICC_CTLR, 1);
}

/* A secondary CPU's banked CPU interface and its kick SGI. */
void gic_cpu_init(void)
{
    volatile u8 *prio = (volatile u8 *)(GICD + GICD_IPRIORITYR);
    prio[1] = 0xa0;
    write32(GICD + GICD_ISENABLER, 1u << 1);
    write32(GICC + GICC_PMR, 0xf0);
    write32(GICC + GICC_CTLR, 1);
}

void gic_enable(u32 id)
{
    volatile u8 *prio = (volatile u8 *)(GICD + GICD_IPRIORITYR);
    volatile u8 *target = (volatile u8 *)(GICD + GICD_ITARGETSR);
    prio[id] = 0xa0;
    if (id >= 32)
        target[id] = 1;  /* CPU0 */
    write32(GICD + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
}

void gic_enable_on(u32 id, u32 cpu)
{
    volatile u8 *prio = (volatile u8 *)(GICD + GICD_IPRIORITYR);
    volatile u8 *target = (volatile u8 *)(GICD + GICD_ITARGETSR);
    prio[id] = 0xa0;
    target[id] = 1u << cpu;
    write32(GICD + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
}

u32 gic_ack(void)
{
    return read32(GICC + GICC_IAR) & 0x3ff;
}

void gic_eoi(u32 id)
{
    write32(GICC + GICC_EOIR, id);
}

void gic_disable_all(void)
{
    for (u32 i = 0; i < 160 / 32; i++)
        write32(GICD + GICD_ICENABLER + 4 * i, 0xffffffffu);
    write32(GICD + GICD_CTLR, 0);
    write32(GICC + GICC_CTLR, 0);
}
