/**
 * Access flags for the CPU's data-access helpers (cpu.read32(va, flags) ...).
 * A module of their own, with no imports, so that the instruction family
 * files can use them without loading cpu.ts (which loads the decoders, which
 * load the family files).
 */

/** Fault on any misalignment (LDM, LDRD, LDREX, ...). */
export const ACC_ALIGN = 1;
/** LDRT/STRT: check permissions as if in User mode. */
export const ACC_UNPRIV = 2;
