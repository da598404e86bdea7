/* Reference hypervisor: shared declarations. */
#ifndef HYP_H
#define HYP_H

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

#define HYP_VERSION "0.2.0"
#define NULL ((void *)0)

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f

#define MAX_DOMAINS 8
#define MAX_CPUS    2
#define MAX_IMAGES  16
#define MiB (1u << 20)

/* The complete interrupted context, as entry.S saves it (68 bytes). */
struct frame {
    u32 r[13];
    u32 sp, lr;     /* banked registers of the interrupted mode */
    u32 pc, spsr;
};

/* lock.c: LDREX/STREX spinlocks; the _irqsave forms also mask IRQ and FIQ */
typedef struct { volatile u32 locked; } spinlock_t;
u32 irq_save(void);
void irq_restore(u32 flags);
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
u32 spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, u32 flags);

/* lib.c */
void *memcpy(void *d, const void *s, unsigned n);
void *memset(void *d, int c, unsigned n);
int memcmp(const void *a, const void *b, unsigned n);
unsigned strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, unsigned n);
void strlcpy(char *d, const char *s, unsigned n);
u32 crc32(const u8 *p, u32 n);
int parse_uint(const char *s, unsigned n, u32 *out);

/* console.c */
void kprintf(const char *fmt, ...);
#include <stdarg.h>
int vformat_ap(char *buf, unsigned size, const char *fmt, va_list ap);
int ksnprintf(char *buf, unsigned size, const char *fmt, ...);
void con_write(const char *s, unsigned n);
void con_set_gdb(int on);
void con_domain_write(int dom, const char *s, unsigned n);
void con_domain_flush(int dom);
void con_flush_all(void);
void con_force_unlock(void);

/* fb.c: the framebuffer console (display controller window A) */
void fb_init(void);
void fb_write(const char *s, unsigned n);
int fb_active(void);
extern const u8 font8x8[95][8];
#define FB_PA     0x07c00000u        /* 4 MiB below the boot volume, mapped non-cacheable */
#define FB_SIZE   (4 * MiB)
#define FB_WIDTH  1280                /* the Xoom panel */
#define FB_HEIGHT 800

/* fiq.c: the FIQ debugger on the console UART (LIC-routed FIQ) */
struct fiq_cmd {
    const char *name, *args, *help;
    void (*fn)(struct frame *f, int argc, char **argv);
};
void fiq_init(void);
extern u32 irq_counts[160];
extern u32 fiq_count;

/* uart.c */
void uart_init(void);
void uart_putc(char c);
void uart_enable_rx(void);
void uart_disable(void);
int uart_getc(void);             /* -1 if nothing received */

/* gic.c */
#define IRQ_TMR1   32
#define IRQ_TMR2   33
#define IRQ_UARTD  122
#define IRQ_SPURIOUS 1023
void gic_init(void);
void gic_enable(u32 id);
void gic_enable_on(u32 id, u32 cpu);   /* an SPI routed to one CPU */
u32 gic_ack(void);
void gic_eoi(u32 id);
void gic_disable_all(void);

/* lic.c: Tegra legacy interrupt controller (0x60004000) */
#define SPI_UARTD 90                 /* GIC ID 122 = 32 + SPI 90 = LIC bank 2 bit 26 */
void lic_route_fiq(u32 spi);
u32 lic_fiq_pending(u32 spi);
void lic_disable_all(void);

/* cache.c: L1 caches and the PL310 L2 */
void cache_init(void);
void cache_clean_dcache(void);
void cache_sync_icache(u32 va, u32 len);
void cache_off(void);

/* clock.c: the Cortex-A9 global timer as a 64-bit clock */
void clock_init(void);
u64 clock_cycles(void);
s64 cycles_to_us(s64 cycles);
extern u32 clock_hz;

/* power.c: board power-off and reboot through the PMC */
extern int poweroff_by_reset;
void board_power_off(void) __attribute__((noreturn));
void board_reboot(void) __attribute__((noreturn));

/* timer.c */
#define TICK_US 1000
void timer_init(void);
void timer_stop(void);
void timer_irq(void);
void timer_init_cpu1(void);
void timer_idle_cpu1(void);
extern int cpu1_nohz;
void timer_irq_cpu1(void);
extern volatile u32 ticks;

/* atags.c */
struct bootinfo {
    u32 nmem;
    struct { u32 base, size; } mem[8];
    const char *cmdline;
    u32 initrd_base, initrd_size;
};
void atags_parse(u32 addr, struct bootinfo *bi);
const char *cmdline_get(const char *cmdline, const char *key, unsigned *len);

/* volume.c */
struct image {
    char name[32];
    char role[16];
    const u8 *data;
    u32 size;
};
int volume_open(const u8 *base, u32 size);
const struct image *volume_find(const char *name);

/* config.c */
enum { FAULT_KILL, FAULT_RESTART, FAULT_PANIC };
struct domcfg {
    char name[16];
    char image[32];
    char args[64];
    u32 memory, priority;
    int console, on_fault;
};
struct evcfg { char a[16]; u32 pa; char b[16]; u32 pb; };
struct config {
    u32 ndom, nev;
    struct domcfg dom[MAX_DOMAINS];
    struct evcfg ev[MAX_DOMAINS * 4];
};
int config_parse(const char *text, u32 len, struct config *cfg);

/* domain.c */
enum dstate { D_FREE, D_RUNNABLE, D_BLOCKED, D_DEAD };
#define INPUT_BUF 256
struct domain {
    u32 id, asid;
    u32 cpu;                  /* the CPU it runs on */
    struct domcfg cfg;
    const struct image *img;
    u32 pa;                   /* physical base of its memory */
    u32 *l1;                  /* first-level table (16 KiB) */
    u32 (*l2)[256];           /* second-level tables, one per MiB */
    enum dstate state;
    struct frame ctx;         /* saved context while not running */
    /* events */
    s32 peer_dom[32];         /* per port: peer domain, -1 none */
    u32 peer_port[32];
    u32 pending, mask, bound, reported;
    u32 pending_since[32];
    u32 cb_entry, cb_stack;
    int in_upcall, woken;
    struct frame upcall_saved;
    /* console input: written by the FIQ debugger, read by HYP_CONSOLE_READ */
    u8 input[INPUT_BUF];
    u32 in_head, in_tail;
    /* statistics */
    u32 af_faults, upcalls, restarts, hypercalls, preemptions;
    u64 cpu_cycles;           /* global timer cycles spent running it */
    int exit_code;
};
extern struct domain domains[MAX_DOMAINS];
extern u32 ndomains;
void domains_create(const struct config *cfg);
int domain_load(struct domain *d);
void domain_fault(struct domain *d);
void domain_shutdown(struct domain *d, int code);
void domain_report(struct domain *d);
const char *domain_state_name(enum dstate s);
int domain_input_put(struct domain *d, u8 c);
u32 domain_input_get(struct domain *d, u8 *buf, u32 len);
int domain_input_pending(struct domain *d);
u32 *guest_ptr(struct domain *d, u32 va, u32 len);
const char *domain_symbol(struct domain *d, u32 addr, u32 *offset);

/* mmu.c */
void mmu_init(void);
void mmu_build_domain(struct domain *d, u32 text_lo, u32 text_hi);
void mmu_switch(struct domain *d);
int mmu_access_flag_fault(struct domain *d, u32 va);

/* sched.c (current: smp.c) */
extern int sched_preempt;
void sched_need_resched(int yield);
void sched_tick(void);
void sched_return(struct frame *f);
void sched_wake_input(void);
void sched_start(void);          /* entry.S: first world switch */
void hyp_halt(const char *why) __attribute__((noreturn));

/* hypercall.c */
void hypercall(struct frame *f);

/* event.c */
extern u32 evt_watchdog_ms;
void event_connect(const struct config *cfg);
int evtchn_bind(struct domain *d, u32 port);
int evtchn_send(struct domain *d, u32 port);
int evtchn_deliverable(struct domain *d);
void deliver_upcall(struct domain *d, struct frame *f);
int upcall_return(struct domain *d, struct frame *f);
void event_watchdog(void);

/* panic.c */
const char *symbol_lookup(u32 addr, u32 *offset);
void dump_frame(const char *kind, struct frame *f, struct domain *d);
void panic(const char *fmt, ...) __attribute__((noreturn));
void print_addr(const char *label, u32 addr, struct domain *d);
void backtrace(u32 fp, struct domain *d);
void print_regs(struct frame *f);
const char *mode_name(u32 m);

/* traps (C side of entry.S) */
void trap_svc(struct frame *f);
void trap_irq(struct frame *f);
void trap_dabt(struct frame *f);
void trap_pabt(struct frame *f);
void trap_und(struct frame *f);
void trap_fiq(struct frame *f);

/* smp.c: the second CPU (maxcpus=2), the hypervisor lock, cross-CPU kicks */
extern u32 ncpus;
extern volatile u32 cpu_online[MAX_CPUS];
extern struct domain *cpu_current[MAX_CPUS];
extern struct frame cpu_last[MAX_CPUS];   /* the context each CPU last resumed */
extern u32 cpu_traps[MAX_CPUS];
void smp_boot(u32 want);
void smp_start_others(void);
void smp_kick(u32 cpu);
void smp_stop_others(void);
void secondary_main(void);
void sched_start_secondary(void);        /* entry.S */
void hyp_enter(void);
void hyp_leave(void);
u32 hyp_release(void);
void hyp_resume(u32 depth);
void mmu_secondary_init(void);
void gic_cpu_init(void);

/* CP15 and barriers */
#define CP15_READ(crn, op1, crm, op2) ({ u32 _v; __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(_v)); _v; })
#define CP15_WRITE(crn, op1, crm, op2, v) __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"(v) : "memory")
static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline u32 read32(u32 a) { return *(volatile u32 *)a; }
static inline void write32(u32 a, u32 v) { *(volatile u32 *)a = v; }
/* This CPU: MPIDR.Aff0. */
static inline u32 cpu_id(void) { return CP15_READ(c0, 0, c0, 5) & 3; }
/* The domain running on this CPU. */
#define current (cpu_current[cpu_id()])

#endif
