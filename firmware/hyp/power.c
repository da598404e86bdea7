/*
 * Power-off and reboot.
 *
 * The Tegra20 cannot remove its own power: on the Xoom the PMIC does that when
 * the kernel asks it over I2C/SPI, and the simulated board has no PMIC. What
 * the SoC's power management controller (PMC, 0x7000E400) can do is a main
 * reset (PMC_CNTRL.MAIN_RST), which is how Tegra boards reboot. So:
 *   board_reboot      PMC main reset.
 *   board_power_off   quiesces the machine (tick timer, console interrupts,
 *                     GIC, LIC, caches written back and off) and then either
 *                     halts the CPU for good (WFI with IRQ and FIQ masked and
 *                     nothing left to wake it: the state the PMIC would then
 *                     cut), or, with `poweroff=reset` on the command line,
 *                     ends with a PMC main reset so that a harness sees the
 *                     board stop by a reset rather than idle.
 * Both print their last line before the CPU stops.
 */
#include "hyp.h"

#define PMC_BASE 0x7000e400u
#define PMC_CNTRL    0x00
#define PMC_SCRATCH0 0x50
#define PMC_CNTRL_MAIN_RST (1u << 4)

int poweroff_by_reset;

static void quiesce(void)
{
    irq_save();                 /* IRQ and FIQ masked from here on */
    smp_stop_others();
    con_flush_all();
    timer_stop();
    uart_disable();
    lic_disable_all();
    gic_disable_all();
    cache_off();
}

static void pmc_main_reset(void) __attribute__((noreturn));
static void pmc_main_reset(void)
{
    write32(PMC_BASE + PMC_SCRATCH0, 0);     /* reboot mode: normal boot (no recovery, no boot loader) */
    dsb();
    write32(PMC_BASE + PMC_CNTRL, read32(PMC_BASE + PMC_CNTRL) | PMC_CNTRL_MAIN_RST);
    for (;;)
        wfi();
}

void board_power_off(void)
{
    quiesce();
    if (poweroff_by_reset)
        kprintf("power: no PMIC power-off on this board; PMC main reset instead (poweroff=reset)\n");
    kprintf("bringup-hyp: power off\n");
    if (poweroff_by_reset)
        pmc_main_reset();
    for (;;)
        wfi();
}

void board_reboot(void)
{
    quiesce();
    kprintf("bringup-hyp: reboot (PMC main reset)\n");
    pmc_main_reset();
}
