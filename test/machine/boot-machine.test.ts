/**
 * The one boot function (machine/boot/boot-machine.ts): a description that
 * cannot boot is refused before anything is built, with a message naming the
 * part that is wrong; each image role ends up where its boot protocol puts it.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootMachine, BootDescriptionError, type BootDescription } from '../../machine/boot/boot-machine';
import { ImageError } from '../../machine/loaders/elf';
import { serializeFdt, parseFdt, findNode, stringProp, cells, type FdtNode } from '../../machine/boot/fdt';
import { packVolume, readVolume } from '../../machine/boot/volume';
import { boardSpec, bootBoard, boardSource, createMachine, loadBoard } from '../../scenario/boards';

import { ROOT } from '../support/environment';
const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts));
const XOOM = boardSpec('tegra2-xoom');
const VEXPRESS = boardSpec('vexpress-a9');
const HYPERVISOR = { name: 'hypervisor.elf', data: read('firmware', 'build', 'hypervisor.elf') };
const PROGRAM = { name: 'arith.elf', data: read('test', 'programs', 'build', 'arith.elf') };
/** A raw kernel image: `b .` (a zImage or raw image is copied to RAM base + 0x10000). */
const RAW_KERNEL = { name: 'raw.img', data: Uint8Array.from([0xfe, 0xff, 0xff, 0xea]) };

function dtb(): Uint8Array {
  const node = (name: string, props: Record<string, Uint8Array>, children: FdtNode[] = []): FdtNode => ({ name, props: new Map(Object.entries(props)), children });
  return serializeFdt({ reserved: [], bootCpuId: 0, root: node('', { '#address-cells': cells([1]), '#size-cells': cells([1]) }, [node('chosen', {})]) });
}

function refused(d: BootDescription, message: RegExp): void {
  assert.throws(() => bootMachine(d), (e: Error) => e instanceof BootDescriptionError && e instanceof ImageError && message.test(e.message), `${message}`);
}

test('a boot description with a kernel and a bare-metal program both is refused, naming both', () => {
  refused({ board: VEXPRESS, kernel: RAW_KERNEL, program: PROGRAM }, /^boot: a kernel \(raw\.img\) and a bare-metal program \(arith\.elf\) were both given/);
});

test('a boot description with a dtb, initrd, volume or command line but no kernel is refused', () => {
  refused({ board: VEXPRESS, program: PROGRAM, dtb: { name: 'b.dtb', data: dtb() } }, /a dtb is handed over by a boot protocol, which needs a kernel image/);
  refused({ board: VEXPRESS, initrd: { name: 'i', data: new Uint8Array(4) } }, /an? initrd is handed over by a boot protocol/);
  refused({ board: XOOM, volume: { name: 'v', data: new Uint8Array(4) } }, /a volume is handed over by a boot protocol/);
  refused({ board: VEXPRESS, program: PROGRAM, cmdline: 'quiet' }, /a command line is handed over by a boot protocol/);
});

test('a boot description with both an initrd and a boot volume is refused', () => {
  refused({ board: XOOM, kernel: HYPERVISOR, initrd: { name: 'initrd.img', data: new Uint8Array(8) }, volume: { name: 'boot volume', data: new Uint8Array(8) } },
    /an initrd \(initrd\.img\) and a boot volume were both given/);
});

test('a kernel given a device tree on tegra2-xoom (an ATAG board) boots with the DTB protocol: r1 = ~0, r2 = the tree, /memory the board\'s banks', () => {
  const initrd = { name: 'initrd.img', data: new Uint8Array(5000).fill(7) };
  const { machine, layout } = bootMachine({ board: XOOM, cores: 1, kernel: RAW_KERNEL, dtb: { name: 'x.dtb', data: dtb() }, initrd, cmdline: 'console=ttyS0,115200n8' });
  assert.equal(layout!.kind, 'raw');
  assert.equal(layout!.tags, undefined, 'no ATAG list');
  assert.equal(machine.cpu.pc, XOOM.boot.ramBase + 0x10000);
  assert.deepEqual([machine.cpu.r[0], machine.cpu.r[1] >>> 0, machine.cpu.r[2]], [0, 0xffffffff, layout!.dtb]);
  assert.equal(layout!.dtb! % 8, 0, 'the tree is 8-byte aligned');
  assert.ok(layout!.dtb! >= layout!.initrd!.base + layout!.initrd!.size, 'the tree goes after the initrd');
  const blob = new Uint8Array(4096).map((_, i) => machine.bus.read8(layout!.dtb! + i));
  const root = parseFdt(blob).root;
  const chosen = findNode(root, '/chosen')!;
  assert.deepEqual(Buffer.from(chosen.props.get('bootargs')!), Buffer.from(stringProp('console=ttyS0,115200n8')));
  assert.deepEqual(Buffer.from(chosen.props.get('linux,initrd-start')!), Buffer.from(cells([layout!.initrd!.base])));
  assert.deepEqual(Buffer.from(chosen.props.get('linux,initrd-end')!), Buffer.from(cells([layout!.initrd!.base + 5000])));
  // Both DRAM banks around the carve-out, as the ATAG_MEM tags list them.
  const dram = XOOM.memory.filter((m) => m.size >= 1 << 20);
  assert.equal(dram.length, 2);
  const memory = findNode(root, '/memory')!;
  assert.deepEqual(Buffer.from(memory.props.get('reg')!), Buffer.from(cells(dram.flatMap((m) => [m.base, m.size]))));
  assert.equal(machine.bus.read8(layout!.initrd!.base), 7);
  // Nothing was written where an ATAG list would go.
  assert.equal(machine.bus.read32(XOOM.boot.ramBase + 0x100 + 4), 0);
});

test('without a device tree tegra2-xoom still boots with ATAGs', () => {
  const { machine, layout } = bootMachine({ board: XOOM, cores: 1, kernel: RAW_KERNEL, cmdline: 'console=ttyS0' });
  assert.equal(layout!.dtb, undefined);
  assert.deepEqual([machine.cpu.r[0], machine.cpu.r[1], machine.cpu.r[2]], [0, XOOM.boot.machineType, XOOM.boot.ramBase + 0x100]);
  assert.equal(machine.bus.read32(XOOM.boot.ramBase + 0x100 + 4), 0x54410001, 'ATAG_CORE');
});

test('a boot description asking for more cores than the board has, or than are simulated, is refused', () => {
  refused({ board: VEXPRESS, cores: 0 }, /cores must be a whole number of at least 1 \(got 0\)/);
  refused({ board: VEXPRESS, cores: 1.5 }, /cores must be a whole number/);
  refused({ board: VEXPRESS, cores: 5 }, /cores: 5, but board vexpress-a9 has 4 cores$/);
  refused({ board: XOOM, cores: 3 }, /cores: 3, but board tegra2-xoom has 2 cores$/);
  assert.equal(bootMachine({ board: XOOM, cores: 1 }).machine.board, XOOM);
});

test('a boot description without a board, or with an image without bytes, is refused', () => {
  refused({ board: undefined as never }, /no board given/);
  refused({ board: VEXPRESS, program: { name: 'p.elf', data: 'not bytes' as never } }, /the program image p\.elf has no bytes/);
});

test('a bare-metal program is loaded at its physical addresses and entered with no boot protocol', () => {
  const { machine, layout, symbols } = bootMachine({ board: VEXPRESS, program: PROGRAM });
  assert.equal(layout, undefined);
  assert.ok(symbols.some((s) => s.name === 'main'));
  assert.equal(machine.cpu.r[2], 0, 'r2 keeps its reset value');
  assert.notEqual(machine.cpu.pc, 0);
});

test('a program with semihosting and no host prints on the console device "semihosting" and exits', () => {
  const { machine } = bootMachine({ board: VEXPRESS, program: PROGRAM, semihosting: {} });
  let out = '';
  machine.probes.console.subscribe((device, data) => { if (device === 'semihosting') out += Buffer.from(data).toString('latin1'); });
  assert.deepEqual(machine.runUntil(2e9), { kind: 'exit', code: 0 });
  assert.equal(out, read('test', 'programs', 'expected', 'arith.txt').toString('latin1'));
});

test('a program with a semihosting host of its own prints there, not on the console', () => {
  let out = '';
  const { machine } = bootMachine({ board: VEXPRESS, program: PROGRAM, semihosting: { host: { console: (_s, d) => { out += Buffer.from(d).toString('latin1'); } }, cmdline: 'arith 1 2' } });
  machine.probes.console.subscribe(() => assert.fail('semihosting output went to the console'));
  assert.deepEqual(machine.runUntil(2e9), { kind: 'exit', code: 0 });
  assert.equal(out, read('test', 'programs', 'expected', 'arith.txt').toString('latin1'));
});

test('a kernel ELF on an ATAG board is entered with r1 = machine type and r2 = the ATAG list, the boot volume in RAM', () => {
  const volume = packVolume([{ name: 'pingpong', role: 'domu', data: read('firmware', 'build', 'guests', 'pingpong.elf') }]);
  const { machine, layout, symbols } = bootMachine({ board: XOOM, kernel: HYPERVISOR, volume: { name: 'boot volume', data: volume }, cmdline: 'console=ttyS0' });
  assert.equal(layout!.kind, 'elf');
  assert.equal(machine.cpu.r[1], XOOM.boot.machineType);
  assert.equal(machine.cpu.r[2], XOOM.boot.ramBase + 0x100);
  assert.ok(symbols.length > 0);
  const at = layout!.initrd!;
  assert.equal(at.size, volume.length);
  const inRam = new Uint8Array(at.size).map((_, i) => machine.bus.read8(at.base + i));
  assert.equal(readVolume(inRam)[0].name, 'pingpong');
});

test('a raw kernel on a DTB board gets the device tree with /chosen filled in and an initrd', () => {
  const initrd = { name: 'initrd.img', data: new Uint8Array(5000).fill(7) };
  const { machine, layout } = bootMachine({ board: VEXPRESS, kernel: RAW_KERNEL, dtb: { name: 'b.dtb', data: dtb() }, initrd, cmdline: 'console=ttyAMA0' });
  assert.equal(layout!.kind, 'raw');
  assert.equal(machine.cpu.pc, VEXPRESS.boot.ramBase + 0x10000);
  assert.equal(machine.cpu.r[2], layout!.dtb);
  const blob = new Uint8Array(4096).map((_, i) => machine.bus.read8(layout!.dtb! + i));
  const chosen = findNode(parseFdt(blob).root, '/chosen')!;
  assert.deepEqual(Buffer.from(chosen.props.get('bootargs')!), Buffer.from(stringProp('console=ttyAMA0')));
  assert.equal(machine.bus.read8(layout!.initrd!.base), 7);
});

test('a description with no image gives a bare machine at its reset state', () => {
  const { machine, layout, symbols } = bootMachine({ board: VEXPRESS });
  assert.equal(layout, undefined);
  assert.deepEqual(symbols, []);
  assert.equal(machine.cpu.icount, 0);
  assert.equal(machine.semihosting, undefined);
});

test('a board named in a boot description is loaded once and its file hashed from the bytes that were parsed', () => {
  const a = bootBoard({ board: 'vexpress-a9' }).machine;
  const b = createMachine('vexpress-a9');
  assert.equal(a.board, b.board, 'the same loaded board');
  assert.notEqual(a, b, 'two machines');
  const file = path.join(ROOT, 'machine', 'boards', 'vexpress-a9.yaml');
  const source = boardSource(loadBoard('vexpress-a9'))!;
  assert.equal(source.file, file);
  assert.match(source.sha256, /^[0-9a-f]{64}$/);
  assert.equal(boardSource(loadBoard('x.yaml', fs.readFileSync(file, 'utf8'))), undefined, 'a board given as text has no file');
});
