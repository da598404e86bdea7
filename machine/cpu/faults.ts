/**
 * Sentinels thrown to abandon the current instruction, and the short-descriptor
 * fault status codes (ARM ARM B3.13.3) written into DFSR/IFSR.
 * Preallocated so that throwing one allocates nothing.
 */

export const DATA_ABORT = { kind: 'data-abort' } as const;
export const PREFETCH_ABORT = { kind: 'prefetch-abort' } as const;
/**
 * Thrown by an access watcher (a debugger's watchpoint) to stop the core
 * before the instruction making the access: the instruction is abandoned as
 * a data abort would abandon it, but no exception is taken; its tick is
 * given back and the run stops with the PC at it, so that running on
 * executes it again from the start.
 */
export const STOP_BEFORE = { kind: 'stop-before' } as const;

/** FS[4:0] values. */
export const FS_ALIGNMENT = 0b00001;
export const FS_DEBUG = 0b00010;
export const FS_ACCESS_FLAG_SECTION = 0b00011;
export const FS_ACCESS_FLAG_PAGE = 0b00110;
export const FS_TRANSLATION_SECTION = 0b00101;
export const FS_TRANSLATION_PAGE = 0b00111;
export const FS_SYNC_EXTERNAL = 0b01000;
export const FS_DOMAIN_SECTION = 0b01001;
export const FS_DOMAIN_PAGE = 0b01011;
export const FS_WALK_EXTERNAL_L1 = 0b01100;
export const FS_WALK_EXTERNAL_L2 = 0b01110;
export const FS_PERMISSION_SECTION = 0b01101;
export const FS_PERMISSION_PAGE = 0b01111;

/** DFSR/IFSR value: FS[3:0] in bits 3:0, FS[4] in bit 10, domain in 7:4, WnR in bit 11. */
export function faultStatusRegister(status: number, domain: number, write: boolean): number {
  return ((status & 0xf) | ((status & 0x10) << 6) | ((domain & 0xf) << 4) | (write ? 1 << 11 : 0)) >>> 0;
}
