/*
 * Run one instruction from inline assembly with chosen input flags and print
 * its result and the resulting flags, so that a difference between two
 * implementations shows up on the line of the instruction responsible.
 */
#ifndef ASMTEST_H
#define ASMTEST_H

#include "runtime.h"

/* "NZCVQ ge=xxxx" for the CPSR value f. */
static inline const char *flagstr(uint32_t f)
{
  static char s[16];
  s[0] = f & PSR_N ? 'N' : '-';
  s[1] = f & PSR_Z ? 'Z' : '-';
  s[2] = f & PSR_C ? 'C' : '-';
  s[3] = f & PSR_V ? 'V' : '-';
  s[4] = f & PSR_Q ? 'Q' : '-';
  s[5] = ' ';
  for (int i = 0; i < 4; i++) s[6 + i] = f & (1u << (19 - i)) ? '1' : '0';
  s[10] = 0;
  return s;
}

/* Input flags for a test: NZCVQ and GE written with MSR before the instruction. */
#define FL_C PSR_C
#define FL_Q PSR_Q

/* Template operands: %[r] result, %[x] %[y] %[z] inputs. */
#define T2(name, tmpl, a, b, fin) do { \
    uint32_t a_ = (a), b_ = (b), r_, f_; \
    __asm__ volatile("msr cpsr_fs, %[fi]\n\t" tmpl "\n\tmrs %[f], cpsr" \
      : [r] "=&r"(r_), [f] "=&r"(f_) : [x] "r"(a_), [y] "r"(b_), [fi] "r"((uint32_t)(fin)) : "cc"); \
    printf("%-7s %08x %08x %s -> %08x %s\n", name, (unsigned)a_, (unsigned)b_, (fin) & PSR_C ? "c" : " ", \
      (unsigned)r_, flagstr(f_)); \
  } while (0)

#define T3(name, tmpl, a, b, c, fin) do { \
    uint32_t a_ = (a), b_ = (b), c_ = (c), r_, f_; \
    __asm__ volatile("msr cpsr_fs, %[fi]\n\t" tmpl "\n\tmrs %[f], cpsr" \
      : [r] "=&r"(r_), [f] "=&r"(f_) : [x] "r"(a_), [y] "r"(b_), [z] "r"(c_), [fi] "r"((uint32_t)(fin)) : "cc"); \
    printf("%-7s %08x %08x %08x -> %08x %s\n", name, (unsigned)a_, (unsigned)b_, (unsigned)c_, \
      (unsigned)r_, flagstr(f_)); \
  } while (0)

/* 64-bit accumulator in %[lo] %[hi] (read and written), inputs %[x] %[y]. */
#define T64(name, tmpl, a, b, lo0, hi0, fin) do { \
    uint32_t a_ = (a), b_ = (b), lo_ = (lo0), hi_ = (hi0), f_; \
    __asm__ volatile("msr cpsr_fs, %[fi]\n\t" tmpl "\n\tmrs %[f], cpsr" \
      : [lo] "+&r"(lo_), [hi] "+&r"(hi_), [f] "=&r"(f_) : [x] "r"(a_), [y] "r"(b_), [fi] "r"((uint32_t)(fin)) : "cc"); \
    printf("%-7s %08x %08x %08x:%08x -> %08x:%08x %s\n", name, (unsigned)a_, (unsigned)b_, (unsigned)(hi0), \
      (unsigned)(lo0), (unsigned)hi_, (unsigned)lo_, flagstr(f_)); \
  } while (0)

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#endif
