/*
 * The FIQ debugger. The console UART's receive interrupt (UARTD, SPI 90) is
 * classed FIQ in the legacy interrupt controller and stays disabled in the
 * GIC, so typing reaches the hypervisor even while it runs with IRQs masked,
 * in its idle loop, or in a domain that never traps. The FIQ handler reads
 * the bytes and gives them to whoever has the console input:
 *
 *   the debugger (at boot): bytes form a line (backspace edits); Enter runs
 *       it as a command, echoed as "fiq> LINE"; Ctrl-A hands the input to
 *       the first domain with console=on;
 *   a domain: bytes go to its input queue (Enter as '\n'), which it reads
 *       with HYP_CONSOLE_READ; Ctrl-A hands the input to the next console
 *       domain, and after the last one back to the debugger.
 *
 * Commands run in the FIQ handler and inspect the context the FIQ
 * interrupted (a domain in USR mode, or the hypervisor in SVC mode). A
 * command is one function plus one row of the table at the end.
 */
#include "hyp.h"
#include "../include/hypercall.h"

#define CTRL_A 0x01
#define LINE_LEN 80
#define MAX_ARGS 6

u32 fiq_count;
static char line[LINE_LEN + 1];
static u32 line_len;
static int focus = -1;             /* -1: the debugger; otherwise the domain id that gets input */
static char last;                  /* previous byte, to take CR LF as one Enter */

static const struct fiq_cmd fiq_cmds[];

void fiq_init(void)
{
    uart_enable_rx();
    lic_route_fiq(SPI_UARTD);
    __asm__ volatile("cpsie f" ::: "memory");
}

/* The domain the FIQ interrupted, or NULL if it interrupted the hypervisor. */
static struct domain *interrupted(struct frame *f)
{
    return (f->spsr & 0x1f) == MODE_USR ? current : NULL;
}

static int parse_num(const char *s, u32 *v)
{
    return parse_uint(s, strlen(s), v);
}

static struct domain *domain_named(const char *s)
{
    u32 id;
    for (u32 i = 0; i < ndomains; i++)
        if (!strcmp(domains[i].cfg.name, s))
            return &domains[i];
    if (!strncmp(s, "dom", 3) && parse_num(s + 3, &id) && id < ndomains)
        return &domains[id];
    return NULL;
}

/* ---- commands ---- */

static void cmd_help(struct frame *f, int argc, char **argv)
{
    for (const struct fiq_cmd *c = fiq_cmds; c->name; c++) {
        char usage[32];
        ksnprintf(usage, sizeof usage, "%s %s", c->name, c->args);
        kprintf("  %-24s %s\n", usage, c->help);
    }
    kprintf("  Ctrl-A: console input to the next console domain (after the last: back here)\n");
}

/* regs N for the other CPU: the context it last resumed (its domain as of its last hypervisor entry). */
static void other_cpu_regs(u32 cpu)
{
    if (cpu >= ncpus || !cpu_online[cpu]) {
        kprintf("  CPU%u is not online\n", cpu);
        return;
    }
    struct domain *d = cpu_current[cpu];
    struct frame *f = &cpu_last[cpu];
    if (d)
        kprintf("  CPU%u: dom%u %s (%s mode), as of its last hypervisor entry\n", cpu, d->id, d->cfg.name, mode_name(f->spsr));
    else
        kprintf("  CPU%u: idle in the hypervisor\n", cpu);
    print_regs(f);
    print_addr("  pc ", f->pc, d);
    print_addr("  lr ", f->lr, d);
}

static void cmd_regs(struct frame *f, int argc, char **argv)
{
    u32 cpu;
    if (argc > 1) {
        if (!parse_num(argv[1], &cpu) || cpu >= MAX_CPUS) {
            kprintf("  regs: no CPU '%s' (0 to %u)\n", argv[1], MAX_CPUS - 1);
            return;
        }
        if (cpu != cpu_id()) {
            other_cpu_regs(cpu);
            return;
        }
    }
    struct domain *d = interrupted(f);
    if (d)
        kprintf("  interrupted: dom%u %s (%s mode)\n", d->id, d->cfg.name, mode_name(f->spsr));
    else
        kprintf("  interrupted: the hypervisor (%s mode)\n", mode_name(f->spsr));
    print_regs(f);
    print_addr("  pc ", f->pc, d);
    print_addr("  lr ", f->lr, d);
}

static void cmd_cpus(struct frame *f, int argc, char **argv)
{
    for (u32 k = 0; k < MAX_CPUS; k++) {
        if (k >= ncpus) {
            kprintf("  CPU%u: offline%s\n", k, ncpus == 1 ? " (maxcpus=1)" : "");
            continue;
        }
        struct domain *d = cpu_current[k];
        char what[40];
        if (d)
            ksnprintf(what, sizeof what, "runs dom%u %s", d->id, d->cfg.name);
        else
            ksnprintf(what, sizeof what, "idle");
        if (ncpus > 1)
            kprintf("  CPU%u: online, MPIDR 0x%08x, %s, %u hypervisor entries%s\n", k, 0x80000000u | k, what,
                    cpu_traps[k], k == cpu_id() ? " (this CPU)" : "");
        else
            kprintf("  CPU%u: online, MPIDR 0x%08x, %s (this CPU)\n", k, 0x80000000u | k, what);
    }
}

static void cmd_bt(struct frame *f, int argc, char **argv)
{
    struct domain *d = interrupted(f);
    print_addr("  at ", f->pc, d);
    backtrace(f->r[11], d);
}

static void cmd_domains(struct frame *f, int argc, char **argv)
{
    for (u32 i = 0; i < ndomains; i++) {
        struct domain *d = &domains[i];
        kprintf("  dom%u %s: %s%s prio %u mem %uK at 0x%08x asid %u console %s%s\n", d->id, d->cfg.name,
                domain_state_name(d->state), d == cpu_current[d->cpu] ? " (current)" : "", d->cfg.priority, d->cfg.memory >> 10,
                d->pa, d->asid, d->cfg.console ? "on" : "off", focus == (int)i ? " (has input)" : "");
        kprintf("    af-faults %u upcalls %u hypercalls %u preemptions %u restarts %u cpu %d us\n", d->af_faults,
                d->upcalls, d->hypercalls, d->preemptions, d->restarts, (s32)cycles_to_us((s64)d->cpu_cycles));
    }
}

static void cmd_events(struct frame *f, int argc, char **argv)
{
    int any = 0;
    for (u32 i = 0; i < ndomains; i++) {
        struct domain *d = &domains[i];
        for (u32 p = 0; p < HYP_EVTCHN_PORTS; p++) {
            if (d->peer_dom[p] < 0)
                continue;
            any = 1;
            kprintf("  %s:%u -> %s:%u %s %s %s\n", d->cfg.name, p, domains[d->peer_dom[p]].cfg.name, d->peer_port[p],
                    (d->bound >> p) & 1 ? "bound" : "unbound", (d->pending >> p) & 1 ? "pending" : "idle",
                    (d->mask >> p) & 1 ? "masked" : "unmasked");
        }
        kprintf("  dom%u %s: callback %s, %s, %u upcalls\n", d->id, d->cfg.name, d->cb_entry ? "set" : "not set",
                d->in_upcall ? "in an upcall" : "not in an upcall", d->upcalls);
    }
    if (!any)
        kprintf("  no event channels\n");
}

static void cmd_irqs(struct frame *f, int argc, char **argv)
{
    for (u32 id = 0; id < sizeof irq_counts / sizeof irq_counts[0]; id++)
        if (irq_counts[id])
            kprintf("  GIC %3u%s: %u IRQs\n", id, id == IRQ_TMR1 ? " (TMR1 tick)" : "", irq_counts[id]);
    kprintf("  LIC SPI %u (UARTD receive): %u FIQs\n", SPI_UARTD, fiq_count);
    s64 us = cycles_to_us((s64)clock_cycles());
    kprintf("  ticks %u (%u us each); global timer %u.%06u s\n", ticks, TICK_US, (u32)(us / 1000000), (u32)(us % 1000000));
}

/* mem ADDR [LEN] (hypervisor/physical RAM) or mem DOMAIN ADDR [LEN] (a domain's virtual addresses). */
static void cmd_mem(struct frame *f, int argc, char **argv)
{
    struct domain *d = NULL;
    int a = 1;
    u32 addr, len = 64;
    if (argc > 1 && (d = domain_named(argv[1])) != NULL)
        a = 2;
    if (argc <= a || !parse_num(argv[a], &addr) || (argc > a + 1 && !parse_num(argv[a + 1], &len)) || !len) {
        kprintf("  usage: mem [DOMAIN] ADDR [LEN]\n");
        return;
    }
    if (len > 256)
        len = 256;
    const u8 *p;
    if (d) {
        p = (const u8 *)guest_ptr(d, addr, len);
        if (!p || d->state == D_DEAD) {
            kprintf("  0x%08x+%u: not in dom%u %s's memory\n", addr, len, d->id, d->cfg.name);
            return;
        }
    } else {
        if (addr < MiB || addr >= 0x1c000000u || len > 0x1c000000u - addr) {
            kprintf("  0x%08x+%u: not RAM (the hypervisor maps 0x00100000-0x1bffffff)\n", addr, len);
            return;
        }
        p = (const u8 *)addr;
    }
    for (u32 off = 0; off < len; off += 16) {
        char hex[16 * 3 + 1], text[17];
        u32 n = len - off < 16 ? len - off : 16, k = 0;
        for (u32 i = 0; i < 16; i++) {
            if (i < n) {
                u8 b = p[off + i];
                ksnprintf(hex + 3 * i, 4, "%02x ", b);
                text[k++] = b >= 0x20 && b < 0x7f ? b : '.';
            } else {
                hex[3 * i] = hex[3 * i + 1] = hex[3 * i + 2] = ' ';
                hex[3 * i + 3] = 0;
            }
        }
        text[k] = 0;
        kprintf("  %08x: %s %s\n", addr + off, hex, text);
    }
}

static void give_input(int dom)
{
    focus = dom;
    if (dom < 0)
        kprintf("(fiq) console input to the debugger\n");
    else
        kprintf("(fiq) console input to dom%u %s (Ctrl-A switches)\n", dom, domains[dom].cfg.name);
}

/* The next domain after `from` that has the console and is alive; -1 if none. */
static int next_console_domain(int from)
{
    for (u32 i = from + 1; i < ndomains; i++)
        if (domains[i].cfg.console && domains[i].state != D_DEAD)
            return i;
    return -1;
}

static void cmd_console(struct frame *f, int argc, char **argv)
{
    struct domain *d = argc > 1 ? domain_named(argv[1]) : NULL;
    int dom = argc > 1 ? (d ? (int)d->id : -2) : next_console_domain(-1);
    if (dom == -2 || (dom >= 0 && (!domains[dom].cfg.console || domains[dom].state == D_DEAD))) {
        kprintf("  no running domain with the console named %s\n", argv[1]);
        return;
    }
    if (dom < 0) {
        kprintf("  no running domain has the console\n");
        return;
    }
    give_input(dom);
}

static void cmd_poweroff(struct frame *f, int argc, char **argv)
{
    board_power_off();
}

static void cmd_reboot(struct frame *f, int argc, char **argv)
{
    board_reboot();
}

static const struct fiq_cmd fiq_cmds[] = {
    { "help", "", "this list", cmd_help },
    { "regs", "[CPU]", "registers of the interrupted context (another CPU: its last resumed context)", cmd_regs },
    { "cpus", "", "each CPU: online, what it runs", cmd_cpus },
    { "bt", "", "backtrace of the interrupted context (frame pointers)", cmd_bt },
    { "domains", "", "state of each domain", cmd_domains },
    { "events", "", "event channels: bound, pending, masked", cmd_events },
    { "irqs", "", "interrupt counts per line, ticks, uptime", cmd_irqs },
    { "mem", "[DOM] ADDR [LEN]", "hex dump (RAM, or a domain's addresses)", cmd_mem },
    { "console", "[DOM]", "console input to a domain", cmd_console },
    { "poweroff", "", "power the board off", cmd_poweroff },
    { "reboot", "", "reset the board (PMC)", cmd_reboot },
    { NULL, NULL, NULL, NULL },
};

/* ---- input ---- */

static void run_line(struct frame *f)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    line[line_len] = 0;
    kprintf("fiq> %s\n", line);
    for (char *p = line; *p && argc < MAX_ARGS;) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    line_len = 0;
    if (!argc)
        return;
    for (const struct fiq_cmd *c = fiq_cmds; c->name; c++)
        if (!strcmp(c->name, argv[0])) {
            c->fn(f, argc, argv);
            return;
        }
    kprintf("  unknown command '%s' (help lists them)\n", argv[0]);
}

static void debugger_input(struct frame *f, u8 c)
{
    if (c == '\r' || c == '\n') {
        if (!(c == '\n' && last == '\r'))
            run_line(f);
    } else if (c == '\b' || c == 0x7f) {
        if (line_len)
            line_len--;
    } else if (c >= 0x20 && c < 0x7f && line_len < LINE_LEN) {
        line[line_len++] = c;
    }
}

static void domain_input(u8 c)
{
    struct domain *d = &domains[focus];
    if (d->state == D_DEAD) {
        kprintf("(fiq) dom%u %s has shut down\n", d->id, d->cfg.name);
        give_input(-1);
        return;
    }
    if (c == '\n' && last == '\r')
        return;
    if (!domain_input_put(d, c == '\r' ? '\n' : c))
        kprintf("(fiq) dom%u %s: console input full, byte dropped\n", d->id, d->cfg.name);
}

void trap_fiq(struct frame *f)
{
    fiq_count++;
    if (!lic_fiq_pending(SPI_UARTD)) {
        dump_frame("FIQ", f, NULL);
        panic("FIQ from a source other than the console UART");
    }
    int c;
    while ((c = uart_getc()) >= 0) {
        if (c == CTRL_A)
            give_input(focus < 0 ? next_console_domain(-1) : next_console_domain(focus));
        else if (focus < 0)
            debugger_input(f, (u8)c);
        else
            domain_input((u8)c);
        last = (char)c;
    }
}
