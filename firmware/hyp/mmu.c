/*
 * Address spaces. Every domain has its own first-level table: the hypervisor
 * (low DRAM from 1 MiB, the devices) as global privileged-only sections, and
 * the domain's memory at GUEST_VA_BASE as user-accessible 4 KiB pages, tagged
 * with the domain's ASID (nG). Text pages are user read-only and executable,
 * every other page is read-write and execute-never.
 *
 * SCTLR.AFE=1: AP[0] is the access flag. Domain pages start with it clear, so
 * the first touch of each page takes an access-flag fault that the hypervisor
 * counts per domain, sets the flag and retries. VA 0..1 MiB is unmapped so a
 * NULL dereference is a translation fault.
 */
#include "hyp.h"
#include "../include/hypercall.h"

#define SECT 0x2u
#define SECT_B (1u << 2)
#define SECT_C (1u << 3)
#define SECT_XN (1u << 4)
#define SECT_AP0 (1u << 10)       /* access flag with AFE=1; AP[2:1]=00: privileged only */
#define SECT_TEX1 (1u << 12)
#define SECT_NORMAL (SECT | SECT_TEX1 | SECT_C | SECT_B | SECT_AP0)
#define SECT_DEVICE (SECT | SECT_B | SECT_XN | SECT_AP0)
#define SECT_UNCACHED (SECT | SECT_TEX1 | SECT_XN | SECT_AP0)   /* Normal, non-cacheable: the framebuffer */
#define TTBR_WALK_WBWA ((1u << 6) | (1u << 3))                /* IRGN = RGN = write-back write-allocate */

#define PAGE 0x2u
#define PAGE_XN (1u << 0)
#define PAGE_B (1u << 2)
#define PAGE_C (1u << 3)
#define PAGE_AF (1u << 4)          /* AP[0] */
#define PAGE_AP1 (1u << 5)         /* user access */
#define PAGE_TEX1 (1u << 6)
#define PAGE_AP2 (1u << 9)         /* read-only */
#define PAGE_NG (1u << 11)
#define PAGE_USER (PAGE | PAGE_B | PAGE_C | PAGE_TEX1 | PAGE_AP1 | PAGE_NG)

#define L2_PER_DOMAIN 16           /* 16 MiB of memory at most */

static u32 hyp_l1[4096] __attribute__((aligned(16384)));
static u32 dom_l1[MAX_DOMAINS][4096] __attribute__((aligned(16384)));
static u32 dom_l2[MAX_DOMAINS][L2_PER_DOMAIN][256] __attribute__((aligned(1024)));

static const u32 device_sections[] = { 0x500, 0x542, 0x600, 0x700 };

/* Table entries written with the data cache on: cleaned to where the walker reads (PoU). */
static void clean_tables(const void *p, u32 len)
{
    for (u32 a = (u32)p & ~31u; a < (u32)p + len; a += 32)
        CP15_WRITE(c7, 0, c11, 1, a);             /* DCCMVAU */
    dsb();
}

void mmu_init(void)
{
    for (u32 i = 1; i < 448; i++)             /* DRAM bank 0 from 1 MiB */
        hyp_l1[i] = (i << 20) | SECT_NORMAL;
    for (u32 i = 0; i < sizeof device_sections / sizeof device_sections[0]; i++)
        hyp_l1[device_sections[i]] = (device_sections[i] << 20) | SECT_DEVICE;
    for (u32 a = FB_PA; a < FB_PA + FB_SIZE; a += MiB)
        hyp_l1[a >> 20] = a | SECT_UNCACHED;
    dsb();
    CP15_WRITE(c2, 0, c0, 2, 0);              /* TTBCR: TTBR0 only */
    CP15_WRITE(c3, 0, c0, 0, 1);              /* DACR: domain 0 client */
    CP15_WRITE(c2, 0, c0, 0, (u32)hyp_l1 | TTBR_WALK_WBWA);    /* TTBR0 */
    CP15_WRITE(c13, 0, c0, 1, 0);             /* CONTEXTIDR: ASID 0 = hypervisor only */
    CP15_WRITE(c8, 0, c7, 0, 0);              /* TLBIALL */
    dsb();
    isb();
    u32 sctlr = CP15_READ(c1, 0, c0, 0);
    sctlr |= (1u << 0) | (1u << 29);          /* M, AFE */
    CP15_WRITE(c1, 0, c0, 0, sctlr);
    isb();
}

/* A secondary CPU: the hypervisor's tables, as mmu_init left the boot CPU. */
void mmu_secondary_init(void)
{
    CP15_WRITE(c2, 0, c0, 2, 0);
    CP15_WRITE(c3, 0, c0, 0, 1);
    CP15_WRITE(c2, 0, c0, 0, (u32)hyp_l1 | TTBR_WALK_WBWA);
    CP15_WRITE(c13, 0, c0, 1, 0);
    CP15_WRITE(c8, 0, c7, 0, 0);
    dsb();
    isb();
}

void mmu_build_domain(struct domain *d, u32 text_lo, u32 text_hi)
{
    u32 idx = d->id;
    d->l1 = dom_l1[idx];
    d->l2 = dom_l2[idx];
    memcpy(d->l1, hyp_l1, sizeof hyp_l1);
    u32 pages = d->cfg.memory >> 12;
    for (u32 p = 0; p < pages; p++) {
        u32 va = GUEST_VA_BASE + (p << 12);
        u32 attr = (va >= text_lo && va < text_hi) ? PAGE_AP2 : PAGE_XN;
        d->l2[p >> 8][p & 255] = (d->pa + (p << 12)) | PAGE_USER | attr;    /* access flag clear */
    }
    for (u32 m = 0; m < (pages + 255) / 256; m++)
        d->l1[(GUEST_VA_BASE >> 20) + m] = (u32)d->l2[m] | 1;         /* page table, domain 0 */
    clean_tables(d->l1, sizeof hyp_l1);
    clean_tables(d->l2, pages * 4);
    CP15_WRITE(c8, 0, c3, 2, d->asid);        /* TLBIASIDIS: forget a previous life, on every CPU */
    CP15_WRITE(c7, 0, c1, 0, 0);              /* ICIALLUIS: new code, on every CPU */
    dsb();
    isb();
}

/* Switch to d's address space (NULL: the hypervisor's); ASID 0 while TTBR0 changes. */
void mmu_switch(struct domain *d)
{
    CP15_WRITE(c13, 0, c0, 1, 0);
    isb();
    CP15_WRITE(c2, 0, c0, 0, (d ? (u32)d->l1 : (u32)hyp_l1) | TTBR_WALK_WBWA);
    isb();
    CP15_WRITE(c13, 0, c0, 1, d ? d->asid : 0);
    isb();
}

/* An access-flag fault on a domain page: the first touch. 1 = handled. */
int mmu_access_flag_fault(struct domain *d, u32 va)
{
    if (va < GUEST_VA_BASE || va - GUEST_VA_BASE >= d->cfg.memory)
        return 0;
    u32 p = (va - GUEST_VA_BASE) >> 12;
    d->l2[p >> 8][p & 255] |= PAGE_AF;
    clean_tables(&d->l2[p >> 8][p & 255], 4);
    CP15_WRITE(c8, 0, c3, 1, (va & ~0xfffu) | d->asid);   /* TLBIMVAIS */
    dsb();
    isb();
    d->af_faults++;
    return 1;
}
