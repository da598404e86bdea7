/*
 * The Cortex-A9 global timer (PERIPHBASE + 0x200) as the hypervisor's 64-bit
 * clock: it counts PERIPHCLK (CPU clock / 4) cycles from boot. Domain CPU time
 * is accounted in these cycles and converted with libgcc's signed 64-bit
 * division __divdi3 (the Cortex-A9 has no divide instruction; called by name
 * so that every conversion runs the same libgcc routine, a fixed target for
 * fault injection).
 */
#include "hyp.h"

#define GT_BASE 0x50040200u
#define GT_COUNTER_LO 0x00
#define GT_COUNTER_HI 0x04
#define GT_CONTROL    0x08
#define GT_ENABLE     1u

#define PERIPHCLK_HZ 250000000u       /* 1 GHz Cortex-A9, PERIPHCLK = CLK / 4 */

u32 clock_hz;
static u32 cycles_per_us;

void clock_init(void)
{
    write32(GT_BASE + GT_CONTROL, 0);
    write32(GT_BASE + GT_COUNTER_LO, 0);
    write32(GT_BASE + GT_COUNTER_HI, 0);
    write32(GT_BASE + GT_CONTROL, GT_ENABLE);      /* prescaler 0: one count per PERIPHCLK */
    clock_hz = PERIPHCLK_HZ;
    cycles_per_us = clock_hz / 1000000u;
}

/* The 64-bit count, read high-low-high so that a carry between the halves is seen. */
u64 clock_cycles(void)
{
    u32 hi, lo, again;
    do {
        hi = read32(GT_BASE + GT_COUNTER_HI);
        lo = read32(GT_BASE + GT_COUNTER_LO);
        again = read32(GT_BASE + GT_COUNTER_HI);
    } while (hi != again);
    return ((u64)hi << 32) | lo;
}

s64 __divdi3(s64 a, s64 b);

s64 cycles_to_us(s64 cycles)
{
    return __divdi3(cycles, (s64)cycles_per_us);
}
