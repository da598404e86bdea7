/**
 * Boot protocols: what a boot loader does before jumping to a kernel.
 * - ATAG (tegra2 boards): images in RAM, an ATAG list at RAM base + 0x100,
 *   r0 = 0, r1 = machine type, r2 = ATAG address.
 * - DTB (vexpress-a9, as QEMU's -kernel/-dtb/-initrd/-append does it): the
 *   DTB's /chosen gets bootargs and linux,initrd-start/end, /memory the RAM,
 *   r2 = DTB address.
 * A board whose protocol is ATAG boots with the DTB protocol when it is
 * given a device tree, as the Tegra2 boot loaders that know both (U-Boot's
 * bootz with an fdt address) do: the tree is patched as above, and r1 is
 * 0xffffffff (no machine type: the kernel matches the tree's compatible).
 * Without a device tree the ATAG list stays the default.
 * Both enter in SVC mode with IRQ/FIQ masked and the MMU off (the CPU's reset
 * state). Layout follows QEMU: a kernel image at RAM base + 0x10000, the
 * initrd at RAM base + min(RAM/2, 128 MiB) (or after the kernel), the DTB after
 * the initrd.
 *
 * Secondary cores (a machine running several): core 0 boots the kernel as
 * above. An ELF kernel is not booted as Linux, as QEMU does not: every core
 * starts at its entry (the image tells the cores apart by MPIDR). For a
 * Linux image (zImage, raw) on a board that boots with a DTB (vexpress-a9), the secondaries are
 * held as QEMU's boot loader holds them (hw/arm/boot.c, the realview/vexpress
 * protocol): each starts, in its reset state (SVC, interrupts masked, MMU
 * off), in a small stub at the start of the board's SRAM (the RAM bank named
 * `sram`) that enables its GIC CPU interface (GICC_CTLR = 1, GICC_PMR = 0xff),
 * then waits in WFI and reads the system registers' flags register
 * (SYS_FLAGS, sysregs + 0x30) until it is non-zero, and jumps to the address
 * it holds. The kernel writes its secondary entry point to SYS_FLAGSSET and
 * sends the core an SGI. On tegra2 boards the secondaries are the board's
 * business (CPU1 is held in reset until software releases it). A one-core
 * boot writes nothing of this.
 */

import type { Machine } from '../machine';
import { parseElf, ImageError, type ElfImage } from '../loaders/elf';
import { buildAtags } from './atag';
import { parseFdt, serializeFdt, ensureNode, findNode, cells, stringProp, readCell, FdtError, type Fdt } from './fdt';

export interface BootImages {
  kernel: Uint8Array;
  kernelName: string;
  dtb?: Uint8Array;
  dtbName?: string;
  initrd?: Uint8Array;
  cmdline?: string;
}

export interface BootLayout {
  kind: 'elf' | 'zimage' | 'raw';
  entry: number;
  kernelStart: number;
  kernelEnd: number;
  initrd?: { base: number; size: number };
  tags?: number;
  dtb?: number;
  /** The ELF, when the kernel was one (its symbols symbolise addresses). */
  elf?: ElfImage;
}

const ZIMAGE_MAGIC = 0x016f2818;
const KERNEL_LOAD_OFFSET = 0x10000;
const ATAG_OFFSET = 0x100;
const MiB = 1 << 20;

export function isZImage(b: Uint8Array): boolean {
  return b.length >= 0x30 && new DataView(b.buffer, b.byteOffset).getUint32(0x24, true) === ZIMAGE_MAGIC;
}

function isElf(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

export function bootKernel(machine: Machine, images: BootImages): BootLayout {
  const board = machine.board;
  const ramBase = board.boot.ramBase;
  const bank = board.memory.find((m) => ramBase >= m.base && ramBase < m.base + m.size);
  if (!bank) throw new ImageError(`board ${board.name}: boot RAM base 0x${ramBase.toString(16)} is not in any memory bank`);
  const ramSize = bank.base + bank.size - ramBase;
  const put = (addr: number, data: Uint8Array, what: string) => {
    if (addr + data.length > ramBase + ramSize) {
      throw new ImageError(`${what} (${data.length} bytes at 0x${addr.toString(16)}) does not fit in RAM bank ${bank.name} of board ${board.name}`);
    }
    machine.bus.loadBytes(addr, data);
  };

  let layout: BootLayout;
  if (isElf(images.kernel)) {
    const elf = parseElf(images.kernel, images.kernelName);
    machine.loadElf(elf, images.kernelName);
    const lo = Math.min(...elf.segments.map((s) => s.paddr));
    const hi = Math.max(...elf.segments.map((s) => s.paddr + s.memsz));
    layout = { kind: 'elf', entry: elf.entry, kernelStart: lo, kernelEnd: hi, elf };
  } else {
    const at = ramBase + KERNEL_LOAD_OFFSET;
    put(at, images.kernel, `kernel ${images.kernelName}`);
    layout = { kind: isZImage(images.kernel) ? 'zimage' : 'raw', entry: at, kernelStart: at, kernelEnd: at + images.kernel.length };
    machine.cpu.pc = at;
  }
  // The protocol this boot uses: the board's, or the DTB protocol on an ATAG board given a device tree.
  const useAtags = board.boot.protocol === 'atag' && !images.dtb;
  if (layout.kernelStart < ramBase + ATAG_OFFSET + 0x4000 && layout.kernelEnd > ramBase && useAtags) {
    throw new ImageError(`${images.kernelName}: loads at 0x${layout.kernelStart.toString(16)}, over the ATAG area at RAM base + 0x100`);
  }

  let next = Math.max(ramBase + Math.min(ramSize / 2, 128 * MiB), align(layout.kernelEnd, 4096));
  if (images.initrd) {
    put(next, images.initrd, 'initrd');
    layout.initrd = { base: next, size: images.initrd.length };
    next = align(next + images.initrd.length, 4096);
  }

  const cpu = machine.cpu;
  cpu.r[0] = 0;
  cpu.r[1] = board.boot.machineType ?? -1;
  if (useAtags) {
    const tags = buildAtags({
      memory: atagBanks(board),
      cmdline: images.cmdline,
      initrd: layout.initrd,
    });
    put(ramBase + ATAG_OFFSET, tags, 'ATAG list');
    layout.tags = ramBase + ATAG_OFFSET;
    cpu.r[2] = layout.tags;
  } else if (images.dtb) {
    // /memory: on a DTB board the boot bank, as QEMU's arm_load_dtb writes it; on an
    // ATAG board the banks its ATAG_MEM tags would list (every bank of 1 MiB or more).
    const banks = board.boot.protocol === 'atag' ? atagBanks(board) : [{ base: ramBase, size: ramSize }];
    let blob: Uint8Array;
    try {
      blob = patchDtb(images.dtb, banks, images.cmdline, layout.initrd);
    } catch (e) {
      if (e instanceof FdtError) throw new ImageError(`${images.dtbName ?? 'dtb'}: ${e.message}`);
      throw e;
    }
    put(next, blob, 'device tree');
    layout.dtb = next;
    cpu.r[2] = next;
    // An ATAG board's machine type names a board file of old kernels; with a tree there is none.
    if (board.boot.protocol === 'atag') cpu.r[1] = 0xffffffff;
  } else {
    cpu.r[2] = 0;
  }
  // An ELF is booted as QEMU boots one (not as Linux): every core starts at its entry.
  if (machine.cpus.length > 1 && board.boot.protocol === 'dtb' && layout.kind !== 'elf') holdSecondaries(machine, layout, images.kernelName);
  return layout;
}

/** The secondary cores' boot stub (A32), with its two literals to fill in: the GIC CPU interface and the flags register. */
const SECONDARY_STUB = [
  0xe59f0028, //        ldr   r0, gicc
  0xe3a01001, //        mov   r1, #1
  0xe5801000, //        str   r1, [r0]          GICC_CTLR: enable the CPU interface
  0xe3a010ff, //        mov   r1, #0xff
  0xe5801004, //        str   r1, [r0, #4]      GICC_PMR: let every priority through
  0xe59f0018, //        ldr   r0, flags
  0xf57ff04f, //        dsb   sy
  0xe320f003, // wait:  wfi
  0xe5901000, //        ldr   r1, [r0]
  0xe3510000, //        cmp   r1, #0
  0x0afffffb, //        beq   wait
  0xe12fff11, //        bx    r1
];
/** The system registers' flags register: SYS_FLAGS (read) and SYS_FLAGSSET (write). */
const SYS_FLAGS_OFFSET = 0x30;

/** Where the stub goes and what it reads, from the board's description, as QEMU's vexpress.c sets them. */
export function secondaryBootSites(board: Machine['board']): { stub: number; gicCpu: number; flags: number } {
  const sram = board.memory.find((m) => m.name === 'sram');
  const sysregs = board.devices.find((d) => d.type === 'arm,vexpress-sysreg');
  const gic = board.devices.find((d) => d.type === 'arm,gic-v1');
  const missing = !sram ? 'a RAM bank named sram for the stub' : !sysregs ? 'system registers (arm,vexpress-sysreg) with the flags register'
    : !gic?.regions.cpu ? 'a GIC CPU interface' : undefined;
  if (missing) throw new ImageError(`board ${board.name}: a kernel booted on several cores needs ${missing}, where the secondary cores wait to be started`);
  return { stub: sram!.base, gicCpu: gic!.regions.cpu.base, flags: sysregs!.regions.registers.base + SYS_FLAGS_OFFSET };
}

/** Every core but core 0 starts in the stub (QEMU's default_write_secondary / default_reset_secondary). */
function holdSecondaries(machine: Machine, layout: BootLayout, kernelName: string): void {
  const sites = secondaryBootSites(machine.board);
  const code = new Uint8Array(4 * (SECONDARY_STUB.length + 2));
  const over = (layout.elf?.segments.map((g) => [g.paddr >>> 0, (g.paddr >>> 0) + g.memsz]) ?? [[layout.kernelStart, layout.kernelEnd]])
    .find(([lo, hi]) => lo < sites.stub + code.length && hi > sites.stub);
  if (over) {
    throw new ImageError(`${kernelName}: loads at 0x${over[0].toString(16)}..0x${(over[1] - 1).toString(16)}, over the boot stub where the secondary cores wait (0x${sites.stub.toString(16)}, the start of board ${machine.board.name}'s sram); boot it on one core or link it elsewhere`);
  }
  const view = new DataView(code.buffer);
  [...SECONDARY_STUB, sites.gicCpu, sites.flags].forEach((w, i) => view.setUint32(4 * i, w >>> 0, true));
  machine.bus.loadBytes(sites.stub, code);
  for (const cpu of machine.cpus.slice(1)) cpu.pc = sites.stub;
}

/**
 * Parses a DTB the way the boot loader will use it: a sound blob whose root
 * #address-cells and #size-cells are 1 or 2 (32-bit ARM). Throws FdtError.
 */
export function checkBootDtb(dtb: Uint8Array): { fdt: Fdt; acells: number; scells: number } {
  const fdt = parseFdt(dtb);
  const acells = readCell(fdt.root.props.get('#address-cells'), 1);
  const scells = readCell(fdt.root.props.get('#size-cells'), 1);
  for (const [name, v] of [['#address-cells', acells], ['#size-cells', scells]] as const) {
    if (v !== 1 && v !== 2) throw new FdtError(`the root node's ${name} is ${v}; a 32-bit ARM boot needs 1 or 2`);
  }
  return { fdt, acells, scells };
}

/** The RAM an ATAG board reports: one ATAG_MEM per bank of 1 MiB or more (smaller ones are on-chip SRAM). */
function atagBanks(board: Machine['board']): Array<{ base: number; size: number }> {
  return board.memory.filter((m) => m.size >= MiB).map((m) => ({ base: m.base, size: m.size }));
}

/** Sets /memory (one reg entry per bank), /chosen bootargs and the initrd location, as QEMU's arm_load_dtb does. */
function patchDtb(dtb: Uint8Array, banks: Array<{ base: number; size: number }>, cmdline?: string, initrd?: { base: number; size: number }): Uint8Array {
  const { fdt, acells, scells } = checkBootDtb(dtb);
  const memory = findNode(fdt.root, '/memory') ?? ensureNode(fdt.root, 'memory');
  memory.props.set('device_type', stringProp('memory'));
  const entry = 4 * (acells + scells);
  const reg = new Uint8Array(entry * banks.length);
  banks.forEach((b, i) => {
    reg.set(cells([b.base], acells), entry * i);
    reg.set(cells([b.size], scells), entry * i + 4 * acells);
  });
  memory.props.set('reg', reg);
  const chosen = ensureNode(fdt.root, 'chosen');
  if (cmdline !== undefined) chosen.props.set('bootargs', stringProp(cmdline));
  if (initrd) {
    chosen.props.set('linux,initrd-start', cells([initrd.base], acells));
    chosen.props.set('linux,initrd-end', cells([initrd.base + initrd.size], acells));
  }
  return serializeFdt(fdt);
}

function align(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}
