/* Domains: memory, ELF loading, start, fault policy, shutdown. */
#include "hyp.h"
#include "../include/hypercall.h"

struct domain domains[MAX_DOMAINS];
u32 ndomains;

extern char _end[];
static u32 pool_next, pool_end;

#define PT_LOAD 1
#define PF_X 1

struct elf32_ehdr {
    u8 ident[16];
    u16 type, machine;
    u32 version, entry, phoff, shoff, flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf32_phdr { u32 type, offset, vaddr, paddr, filesz, memsz, flags, align; };
struct elf32_shdr { u32 name, type, flags, addr, offset, size, link, info, addralign, entsize; };
struct elf32_sym { u32 name, value, size; u8 info, other; u16 shndx; };

/* The function in d's ELF image (its .symtab) that contains addr, for fault dumps. */
const char *domain_symbol(struct domain *d, u32 addr, u32 *offset)
{
    const struct image *im = d->img;
    const struct elf32_ehdr *eh = (const void *)im->data;
    if (!eh->shoff || eh->shentsize != sizeof(struct elf32_shdr) || eh->shoff + eh->shnum * sizeof(struct elf32_shdr) > im->size)
        return NULL;
    const struct elf32_shdr *sh = (const void *)(im->data + eh->shoff);
    for (u32 i = 0; i < eh->shnum; i++) {
        if (sh[i].type != 2 || sh[i].link >= eh->shnum)          /* SHT_SYMTAB */
            continue;
        const struct elf32_shdr *str = &sh[sh[i].link];
        if (sh[i].offset + sh[i].size > im->size || str->offset + str->size > im->size)
            return NULL;
        const struct elf32_sym *sym = (const void *)(im->data + sh[i].offset);
        for (u32 k = 0; k < sh[i].size / sizeof *sym; k++)
            if ((sym[k].info & 0xf) == 2 && addr >= sym[k].value && addr - sym[k].value < sym[k].size &&
                sym[k].name < str->size) {
                *offset = addr - sym[k].value;
                return (const char *)im->data + str->offset + sym[k].name;
            }
    }
    return NULL;
}

/* Loads d's ELF into its memory, builds its address space and initial context. 0 = good. */
int domain_load(struct domain *d)
{
    const struct image *im = d->img;
    const struct elf32_ehdr *eh = (const void *)im->data;
    if (im->size < sizeof *eh || memcmp(eh->ident, "\177ELF\1\1", 6) || eh->machine != 40 || eh->type != 2) {
        kprintf("dom%u %s: image %s is not an ARM ELF executable\n", d->id, d->cfg.name, im->name);
        return -1;
    }
    memset((void *)d->pa, 0, d->cfg.memory);
    u32 text_lo = 0, text_hi = 0;
    for (u32 i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph = (const void *)(im->data + eh->phoff + i * eh->phentsize);
        if (ph->type != PT_LOAD || !ph->memsz)
            continue;
        if (ph->vaddr < GUEST_VA_BASE || ph->vaddr - GUEST_VA_BASE + ph->memsz > d->cfg.memory ||
            ph->offset + ph->filesz > im->size) {
            kprintf("dom%u %s: segment at 0x%08x (%u bytes) does not fit its %u bytes of memory\n", d->id,
                    d->cfg.name, ph->vaddr, ph->memsz, d->cfg.memory);
            return -1;
        }
        memcpy((void *)(d->pa + ph->vaddr - GUEST_VA_BASE), im->data + ph->offset, ph->filesz);
        if ((ph->flags & PF_X) && !text_hi) {
            text_lo = ph->vaddr & ~0xfffu;
            text_hi = (ph->vaddr + ph->memsz + 0xfff) & ~0xfffu;
        }
    }
    if (text_hi)
        cache_sync_icache(d->pa + text_lo - GUEST_VA_BASE, text_hi - text_lo);
    mmu_build_domain(d, text_lo, text_hi);
    memset(&d->ctx, 0, sizeof d->ctx);
    d->ctx.pc = eh->entry;
    d->ctx.sp = GUEST_VA_BASE + d->cfg.memory;
    d->ctx.spsr = MODE_USR;                   /* IRQ/FIQ enabled, ARM state */
    d->pending = d->mask = d->bound = d->reported = 0;
    d->cb_entry = d->cb_stack = 0;
    d->in_upcall = d->woken = 0;
    d->in_head = d->in_tail = 0;
    d->state = D_RUNNABLE;
    return 0;
}

void domains_create(const struct config *cfg)
{
    pool_next = ((u32)_end + MiB - 1) & ~(MiB - 1);
    pool_end = FB_PA;                         /* then the framebuffer; the initrd is placed at 128 MiB */
    for (u32 i = 0; i < cfg->ndom; i++) {
        struct domain *d = &domains[ndomains];
        memset(d, 0, sizeof *d);
        d->id = ndomains;
        d->asid = ndomains + 1;
        d->cfg = cfg->dom[i];
        for (u32 p = 0; p < 32; p++)
            d->peer_dom[p] = -1;
        u32 mem = (d->cfg.memory + 0xfffff) & ~0xfffffu;
        d->img = volume_find(d->cfg.image);
        if (!d->img) {
            kprintf("dom%u %s: no image '%s' in the boot volume: not started\n", d->id, d->cfg.name, d->cfg.image);
            continue;
        }
        if (mem == 0 || mem > 16 * MiB || pool_next + mem > pool_end) {
            kprintf("dom%u %s: cannot give it %u bytes of memory: not started\n", d->id, d->cfg.name, d->cfg.memory);
            continue;
        }
        d->cfg.memory = mem;
        d->pa = pool_next;
        pool_next += mem;
        if (domain_load(d))
            continue;
        kprintf("dom%u %s: starting image %s, %uK at 0x%08x (va 0x%08x), priority %u, asid %u, console %s, on-fault %s\n",
                d->id, d->cfg.name, d->img->name, mem >> 10, d->pa, GUEST_VA_BASE, d->cfg.priority, d->asid,
                d->cfg.console ? "on" : "off",
                d->cfg.on_fault == FAULT_KILL ? "kill" : d->cfg.on_fault == FAULT_RESTART ? "restart" : "panic");
        d->cpu = d->id % ncpus;
        if (ncpus > 1)
            kprintf("dom%u %s: pinned to CPU%u\n", d->id, d->cfg.name, d->cpu);
        ndomains++;
    }
}

/* The hypervisor's view of [va, va+len) in d's memory, or NULL if outside it. */
u32 *guest_ptr(struct domain *d, u32 va, u32 len)
{
    u32 off = va - GUEST_VA_BASE;
    if (va < GUEST_VA_BASE || off > d->cfg.memory || len > d->cfg.memory - off)
        return NULL;
    return (u32 *)(d->pa + off);
}

const char *domain_state_name(enum dstate s)
{
    static const char *const names[] = { "free", "runnable", "blocked", "dead" };
    return names[s];
}

void domain_report(struct domain *d)
{
    kprintf("dom%u %s: %u first-touch (access flag) faults, %u upcalls, %u hypercalls, %u preemptions, cpu %d us\n",
            d->id, d->cfg.name, d->af_faults, d->upcalls, d->hypercalls, d->preemptions,
            (s32)cycles_to_us((s64)d->cpu_cycles));
}

/* Console input for d (FIQ debugger -> HYP_CONSOLE_READ): a ring under a lock that masks FIQ. */
static spinlock_t input_lock;

int domain_input_put(struct domain *d, u8 c)
{
    u32 flags = spin_lock_irqsave(&input_lock);
    int ok = d->in_head - d->in_tail < INPUT_BUF;
    if (ok)
        d->input[d->in_head++ % INPUT_BUF] = c;
    spin_unlock_irqrestore(&input_lock, flags);
    return ok;
}

u32 domain_input_get(struct domain *d, u8 *buf, u32 len)
{
    u32 flags = spin_lock_irqsave(&input_lock), n = 0;
    while (n < len && d->in_tail != d->in_head)
        buf[n++] = d->input[d->in_tail++ % INPUT_BUF];
    spin_unlock_irqrestore(&input_lock, flags);
    return n;
}

int domain_input_pending(struct domain *d)
{
    return d->in_head != d->in_tail;
}

void domain_shutdown(struct domain *d, int code)
{
    con_domain_flush(d->id);
    d->state = D_DEAD;
    d->exit_code = code;
    kprintf("dom%u %s: shut down (code %d)\n", d->id, d->cfg.name, code);
    domain_report(d);
}

#define MAX_RESTARTS 3

/* A fault in d: its configuration says kill, restart or panic. */
void domain_fault(struct domain *d)
{
    con_domain_flush(d->id);
    if (d->cfg.on_fault == FAULT_PANIC)
        panic("dom%u %s faulted and its on-fault policy is panic", d->id, d->cfg.name);
    if (d->cfg.on_fault == FAULT_RESTART && d->restarts < MAX_RESTARTS) {
        d->restarts++;
        kprintf("dom%u %s: restarting (restart %u of %u)\n", d->id, d->cfg.name, d->restarts, MAX_RESTARTS);
        if (domain_load(d) == 0)
            return;
    }
    d->state = D_DEAD;
    d->exit_code = -1;
    kprintf("dom%u %s: killed\n", d->id, d->cfg.name);
    domain_report(d);
}
