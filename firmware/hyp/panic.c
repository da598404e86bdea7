/* Panic dumps: fault status decoded, registers, symbols, frame-pointer backtrace. */
#include <stdarg.h>
#include "hyp.h"
#include "symtab.h"

extern char __text_start[], __text_end[], __svc_stack_bottom[], __svc_stack_top[];

const char *symbol_lookup(u32 addr, u32 *offset)
{
    if (addr < (u32)__text_start || addr >= (u32)__text_end || !symtab_count)
        return NULL;
    u32 lo = 0, hi = symtab_count;          /* last symbol with addr <= the address */
    while (hi - lo > 1) {
        u32 mid = (lo + hi) / 2;
        if (symtab[mid].addr <= addr) lo = mid; else hi = mid;
    }
    if (symtab[lo].addr > addr)
        return NULL;
    *offset = addr - symtab[lo].addr;
    return symtab_names + symtab[lo].name;
}

/* Fault status names: ARM ARM B3.13.3, short-descriptor format (FS[4:0]). */
static const char *fault_name(u32 fsr)
{
    switch ((fsr & 0xf) | ((fsr >> 6) & 0x10)) {
    case 0x01: return "Alignment fault";
    case 0x02: return "Debug event";
    case 0x03: return "Access flag fault, section";
    case 0x04: return "Instruction cache maintenance fault";
    case 0x05: return "Translation fault, section";
    case 0x06: return "Access flag fault, page";
    case 0x07: return "Translation fault, page";
    case 0x08: return "Synchronous external abort, non-translation";
    case 0x09: return "Domain fault, section";
    case 0x0b: return "Domain fault, page";
    case 0x0c: return "Synchronous external abort on translation table walk, first level";
    case 0x0d: return "Permission fault, section";
    case 0x0e: return "Synchronous external abort on translation table walk, second level";
    case 0x0f: return "Permission fault, page";
    case 0x10: return "TLB conflict abort";
    case 0x16: return "Asynchronous external abort";
    case 0x18: return "Asynchronous parity error on memory access";
    case 0x19: return "Synchronous parity error on memory access";
    case 0x1c: return "Synchronous parity error on translation table walk, first level";
    case 0x1e: return "Synchronous parity error on translation table walk, second level";
    default: return "reserved fault status";
    }
}

const char *mode_name(u32 m)
{
    switch (m & 0x1f) {
    case MODE_USR: return "USR";
    case MODE_FIQ: return "FIQ";
    case MODE_IRQ: return "IRQ";
    case MODE_SVC: return "SVC";
    case MODE_ABT: return "ABT";
    case MODE_UND: return "UND";
    case MODE_SYS: return "SYS";
    default: return "???";
    }
}

void print_addr(const char *label, u32 addr, struct domain *d)
{
    u32 off;
    const char *sym = d ? domain_symbol(d, addr, &off) : symbol_lookup(addr, &off);
    if (sym)
        kprintf("%s0x%08x <%s+0x%x>%s\n", label, addr, sym, off, d ? " (domain)" : "");
    else
        kprintf("%s0x%08x%s\n", label, addr, d ? " (domain)" : "");
}

/* Reads a word of the interrupted context's memory, or returns 0 if out of range. */
static int read_word(struct domain *d, u32 va, u32 *v)
{
    if (va & 3)
        return 0;
    if (d) {
        u32 *p = guest_ptr(d, va, 4);
        if (!p) return 0;
        *v = *p;
        return 1;
    }
    if (va < (u32)__svc_stack_bottom || va >= (u32)__svc_stack_top)
        return 0;
    *v = *(u32 *)va;
    return 1;
}

/* APCS frames (-mapcs-frame): fp -> saved pc; [fp-4] lr, [fp-8] sp, [fp-12] caller's fp. */
void backtrace(u32 fp, struct domain *d)
{
    kprintf("  backtrace (frame pointers):\n");
    for (int depth = 0; depth < 16 && fp; depth++) {
        u32 lr, next;
        if (!read_word(d, fp - 4, &lr) || !read_word(d, fp - 12, &next))
            break;
        print_addr("    called from ", lr, d);
        if (next <= fp)
            break;
        fp = next;
    }
}

/* r0-r12, sp, lr, pc of a frame, four to a line (one kprintf per line). */
void print_regs(struct frame *f)
{
    for (int i = 0; i < 13; i += 4) {
        char buf[96];
        u32 n = 0;
        for (int j = i; j < i + 4 && j < 13; j++)
            n += ksnprintf(buf + n, sizeof buf - n, "%sr%d %08x  ", j < 10 ? " " : "", j, f->r[j]);
        if (i == 12)
            ksnprintf(buf + n, sizeof buf - n, " sp %08x   lr %08x   pc %08x", f->sp, f->lr, f->pc);
        kprintf("  %s\n", buf);
    }
}

void dump_frame(const char *kind, struct frame *f, struct domain *d)
{
    con_domain_flush(d ? d->id : 0);
    if (d)
        kprintf("\n*** DOMAIN FAULT: dom%u %s: %s\n", d->id, d->cfg.name, kind);
    else
        kprintf("\n*** HYPERVISOR FAULT: %s\n", kind);
    if (kind[0] == 'd') {
        u32 fsr = CP15_READ(c5, 0, c0, 0), far = CP15_READ(c6, 0, c0, 0);
        kprintf("  DFSR 0x%08x: %s, %s%s\n", fsr, fault_name(fsr), (fsr >> 11) & 1 ? "write" : "read",
                (fsr >> 12) & 1 ? ", external abort type" : "");
        kprintf("  DFAR 0x%08x\n", far);
    } else if (kind[0] == 'p') {
        u32 fsr = CP15_READ(c5, 0, c0, 1), far = CP15_READ(c6, 0, c0, 2);
        kprintf("  IFSR 0x%08x: %s\n", fsr, fault_name(fsr));
        kprintf("  IFAR 0x%08x\n", far);
    } else if (kind[0] == 'u') {
        u32 insn;
        int ok = d ? read_word(d, f->pc, &insn)
                   : f->pc >= (u32)__text_start && f->pc < (u32)__text_end && !(f->pc & 3);
        if (!d && ok)
            insn = *(const u32 *)f->pc;
        if (ok)
            kprintf("  instruction 0x%08x\n", insn);
    }
    print_addr("  pc ", f->pc, d);
    print_addr("  lr ", f->lr, d);
    print_regs(f);
    kprintf("  cpsr %08x  mode %s%s%s  (%s)\n", f->spsr, mode_name(f->spsr), f->spsr & 0x80 ? " I" : "",
            f->spsr & 0x40 ? " F" : "", d ? "interrupted domain" : "interrupted hypervisor");
    backtrace(f->r[11], d);
}

void panic(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vformat_ap(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("\n*** HYPERVISOR PANIC: %s\n", buf);
    hyp_halt("panic");
}
