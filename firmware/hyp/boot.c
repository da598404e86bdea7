/*
 * Boot: banner, ATAGs (memory map, command line, initrd), the boot volume and
 * its domain configuration, devices, then the first world switch.
 *
 * Command line options:
 *   console=gdb      console output as GDB remote-protocol O packets
 *   sched=preempt    timer-driven preemption (default: cooperative)
 *   evtwd=MS         event watchdog: report events pending MS ms with no upcall (0: off; default 100)
 *   fbcon=off        no framebuffer console (default: on)
 *   poweroff=reset   power-off ends with a PMC main reset (default: the CPU halts)
 *   maxcpus=N        CPUs to run domains on: 2 starts CPU1 the Tegra way (default 1)
 *   nohz=on          CPU1 idles in WFI with its tick stopped, woken by the other
 *                    CPU's kick (SGI) only, as a tickless kernel's idle CPU
 *                    (default: it idles in WFE, woken by the kick's SEV too)
 */
#include "hyp.h"

static struct config config;

static int opt_is(const char *cmdline, const char *key, const char *value)
{
    unsigned n;
    const char *v = cmdline_get(cmdline, key, &n);
    return v && n == strlen(value) && !strncmp(v, value, n);
}

void hyp_main(u32 atags)
{
    struct bootinfo bi;
    uart_init();
    atags_parse(atags ? atags : 0x100, &bi);
    if (opt_is(bi.cmdline, "console", "gdb"))
        con_set_gdb(1);
    int fb = !opt_is(bi.cmdline, "fbcon", "off") && bi.nmem && bi.mem[0].base <= FB_PA &&
             bi.mem[0].base + bi.mem[0].size >= FB_PA + FB_SIZE;
    if (fb)
        fb_init();
    kprintf("\nbringup reference hypervisor " HYP_VERSION " (ARMv7 paravirtual, Tegra2)\n");
    kprintf("memory map (ATAG_MEM):\n");
    for (u32 i = 0; i < bi.nmem; i++)
        kprintf("  bank %u: 0x%08x - 0x%08x (%u MiB)\n", i, bi.mem[i].base, bi.mem[i].base + bi.mem[i].size - 1,
                bi.mem[i].size >> 20);
    kprintf("command line: \"%s\"\n", bi.cmdline);
    if (!bi.initrd_size)
        panic("no initrd: the boot volume is handed over as the initrd (ATAG_INITRD2)");
    kprintf("initrd: 0x%08x - 0x%08x (%u bytes)\n", bi.initrd_base, bi.initrd_base + bi.initrd_size - 1, bi.initrd_size);

    unsigned n;
    const char *v;
    sched_preempt = opt_is(bi.cmdline, "sched", "preempt");
    poweroff_by_reset = opt_is(bi.cmdline, "poweroff", "reset");
    if ((v = cmdline_get(bi.cmdline, "evtwd", &n)) && !parse_uint(v, n, &evt_watchdog_ms))
        kprintf("evtwd: bad value (kept %u ms)\n", evt_watchdog_ms);
    u32 maxcpus = 1;
    if ((v = cmdline_get(bi.cmdline, "maxcpus", &n))) {
        if (!parse_uint(v, n, &maxcpus) || maxcpus < 1 || maxcpus > MAX_CPUS) {
            kprintf("maxcpus: bad value (1 or %u; kept 1)\n", MAX_CPUS);
            maxcpus = 1;
        }
        /* Read here, with the command line (ATAGs) still mapped; only CPU1 idles this way. */
        cpu1_nohz = opt_is(bi.cmdline, "nohz", "on");
    }
    kprintf("scheduler: %s; event watchdog: %u ms\n", sched_preempt ? "preemptive" : "cooperative", evt_watchdog_ms);

    if (volume_open((const u8 *)bi.initrd_base, bi.initrd_size))
        panic("boot volume unusable");
    const struct image *cfg = volume_find("domains");
    if (!cfg)
        panic("the boot volume has no 'domains' configuration image");
    if (config_parse((const char *)cfg->data, cfg->size, &config))
        panic("bad domain configuration");
    kprintf("configuration: %u domains, %u event channels\n", config.ndom, config.nev);

    mmu_init();
    kprintf("mmu: on (short descriptors, AFE=1, ASIDs per domain)\n");
    cache_init();
    if (fb)
        kprintf("fb: %ux%u B5G6R5 at 0x%08x, %ux%u text console (8x8 font), display window A\n", FB_WIDTH, FB_HEIGHT,
                FB_PA, FB_WIDTH / 8, FB_HEIGHT / 8);
    clock_init();
    gic_init();
    timer_init();
    fiq_init();
    kprintf("gic: timer TMR1 (ID %u, %u us tick); clock: global timer, %u MHz, 64-bit\n", IRQ_TMR1, TICK_US,
            clock_hz / 1000000);
    kprintf("fiq: console RX (UARTD, SPI %u) routed as FIQ by the LIC: debugger on (type help)\n", SPI_UARTD);
    kprintf("power: off when all domains have shut down%s\n", poweroff_by_reset ? " (by PMC main reset)" : "");
    if (maxcpus > 1) {
        gic_enable(1);              /* SGI 1: the other CPU kicks this one */
        smp_boot(maxcpus);
    }

    domains_create(&config);
    if (!ndomains)
        panic("no domain could be started");
    event_connect(&config);
    kprintf("starting %u domains\n", ndomains);
    smp_start_others();
    sched_start();
}
