/**
 * Memory layout and record formats shared by the case generator, the result
 * parser and test/diff/runtime.S (keep the three in step).
 */

/** The case blob (linked at this address by link.ld). */
export const CASES_BASE = 0x60100000;
export const BLOB_MAGIC = 0x46464944; // "DIFF"
export const BLOB_HEADER = 16;

/**
 * Input record: r0-r15, CPSR (mode, NZCVQ, GE), SPSR, flags, image address,
 * then the exclusive monitor to arm before the case (address, kind).
 */
export const CASE_SIZE = 96;
export const CASE_CPSR = 64;
export const CASE_SPSR = 68;
export const CASE_FLAGS = 72;
export const CASE_IMAGE = 76;
export const CASE_MONITOR_ADDR = 80;
export const CASE_MONITOR_KIND = 84;
/** Monitor kinds: which Load-Exclusive the runtime executes at the address (0: monitor open). */
export const MONITOR = { NONE: 0, WORD: 1, BYTE: 2, HALF: 3, DOUBLE: 4 } as const;
/** flags bit 0: copy the scratch window into the result record. */
export const FLAG_WINDOW = 1;

/** Code slot: svc #0x10, svc #0x11, <insn>, svc #0 ... svc #8. */
export const SLOT_WORDS = 12;
export const SLOT_BYTES = SLOT_WORDS * 4;
export const SLOT_INSN = 2;
/** Word indices of the slot (relative to the instruction) that hold landing SVCs. */
export const LANDING_OFFSETS = [-8, -4, 4, 8, 12, 16, 20, 24, 28, 32, 36];

export const WINDOW = 0x63f00000;
export const WINDOW_SIZE = 256;

export const RESULTS = 0x64000000;
export const RESULT_HEADER = 32;
export const REC_SIZE = 128;
export const REC_WORDS = REC_SIZE / 4;
/** Word offsets in a result record. */
export const R = {
  VECTOR: 0, R0: 1, LR: 16, CPSR: 17, SPSR: 18, DFSR: 19, DFAR: 20, IFSR: 21, IFAR: 22, INDEX: 23, USR_R8: 24,
} as const;

/** Vector offsets as recorded. */
export const VECTOR_NAMES: Record<number, string> = {
  0x00: 'reset', 0x04: 'undefined', 0x08: 'svc', 0x0c: 'prefetch abort', 0x10: 'data abort',
  0x14: 'unused', 0x18: 'irq', 0x1c: 'fiq',
};

export const MAX_CASES = 100_000;
