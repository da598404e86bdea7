/*
 * Spinlocks with LDREX/STREX. The hypervisor runs with IRQs masked, but the
 * FIQ debugger can interrupt it anywhere: state it shares with the FIQ path
 * (console output, domain input queues) is taken with spin_lock_irqsave,
 * which masks IRQ and FIQ first, so the FIQ handler can never spin on a lock
 * its own CPU holds. The locks are SMP-safe (WFE/SEV, barriers) for when the
 * second Cortex-A9 is brought up.
 */
#include "hyp.h"

u32 irq_save(void)
{
    u32 flags;
    __asm__ volatile("mrs %0, cpsr\n\tcpsid if" : "=r"(flags) :: "memory");
    return flags;
}

void irq_restore(u32 flags)
{
    __asm__ volatile("msr cpsr_c, %0" :: "r"(flags) : "memory");
}

void spin_lock(spinlock_t *l)
{
    u32 busy, failed;
    __asm__ volatile(
        "1: ldrex   %0, [%2]\n"
        "   teq     %0, #0\n"
        "   wfene\n"
        "   strexeq %1, %3, [%2]\n"
        "   teqeq   %1, #0\n"
        "   bne     1b\n"
        "   dmb\n"
        : "=&r"(busy), "=&r"(failed)
        : "r"(&l->locked), "r"(1)
        : "cc", "memory");
}

void spin_unlock(spinlock_t *l)
{
    __asm__ volatile("dmb" ::: "memory");
    l->locked = 0;
    __asm__ volatile("dsb\n\tsev" ::: "memory");
}

u32 spin_lock_irqsave(spinlock_t *l)
{
    u32 flags = irq_save();
    spin_lock(l);
    return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, u32 flags)
{
    spin_unlock(l);
    irq_restore(flags);
}
