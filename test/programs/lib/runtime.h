/* Exceptions, CP15 access and small utilities shared by the test programs. */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdint.h>
#include "modes.h"
#include "semihost.h"

enum exc_kind {
  EXC_RESET = 0, EXC_UNDEF = 1, EXC_SVC = 2, EXC_PABT = 3, EXC_DABT = 4, EXC_IRQ = 6, EXC_FIQ = 7,
};

/*
 * Saved by the vectors in crt0.S. pc is the address of the instruction that
 * took the exception (the SVC, the undefined or aborted instruction); the
 * handler sets it to where execution resumes, and may change registers and
 * spsr, which are restored on return.
 */
struct exc_frame {
  uint32_t spsr;
  uint32_t pad;
  uint32_t r[13];
  uint32_t pc;
};

typedef void (*exc_handler)(struct exc_frame *f);

/* Installs a handler for one exception kind; NULL restores the default (report and exit 1). */
void set_handler(enum exc_kind kind, exc_handler h);
const char *exc_name(enum exc_kind kind);

/* Number of exceptions taken so far, per kind. */
extern volatile unsigned exc_count[8];

#define CP15_READ(opc1, crn, crm, opc2) ({ uint32_t v_; \
  __asm__ volatile("mrc p15, " #opc1 ", %0, " #crn ", " #crm ", " #opc2 : "=r"(v_)); v_; })
#define CP15_WRITE(opc1, crn, crm, opc2, v) \
  __asm__ volatile("mcr p15, " #opc1 ", %0, " #crn ", " #crm ", " #opc2 :: "r"((uint32_t)(v)) : "memory")

static inline uint32_t read_sctlr(void) { return CP15_READ(0, c1, c0, 0); }
static inline void write_sctlr(uint32_t v) { CP15_WRITE(0, c1, c0, 0, v); __asm__ volatile("isb" ::: "memory"); }
static inline uint32_t read_dfsr(void) { return CP15_READ(0, c5, c0, 0); }
static inline uint32_t read_ifsr(void) { return CP15_READ(0, c5, c0, 1); }
static inline uint32_t read_dfar(void) { return CP15_READ(0, c6, c0, 0); }
static inline uint32_t read_ifar(void) { return CP15_READ(0, c6, c0, 2); }

static inline uint32_t read_cpsr(void) { uint32_t v; __asm__ volatile("mrs %0, cpsr" : "=r"(v)); return v; }

#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SCTLR_AFE (1u << 29)
#define SCTLR_TRE (1u << 28)

/* Fault status FS[4:0] of a DFSR/IFSR value. */
static inline unsigned fsr_status(uint32_t fsr) { return (fsr & 0xf) | ((fsr >> 6) & 0x10); }

/* Prints "check <name>: ok" or a failure line; counts failures. */
extern unsigned failures;
void check(const char *name, uint32_t got, uint32_t want);
void check64(const char *name, uint64_t got, uint64_t want);
/* Final line and exit code: 0 when nothing failed. */
int finish(const char *program);

void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n);
void *memmove(void *d, const void *s, unsigned n);
int memcmp(const void *a, const void *b, unsigned n);
unsigned strlen(const char *s);

#endif
