/* CPSR mode numbers and mask bits, shared by C and assembly. */
#ifndef MODES_H
#define MODES_H

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f

#define PSR_T (1 << 5)
#define PSR_F (1 << 6)
#define PSR_I (1 << 7)
#define PSR_A (1 << 8)
#define PSR_E (1 << 9)
#define PSR_Q (1 << 27)
#define PSR_V (1 << 28)
#define PSR_C (1 << 29)
#define PSR_Z (1 << 30)
#define PSR_N (1u << 31)

#endif
