/**
 * Board descriptions as data: memory only for now. Devices, IRQ wiring and the
 * YAML board files come with the boards work; the shape here is what the board
 * builder consumes.
 */

export interface MemorySpec {
  name: string;
  base: number;
  size: number;
  /** If set, this range shows the first `size` bytes of the named region. */
  aliasOf?: string;
}

export interface BoardSpec {
  name: string;
  description: string;
  memory: MemorySpec[];
  /** Where SYS_HEAPINFO places the heap (QEMU answers from the main RAM bank). */
  mainRam: string;
}

const MiB = 1024 * 1024;

export const BOARDS: Record<string, BoardSpec> = {
  'vexpress-a9': {
    name: 'vexpress-a9',
    description: 'ARM Versatile Express with a CoreTile A9x4, QEMU legacy memory map (RAM at 0x60000000)',
    // QEMU's default -m for vexpress-a9 is 1 GiB. QEMU maps NOR flash 0 at 0 and
    // 0x40000000; flash is not modelled yet, so those ranges abort here.
    memory: [
      { name: 'dram', base: 0x60000000, size: 1024 * MiB },
    ],
    mainRam: 'dram',
  },
  'tegra2-xoom': {
    name: 'tegra2-xoom',
    description: 'Motorola Xoom: NVIDIA Tegra20 (dual Cortex-A9 r1p0), 1 GiB DRAM with the Xoom carve-out, 256 KiB IRAM',
    memory: [
      { name: 'dram-bank0', base: 0x00000000, size: 448 * MiB },
      { name: 'dram-bank1', base: 0x20000000, size: 512 * MiB - 256 * 1024 },
      { name: 'iram', base: 0x40000000, size: 256 * 1024 },
    ],
    mainRam: 'dram-bank0',
  },
};

export function boardNames(): string[] {
  return Object.keys(BOARDS);
}
