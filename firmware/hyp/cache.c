/*
 * Caches: the Cortex-A9 L1 instruction and data caches (SCTLR.I/C), branch
 * prediction (SCTLR.Z) and the PL310 L2 controller at 0x50043000.
 *
 * Hypervisor and domain memory is Normal write-back write-allocate, inner
 * and outer; page-table walks are cacheable the same way (TTBR0 IRGN/RGN).
 * What the hypervisor writes that another observer reads is cleaned: page
 * tables (the walker), domain code it loads (the instruction side). The
 * framebuffer is mapped Normal non-cacheable, so the display controller sees
 * every store without maintenance.
 */
#include "hyp.h"

#define L2_BASE 0x50043000u
#define L2_CACHE_ID      0x000
#define L2_CACHE_TYPE    0x004
#define L2_CTRL          0x100
#define L2_AUX_CTRL      0x104
#define L2_TAG_LATENCY   0x108
#define L2_DATA_LATENCY  0x10c
#define L2_SYNC          0x730
#define L2_INV_WAY       0x77c
#define L2_CLEAN_INV_WAY 0x7fc

#define SCTLR_C (1u << 2)
#define SCTLR_Z (1u << 11)
#define SCTLR_I (1u << 12)

static void l2_op_all_ways(u32 reg, u32 ways)
{
    write32(L2_BASE + reg, ways);
    while (read32(L2_BASE + reg) & ways)
        ;
    write32(L2_BASE + L2_SYNC, 0);
    while (read32(L2_BASE + L2_SYNC) & 1)
        ;
}

static u32 l2_ways(void)
{
    return (read32(L2_BASE + L2_AUX_CTRL) >> 16) & 1 ? 16 : 8;
}

/* Set/way loop over L1 D (the only data cache level the CPU itself has). op: 0 invalidate, 1 clean+invalidate. */
static void l1d_setway(int op)
{
    CP15_WRITE(c0, 2, c0, 0, 0);                 /* CSSELR: L1 data */
    isb();
    u32 ccsidr = CP15_READ(c0, 1, c0, 0);
    u32 sets = ((ccsidr >> 13) & 0x7fff) + 1, ways = ((ccsidr >> 3) & 0x3ff) + 1;
    u32 line_shift = (ccsidr & 7) + 4, way_shift = 32 - 2;   /* 4 ways: way in bits 31:30 */
    if (ways > 4)
        way_shift = 32 - 3;
    for (u32 w = 0; w < ways; w++)
        for (u32 s = 0; s < sets; s++) {
            u32 sw = (w << way_shift) | (s << line_shift);
            if (op)
                CP15_WRITE(c7, 0, c14, 2, sw);   /* DCCISW */
            else
                CP15_WRITE(c7, 0, c6, 2, sw);    /* DCISW */
        }
    dsb();
}

void cache_init(void)
{
    u32 id = read32(L2_BASE + L2_CACHE_ID);
    if (!(read32(L2_BASE + L2_CTRL) & 1)) {
        /* Tegra20 latencies (as the Linux device tree gives them): tag 4/4/2, data 5/5/2 cycles. */
        write32(L2_BASE + L2_TAG_LATENCY, 0x331);
        write32(L2_BASE + L2_DATA_LATENCY, 0x441);
        l2_op_all_ways(L2_INV_WAY, (1u << l2_ways()) - 1);
        write32(L2_BASE + L2_CTRL, 1);
    }
    u32 aux = read32(L2_BASE + L2_AUX_CTRL);
    u32 field = (aux >> 17) & 7, way_kib = 8u << (field ? (field > 6 ? 6 : field) : 1);
    kprintf("l2: PL310 (cache id 0x%08x) %u ways x %u KiB = %u KiB, %s\n", id, l2_ways(),
            way_kib, l2_ways() * way_kib, read32(L2_BASE + L2_CTRL) & 1 ? "enabled" : "NOT enabled");

    l1d_setway(0);
    CP15_WRITE(c7, 0, c5, 0, 0);                 /* ICIALLU */
    CP15_WRITE(c7, 0, c5, 6, 0);                 /* BPIALL */
    dsb();
    isb();
    u32 sctlr = CP15_READ(c1, 0, c0, 0) | SCTLR_C | SCTLR_I | SCTLR_Z;
    CP15_WRITE(c1, 0, c0, 0, sctlr);
    isb();
    kprintf("l1: instruction and data caches on, branch prediction on\n");
}

/* Makes [va, va+len) of just-written code visible to instruction fetches. */
void cache_sync_icache(u32 va, u32 len)
{
    for (u32 a = va & ~31u; a < va + len; a += 32)
        CP15_WRITE(c7, 0, c11, 1, a);            /* DCCMVAU */
    dsb();
    CP15_WRITE(c7, 0, c5, 0, 0);                 /* ICIALLU */
    CP15_WRITE(c7, 0, c5, 6, 0);                 /* BPIALL */
    dsb();
    isb();
}

/* Writes every dirty line back to memory (L1 then L2). */
void cache_clean_dcache(void)
{
    l1d_setway(1);
    if (read32(L2_BASE + L2_CTRL) & 1)
        l2_op_all_ways(L2_CLEAN_INV_WAY, (1u << l2_ways()) - 1);
}

/* Before the power goes: caches written back and off, L2 disabled. */
void cache_off(void)
{
    u32 sctlr = CP15_READ(c1, 0, c0, 0) & ~(SCTLR_C | SCTLR_I | SCTLR_Z);
    CP15_WRITE(c1, 0, c0, 0, sctlr);
    isb();
    cache_clean_dcache();
    write32(L2_BASE + L2_CTRL, 0);
    dsb();
}
