/** Processor modes (CPSR.M) and their register banks. */

export const MODE_USR = 0x10;
export const MODE_FIQ = 0x11;
export const MODE_IRQ = 0x12;
export const MODE_SVC = 0x13;
export const MODE_MON = 0x16;
export const MODE_ABT = 0x17;
export const MODE_UND = 0x1b;
export const MODE_SYS = 0x1f;

/** Bank index of each mode (USR and SYS share bank 0); -1 for invalid modes. */
export function bankOf(mode: number): number {
  switch (mode) {
    case MODE_USR: case MODE_SYS: return 0;
    case MODE_FIQ: return 1;
    case MODE_IRQ: return 2;
    case MODE_SVC: return 3;
    case MODE_ABT: return 4;
    case MODE_UND: return 5;
    default: return -1;
  }
}

/** Tegra20's Cortex-A9 runs without the Security Extensions, so Monitor mode is not valid. */
export function isValidMode(mode: number): boolean {
  return bankOf(mode) >= 0;
}

export function hasSpsr(mode: number): boolean {
  const b = bankOf(mode);
  return b > 0;
}

export const MODE_NAMES: Record<number, string> = {
  [MODE_USR]: 'usr', [MODE_FIQ]: 'fiq', [MODE_IRQ]: 'irq', [MODE_SVC]: 'svc',
  [MODE_MON]: 'mon', [MODE_ABT]: 'abt', [MODE_UND]: 'und', [MODE_SYS]: 'sys',
};

/** Exception kinds with their vector offsets. */
export const enum Vector {
  Reset = 0x00,
  Undefined = 0x04,
  Svc = 0x08,
  PrefetchAbort = 0x0c,
  DataAbort = 0x10,
  Irq = 0x18,
  Fiq = 0x1c,
}
