/*
 * The second Cortex-A9. With `maxcpus=2` on the command line the boot CPU
 * starts CPU1 the Tegra20 way (as Linux's tegra20_boot_secondary does):
 * EVP_CPU_RESET_VECTOR (0x6000F100) = secondary_start; CPU1 held in reset
 * (CAR RST_CPU_CMPLX_SET), its flow-controller halt cleared
 * (HALT_CPU1_EVENTS = 0), its clock started (CLK_CPU_CMPLX bit 9 cleared),
 * its flow-controller CSR cleared, then its reset released
 * (RST_CPU_CMPLX_CLR). CPU1 comes up on its own stacks with the boot CPU's
 * MMU and cache settings, says so, and waits (WFE) until the domains exist;
 * then it schedules the domains pinned to it (domain i runs on CPU i mod the
 * CPUs online). A CPU1 that does not come up within 10 ms is reported and
 * the hypervisor runs on one CPU.
 *
 * Both CPUs run domains at the same time; the hypervisor itself runs on one
 * CPU at a time: every trap takes the hypervisor lock (a spinlock a CPU may
 * take again while it holds it, for faults inside the hypervisor) and drops
 * it on its way back to a domain or while it idles. The FIQ debugger does not
 * take it (it inspects, and takes the console and input locks only).
 *
 * A CPU that makes a domain of the other CPU runnable (an event, console
 * input) kicks it: an SGI (ID 1, GICD_SGIR with the target CPU in its CPU
 * list) and SEV, so a CPU idling in WFI (IRQ) or WFE (event) wakes.
 *
 * Power-off, reboot and halts stop the other CPU first (smp_stop_others):
 * CPU0 puts CPU1 back in reset with its clock stopped (CAR, as Linux's
 * tegra_cpu_kill leaves a dead CPU); CPU1 asks CPU0 to park (a flag and a
 * kick) and waits until it has.
 */
#include "hyp.h"

#define EVP_CPU_RESET_VECTOR 0x6000f100u
#define CAR_CLK_CPU_CMPLX    0x6000604cu
#define CAR_RST_CPU_CMPLX_SET 0x60006340u
#define CAR_RST_CPU_CMPLX_CLR 0x60006344u
#define FLOW_HALT_CPU1_EVENTS 0x60007014u
#define FLOW_CPU1_CSR        0x60007018u
#define CPU1_RESET_BITS      0x2222u          /* CPURESET1, DERESET1, DBGRESET1, WDRESET1 */
#define CPU1_CLK_STP         (1u << 9)
#define GICD_SGIR            0x50041f00u
#define SGI_KICK             1

u32 ncpus = 1;
volatile u32 cpu_online[MAX_CPUS];
struct domain *cpu_current[MAX_CPUS];
struct frame cpu_last[MAX_CPUS];
u32 cpu_traps[MAX_CPUS];
static volatile u32 smp_go;
static u32 smp_sctlr;

extern void secondary_start(void);

/* ---- the hypervisor lock ---- */

static spinlock_t hyp_lock;
static volatile s32 hyp_owner = -1;
static u32 hyp_depth;
static volatile u32 stop_request;
static volatile u32 cpu_parked[MAX_CPUS];

static int spin_trylock(spinlock_t *l)
{
    u32 busy, failed = 1;
    __asm__ volatile(
        "   ldrex   %0, [%2]\n"
        "   teq     %0, #0\n"
        "   strexeq %1, %3, [%2]\n"
        : "=&r"(busy), "+&r"(failed)
        : "r"(&l->locked), "r"(1)
        : "cc", "memory");
    if (busy || failed)
        return 0;
    __asm__ volatile("dmb" ::: "memory");
    return 1;
}

/* Parks this CPU for good (the other one is powering off or halting). */
static void park(void) __attribute__((noreturn));
static void park(void)
{
    irq_save();
    cpu_parked[cpu_id()] = 1;
    dsb();
    __asm__ volatile("sev" ::: "memory");
    for (;;)
        wfi();
}

/* Takes the hypervisor lock; a stop request met while waiting parks this CPU. */
static void hyp_lock_take(void)
{
    while (!spin_trylock(&hyp_lock)) {
        if (stop_request)
            park();
        __asm__ volatile("wfe" ::: "memory");
    }
}

void hyp_enter(void)
{
    if (ncpus == 1)
        return;                     /* one CPU: nobody to exclude */
    s32 me = (s32)cpu_id();
    if (hyp_owner == me) {
        hyp_depth++;
        return;
    }
    hyp_lock_take();
    hyp_owner = me;
    hyp_depth = 1;
    cpu_traps[me]++;
}

void hyp_leave(void)
{
    if (ncpus == 1)
        return;
    if (--hyp_depth)
        return;
    hyp_owner = -1;
    spin_unlock(&hyp_lock);
}

/* While a CPU idles: the other may enter. Returns the depth to give back to hyp_resume. */
u32 hyp_release(void)
{
    if (ncpus == 1)
        return 0;
    u32 depth = hyp_depth;
    hyp_depth = 0;
    hyp_owner = -1;
    spin_unlock(&hyp_lock);
    return depth;
}

void hyp_resume(u32 depth)
{
    if (ncpus == 1)
        return;
    hyp_lock_take();
    hyp_owner = (s32)cpu_id();
    hyp_depth = depth;
}

/* Stops the other CPU before this one powers off, reboots or halts. */
void smp_stop_others(void)
{
    if (ncpus == 1)
        return;
    if (cpu_id() == 0) {
        write32(CAR_RST_CPU_CMPLX_SET, CPU1_RESET_BITS);
        write32(CAR_CLK_CPU_CMPLX, read32(CAR_CLK_CPU_CMPLX) | CPU1_CLK_STP);
        dsb();
        con_force_unlock();         /* CPU1 may have stopped while printing */
        return;
    }
    stop_request = 1;
    dsb();
    smp_kick(0);
    u64 start = clock_cycles();
    while (!cpu_parked[0] && cycles_to_us((s64)(clock_cycles() - start)) < 10000)
        __asm__ volatile("wfe" ::: "memory");
}

/* ---- bringing CPU1 up ---- */

void smp_boot(u32 want)
{
    if (want < 2)
        return;
    smp_sctlr = CP15_READ(c1, 0, c0, 0);
    dsb();
    write32(EVP_CPU_RESET_VECTOR, (u32)secondary_start);
    write32(CAR_RST_CPU_CMPLX_SET, CPU1_RESET_BITS);
    write32(FLOW_HALT_CPU1_EVENTS, 0);
    write32(CAR_CLK_CPU_CMPLX, read32(CAR_CLK_CPU_CMPLX) & ~CPU1_CLK_STP);
    write32(FLOW_CPU1_CSR, 0);
    write32(CAR_RST_CPU_CMPLX_CLR, CPU1_RESET_BITS);
    dsb();
    u64 start = clock_cycles();
    while (!cpu_online[1] && cycles_to_us((s64)(clock_cycles() - start)) < 10000)
        ;
    if (cpu_online[1]) {
        ncpus = 2;
        timer_init_cpu1();
        kprintf("smp: CPU1 online (started at 0x%08x by the EVP reset vector), 2 CPUs; CPU1 tick: TMR2 (ID %u)%s\n",
                (u32)secondary_start, IRQ_TMR2, cpu1_nohz ? ", stopped while idle (nohz)" : "");
    } else {
        kprintf("smp: CPU1 did not come up within 10 ms; running on one CPU\n");
    }
}

/* C side of secondary_start (entry.S): CPU1 on its own stacks, MMU off. */
void secondary_main(void)
{
    mmu_secondary_init();
    CP15_WRITE(c1, 0, c0, 0, smp_sctlr);
    isb();
    gic_cpu_init();
    u32 mpidr = CP15_READ(c0, 0, c0, 5);
    kprintf("smp: CPU%u up (MPIDR 0x%08x)\n", mpidr & 3, mpidr);
    cpu_online[mpidr & 3] = 1;
    dsb();
    __asm__ volatile("sev" ::: "memory");
    while (!smp_go)
        __asm__ volatile("wfe" ::: "memory");
    sched_start_secondary();
}

/* The domains exist: the other CPUs start scheduling theirs. */
void smp_start_others(void)
{
    smp_go = 1;
    dsb();
    __asm__ volatile("sev" ::: "memory");
}

/* Makes CPU `cpu` look at its domains again (an SGI for WFI, SEV for WFE). */
void smp_kick(u32 cpu)
{
    if (cpu == cpu_id() || cpu >= ncpus)
        return;
    dsb();
    write32(GICD_SGIR, (1u << (16 + cpu)) | SGI_KICK);
    __asm__ volatile("sev" ::: "memory");
}
