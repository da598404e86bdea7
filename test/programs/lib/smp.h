/*
 * Two-core support for the programs of src/smp/: the core's number, a
 * barrier, ordered output, the GIC and the private timers of the Cortex-A9
 * MPCore at PERIPHBASE 0x1e000000 (vexpress-a9).
 *
 * Every core runs main() (crt0.S built with -DSMP). A program prints only
 * what does not depend on how the cores interleave: totals after a barrier,
 * and per-core facts printed core by core (smp_in_order).
 */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>
#include "runtime.h"

/* The programs are written for two cores (-smp 2 / --smp 2). */
#define NCORES 2

#define REG(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define REG8(a) (*(volatile uint8_t *)(uintptr_t)(a))

#define PERIPHBASE 0x1e000000u
#define SCU (PERIPHBASE + 0x0000)
#define GICC (PERIPHBASE + 0x0100)
#define TWD (PERIPHBASE + 0x0600)
#define GICD (PERIPHBASE + 0x1000)

#define SCU_CONFIG 0x04

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER(n) (0x100 + 4 * (n))
#define GICD_ICENABLER(n) (0x180 + 4 * (n))
#define GICD_ISPENDR(n) (0x200 + 4 * (n))
#define GICD_ICPENDR(n) (0x280 + 4 * (n))
#define GICD_ISACTIVER(n) (0x300 + 4 * (n))
#define GICD_IPRIORITYR(id) (0x400 + (id))
#define GICD_ITARGETSR(id) (0x800 + (id))
#define GICD_ICFGR(n) (0xc00 + 4 * (n))
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

#define IAR_ID(v) ((v) & 0x3ff)
#define IAR_CPU(v) (((v) >> 10) & 7)
#define SPURIOUS 1023

/* GICD_SGIR: target list filter 0 (the listed cores), 1 (all but self), 2 (self). */
#define SGIR(filter, targets, id) (((uint32_t)(filter) << 24) | ((uint32_t)(targets) << 16) | (id))

#define TWD_LOAD 0x00
#define TWD_COUNTER 0x04
#define TWD_CONTROL 0x08
#define TWD_INTSTAT 0x0c
#define TWD_ENABLE 0x1
#define TWD_AUTO 0x2
#define TWD_IRQ 0x4
#define ID_TWD 29

static inline unsigned cpu_id(void) { return CP15_READ(0, c0, c0, 5) & 3; }
static inline uint32_t read_mpidr(void) { return CP15_READ(0, c0, c0, 5); }

static inline void dmb(void) { __asm__ volatile("dmb" ::: "memory"); }
static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void sev(void) { __asm__ volatile("dsb\n\tsev" ::: "memory"); }
static inline void wfe(void) { __asm__ volatile("wfe" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }

/* LDREX/STREX: *p += v, returning the new value. */
uint32_t atomic_add(volatile uint32_t *p, uint32_t v);

/* Waits until every core has called it as often as this core has (a sense-free, generation barrier). */
void smp_barrier(void);

/*
 * Runs fn on each core in turn, core 0 first, with a barrier between turns:
 * what each core prints comes out in core order, however the cores interleave.
 */
void smp_in_order(void (*fn)(unsigned core));

/*
 * Waits (WFE) until *p >= want; whoever changes *p must SEV afterwards. No
 * time-out: on a host that runs the cores as threads (QEMU), the other core
 * may be descheduled for any length of time.
 */
void wait_until(volatile uint32_t *p, uint32_t want);

/*
 * Waits (WFI, with IRQs masked while testing) until an interrupt handler has
 * counted *count up to want; returns with IRQs enabled.
 */
void wait_irqs(volatile uint32_t *count, uint32_t want);

/*
 * Core 0 waits for every core to reach main(); returns 0, or 1 (after
 * printing why) on a run with one core (the SCU reports the core count).
 * Cores beyond NCORES park here for good.
 */
int smp_start(const char *program);

/* Last call of main() on every core: a barrier, then core 0's final line; returns main's exit code. */
int smp_finish(const char *program);

/* The same, but the final line and the semihosting exit come from `core`; the other cores park. */
void smp_finish_on(unsigned core, const char *program) __attribute__((noreturn));

/* Parks this core for good (crt0.S): IRQ and FIQ masked, WFI. */
void smp_park(void) __attribute__((noreturn));

/* This core's GIC CPU interface on (priority mask 0xf0); core 0 also enables the distributor. */
void gic_cpu_init(void);

#endif
