/**
 * Hostile and malformed input files: boot volumes whose entry names escape
 * the output folder, outputs that cannot be written, damaged device trees and
 * ELF files, devices and folders given as files, YAML alias bombs and deep
 * nesting, addresses past 32 bits and stateful regex flags. Each is refused
 * with the file (and line:column for YAML) and the reason, exit 2.
 */

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { crc32, packVolume, readVolume, VolumeError } from '../../machine/boot/volume';
import { parseFdt, serializeFdt, stringProp, cells, FdtError, type FdtNode } from '../../machine/boot/fdt';
import { parseElf, ImageError } from '../../machine/loaders/elf';
import { checkBootDtb } from '../../machine/boot/linux-boot';
import { compilePattern, loadScenario } from '../../scenario/file/scenario-file';
import { loadProfile } from '../../scenario/profile';
import { ScenarioDraft } from '../../scenario/draft';
import { InputFileError } from '../../scenario/file/yaml-file';
import { tinyElf } from '../support/tiny-elf';
import { ROOT } from '../support/environment';

const HYPERVISOR = path.join(ROOT, 'firmware', 'build', 'hypervisor.elf');
const PROGRAM = path.join(ROOT, 'test', 'programs', 'build', 'div64.elf');

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-input-files-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs bin/bringup; a hang or a runaway read ends after `timeout` ms with status null. */
function bringup(cwd: string, args: string[], timeout = 60_000) {
  return spawnSync(process.execPath, [path.join(ROOT, 'bin', 'bringup'), ...args], { encoding: 'utf8', cwd, timeout });
}

function assertRefused(r: ReturnType<typeof bringup>, reason: RegExp): void {
  assert.equal(r.status, 2, `exit ${r.status} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, reason);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
}

/** A boot volume written byte by byte (valid checksums), bypassing packVolume's checks on names. */
function craftVolume(images: Array<{ name: string | Buffer; role?: string; data: Uint8Array }>): Buffer {
  const tableEnd = 64 + 64 * images.length;
  let offset = Math.ceil(tableEnd / 4096) * 4096;
  const placed = images.map((im) => { const o = offset; offset = Math.ceil((o + im.data.length) / 4096) * 4096; return o; });
  const total = images.length ? placed[placed.length - 1] + images[images.length - 1].data.length : 64;
  const out = Buffer.alloc(total);
  out.write('BRVOLUME', 0, 'latin1');
  out.writeUInt32LE(1, 8); out.writeUInt32LE(64, 12); out.writeUInt32LE(images.length, 16);
  out.writeUInt32LE(64, 20); out.writeUInt32LE(64, 24); out.writeUInt32LE(total, 28);
  images.forEach((im, i) => {
    const o = 64 + 64 * i;
    const name = typeof im.name === 'string' ? Buffer.from(im.name, 'latin1') : im.name;
    name.copy(out, o, 0, 32);
    out.write(im.role ?? 'data', o + 32, 'latin1');
    out.writeUInt32LE(placed[i], o + 48); out.writeUInt32LE(im.data.length, o + 52); out.writeUInt32LE(crc32(im.data), o + 56);
    out.set(im.data, placed[i]);
  });
  out.writeUInt32LE(crc32(out.subarray(0, tableEnd)), 32);
  return out;
}

/** Every file under dir, relative to it. */
function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

// ---- 1. volume extract writes outside -o ----------------------------------

test('volume extract refuses an entry name that escapes the output folder', (t) => {
  const dir = tempDir(t);
  // The -o folder is two levels down, so '../../escaped' would land in dir itself.
  fs.writeFileSync(path.join(dir, 'evil.vol'), craftVolume([
    { name: 'ok', data: Buffer.from('fine') },
    { name: '../../escaped', data: Buffer.from('PWNED') },
  ]));
  const r = bringup(dir, ['volume', 'extract', 'evil.vol', '-o', path.join('out', 'sub')]);
  assertRefused(r, /evil\.vol: entry 2: image name '\.\.\/\.\.\/escaped' contains a path separator/);
  assert.deepEqual(listTree(dir), ['evil.vol'], 'nothing written, inside or outside the folder');
});

test('volume list and extract refuse empty, dot, separator, NUL and repeated entry names', (t) => {
  const dir = tempDir(t);
  const data = Buffer.from('x');
  const cases: Array<[Array<string | Buffer>, RegExp]> = [
    [[''], /entry 1: image name is empty/],
    [['.'], /entry 1: image name '\.' names a folder/],
    [['ok', '..'], /entry 2: image name '\.\.' names a folder/],
    [['a/b'], /contains a path separator/],
    [['a\\b'], /contains a path separator/],
    [[Buffer.from('abc\0../x')], /contains a NUL byte/],
    [[Buffer.alloc(32, 0x61)], /not NUL-terminated/],
    [['same', 'same'], /entry 2: image name 'same' is used twice/],
  ];
  for (const [names, reason] of cases) {
    const vol = craftVolume(names.map((name) => ({ name, data })));
    assert.throws(() => readVolume(vol, 'v.vol'), (e: Error) => e instanceof VolumeError && reason.test(e.message), `names ${JSON.stringify(names.map(String))}`);
  }
  fs.writeFileSync(path.join(dir, 'empty-name.vol'), craftVolume([{ name: '', data }]));
  fs.writeFileSync(path.join(dir, 'twice.vol'), craftVolume([{ name: 'same', data }, { name: 'same', data: Buffer.from('y') }]));
  assertRefused(bringup(dir, ['volume', 'extract', 'empty-name.vol', '-o', 'out']), /empty-name\.vol: entry 1: image name is empty/);
  assertRefused(bringup(dir, ['volume', 'extract', 'twice.vol', '-o', 'out']), /twice\.vol: entry 2: image name 'same' is used twice/);
  assertRefused(bringup(dir, ['volume', 'list', 'twice.vol']), /used twice/);
  assert.deepEqual(listTree(dir), ['empty-name.vol', 'twice.vol']);
});

test('volume pack refuses image names that would not extract as a file', (t) => {
  const dir = tempDir(t);
  for (const name of ['.', '..', '', 'a/b']) {
    assert.throws(() => packVolume([{ name, role: 'data', data: new Uint8Array(1) }]), VolumeError, name);
  }
  fs.writeFileSync(path.join(dir, 'x.bin'), 'x');
  fs.writeFileSync(path.join(dir, 'vol.yaml'), 'images:\n  - { name: "..", role: data, file: x.bin }\n');
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', 'v.vol']), /vol\.yaml:2:\d+: 'name' does not match/);
  assert.deepEqual(listTree(dir), ['vol.yaml', 'x.bin']);
});

// ---- 2. unwritable and full outputs ----------------------------------------

test('volume pack and extract into a full, missing or non-folder location fail cleanly and leave no partial output', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(5000, 1));
  fs.writeFileSync(path.join(dir, 'b.bin'), Buffer.alloc(100, 2));
  fs.writeFileSync(path.join(dir, 'vol.yaml'), 'images:\n  - { name: a, role: data, file: a.bin }\n  - { name: b, role: data, file: b.bin }\n');
  fs.writeFileSync(path.join(dir, 'afile'), 'not a folder');
  const before = listTree(dir);
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', '/dev/full']), /cannot write \/dev\/full: no space left on the device \(ENOSPC\)/);
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', '.']), /cannot write \.: is a folder/);
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', 'afile/v.vol']), /cannot write afile\/v\.vol: part of the path is not a folder \(ENOTDIR\)/);
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', 'missing/v.vol']), /cannot write missing\/v\.vol: no such file or folder there \(ENOENT\)/);
  assert.deepEqual(listTree(dir), before, 'no volume, no partial file');

  assert.equal(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', 'v.vol']).status, 0);
  const withVolume = listTree(dir);
  assertRefused(bringup(dir, ['volume', 'extract', 'v.vol', '-o', '/dev/full']), /cannot write into \/dev\/full: not a folder/);
  assertRefused(bringup(dir, ['volume', 'extract', 'v.vol', '-o', 'afile/out']), /cannot create the folder afile\/out: .*ENOTDIR/);
  // Node's recursive mkdir loops forever here (mkdir fails with ENOENT under /proc/sys).
  assertRefused(bringup(dir, ['volume', 'extract', 'v.vol', '-o', '/proc/sys/bringup-test/out'], 30_000), /cannot create the folder \/proc\/sys\/bringup-test\/out: /);
  assert.deepEqual(listTree(dir), withVolume);
  // The second image cannot be written (a folder has its name): the first one is removed again.
  fs.mkdirSync(path.join(dir, 'out', 'b'), { recursive: true });
  assertRefused(bringup(dir, ['volume', 'extract', 'v.vol', '-o', 'out']), /cannot write out\/b: is a folder/);
  assert.deepEqual(listTree(path.join(dir, 'out')), ['b']);
  // Folders that do not exist yet are created.
  assert.equal(bringup(dir, ['volume', 'extract', 'v.vol', '-o', 'fresh/one']).status, 0);
  assert.deepEqual(listTree(path.join(dir, 'fresh', 'one')), ['a', 'b']);
});

// ---- 3. device trees --------------------------------------------------------

/** A valid DTB: / { model; chosen {}; memory {} }, then patched by the caller. */
function sampleDtb(): Buffer {
  const node = (name: string, props: Record<string, Uint8Array>, children: FdtNode[] = []): FdtNode => ({ name, props: new Map(Object.entries(props)), children });
  return Buffer.from(serializeFdt({
    reserved: [], bootCpuId: 0,
    root: node('', { model: stringProp('board'), '#address-cells': cells([1]), '#size-cells': cells([1]) }, [node('chosen', {}), node('memory', { device_type: stringProp('memory') })]),
  }));
}

/** Damaged DTBs: each replaces bytes so a loop that trusts the blob would run off its end. */
function damagedDtbs(): Array<[string, Buffer, RegExp]> {
  const good = sampleDtb();
  const offStruct = good.readUInt32BE(8), offStrings = good.readUInt32BE(12), sizeStruct = good.readUInt32BE(36);
  // Unterminated node name: the struct block is a BEGIN_NODE and then name bytes to the end of the blob.
  const nodeName = Buffer.from(good);
  nodeName.writeUInt32BE(1, offStruct);
  nodeName.fill(0x41, offStruct + 4);
  // Unterminated property name: the strings block (the end of the blob) has no NUL.
  const propName = Buffer.from(good);
  propName.fill(0x41, offStrings);
  // A property before any node.
  const propFirst = Buffer.from(good);
  propFirst.writeUInt32BE(3, offStruct); propFirst.writeUInt32BE(0, offStruct + 4); propFirst.writeUInt32BE(0, offStruct + 8);
  // The reservation map starts at the last 8 bytes of the blob: no terminating entry fits.
  const rsv = Buffer.from(good);
  rsv.writeUInt32BE(good.length - 8, 16);
  // #address-cells 0xffffffff: a reg property of 4 x 2^32 cells.
  const node = (name: string, props: Record<string, Uint8Array>, children: FdtNode[] = []): FdtNode => ({ name, props: new Map(Object.entries(props)), children });
  const hugeCells = Buffer.from(serializeFdt({ reserved: [], bootCpuId: 0, root: node('', { '#address-cells': cells([0xffffffff]), '#size-cells': cells([1]) }, [node('chosen', {})]) }));
  // The structure block size points past the blob.
  const structSize = Buffer.from(good);
  structSize.writeUInt32BE(sizeStruct + 0x100000, 36);
  return [
    ['unterminated-node-name', nodeName, /node name at offset \d+ has no terminating NUL/],
    ['unterminated-property-name', propName, /property name at offset \d+ has no terminating NUL/],
    ['property-before-node', propFirst, /property at offset \d+ comes before any node/],
    ['reserve-map-past-end', rsv, /memory reservation map .* runs past the end of the blob/],
    ['struct-past-end', structSize, /structure block .* is past the end of the blob/],
    ['huge-address-cells', hugeCells, /the root node's #address-cells is 4294967295; a 32-bit ARM boot needs 1 or 2/],
  ];
}

test('a DTB with an unterminated node or property name, a property before any node or a reserve map past the end is refused, not a hang', (t) => {
  const dir = tempDir(t);
  for (const [name, blob, reason] of damagedDtbs()) {
    fs.writeFileSync(path.join(dir, `${name}.dtb`), blob);
    // Spawned with a timeout: before the fix, some of these never returned.
    const r = bringup(dir, ['exec', '--board', 'vexpress-a9', '--kernel', PROGRAM, '--dtb', `${name}.dtb`, '--max-insns', '1000'], 30_000);
    assertRefused(r, new RegExp(`${name}\\.dtb: .*${reason.source}`));
    assert.throws(() => checkBootDtb(blob), (e: Error) => e instanceof FdtError && reason.test(e.message), name);
  }
});

test('validate refuses a scenario whose dtb is damaged, naming the dtb line', (t) => {
  const dir = tempDir(t);
  const [[name, blob]] = damagedDtbs();
  fs.writeFileSync(path.join(dir, 'bad.dtb'), blob);
  fs.writeFileSync(path.join(dir, 's.yaml'), `board: vexpress-a9\nprofile: linux\nboot:\n  kernel: ${PROGRAM}\n  dtb: bad.dtb\n  semihosting: true\nexpect: { end: exit }\n`);
  assertRefused(bringup(dir, ['validate', 's.yaml'], 30_000), /s\.yaml:5:\d+: bad\.dtb: device tree node name .* no terminating NUL/);
  assert.ok(name);
});

// ---- 4. devices, folders and pseudo-files as inputs -------------------------

test('character devices, folders and /proc files given as input files are refused with the file and why', (t) => {
  const dir = tempDir(t);
  // Each of these read /dev/zero without end (RSS past 1 GB) or crashed.
  assertRefused(bringup(dir, ['validate', '/dev/zero'], 30_000), /\/dev\/zero: is a character device, not a file/);
  assertRefused(bringup(dir, ['volume', 'list', '/dev/zero'], 30_000), /\/dev\/zero: is a character device, not a file/);
  assertRefused(bringup(dir, ['disasm', '/dev/zero'], 30_000), /\/dev\/zero: is a character device, not a file/);
  assertRefused(bringup(dir, ['validate', dir], 30_000), /is a folder, not a file/);
  fs.writeFileSync(path.join(dir, 'dev.yaml'), 'board: tegra2-xoom\nboot:\n  kernel: /dev/zero\n');
  assertRefused(bringup(dir, ['validate', 'dev.yaml'], 30_000), /dev\.yaml:3:11: kernel \/dev\/zero: is a character device, not a file/);
  fs.writeFileSync(path.join(dir, 'proc.yaml'), `board: tegra2-xoom\nboot:\n  kernel: ${HYPERVISOR}\n  initrd: /proc/self/mem\n`);
  assertRefused(bringup(dir, ['validate', 'proc.yaml'], 30_000), /proc\.yaml:4:11: initrd \/proc\/self\/mem: is a kernel pseudo-file/);
  fs.mkdirSync(path.join(dir, 'prof.yaml'));
  fs.writeFileSync(path.join(dir, 'profile.yaml'), `board: tegra2-xoom\nprofile: ./prof.yaml\nboot:\n  kernel: ${HYPERVISOR}\n`);
  assertRefused(bringup(dir, ['validate', 'profile.yaml'], 30_000), /profile\.yaml:2:10: profile '\.\/prof\.yaml': is a folder, not a file/);
  fs.writeFileSync(path.join(dir, 'vol.yaml'), 'images:\n  - { name: mem, role: data, file: /proc/self/mem }\n');
  assertRefused(bringup(dir, ['volume', 'pack', 'vol.yaml', '-o', 'v.vol'], 30_000), /vol\.yaml:2:\d+: image file \/proc\/self\/mem: is a kernel pseudo-file/);
  assert.ok(!fs.existsSync(path.join(dir, 'v.vol')));
});

// ---- 5. YAML ---------------------------------------------------------------

const ALIAS_BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  '',
].join('\n');
const ALIAS_FIRST = 'name: *later\nboard: &later tegra2-xoom\n';
const DEEP = `name: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
const DEEP_BLOCK = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + '\n';

test('YAML alias bombs, aliases before their anchor and 3000-level nesting are refused with file:line:column, exit 2', (t) => {
  const dir = tempDir(t);
  const files: Array<[string, string, RegExp]> = [
    ['bomb.yaml', ALIAS_BOMB, /bomb\.yaml:\d+:\d+: YAML aliases expand to more than \d+ nodes/],
    ['alias-first.yaml', ALIAS_FIRST, /alias-first\.yaml:1:7: YAML alias \*later has no anchor &later before it/],
    ['self.yaml', 'name: &m { k: *m }\n', /self\.yaml:1:15: YAML alias \*m is inside the node it refers to/],
    ['deep.yaml', DEEP, /deep\.yaml:1:\d+: YAML nested more than \d+ levels deep/],
    ['deep-block.yaml', DEEP_BLOCK, /deep-block\.yaml:\d+:\d+: YAML nested more than \d+ levels deep/],
  ];
  for (const [name, text, reason] of files) {
    fs.writeFileSync(path.join(dir, name), text);
    // As a scenario (validate), a board (validate guesses from content, so name the schema) and a manifest.
    assertRefused(bringup(dir, ['validate', name]), reason);
    fs.writeFileSync(path.join(dir, `board-${name}`), `# yaml-language-server: $schema=board.schema.json\n${text}`);
    assertRefused(bringup(dir, ['validate', `board-${name}`]), new RegExp(`board-${reason.source}`.replace(/:1:/, ':2:')));
    assertRefused(bringup(dir, ['volume', 'pack', name, '-o', 'v.vol']), reason);
    // Profiles and scenario drafts read YAML too.
    const file = path.join(dir, name);
    assert.throws(() => loadProfile(file), (e: Error) => e instanceof InputFileError && reason.test(e.message), `profile ${name}`);
    assert.throws(() => ScenarioDraft.fromFile(file), (e: Error) => e instanceof InputFileError && reason.test(e.message), `draft ${name}`);
  }
});

test('YAML anchors and aliases within reason still work', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 's.yaml'), `board: &b tegra2-xoom\nname: *b\nboot:\n  kernel: ${HYPERVISOR}\n  cmdline: &c console=ttyS0\nexpect:\n  never: [*c]\n`);
  const s = loadScenario(path.join(dir, 's.yaml'));
  assert.equal(s.name, 'tegra2-xoom');
  assert.equal(s.expect.never[0].source, '"console=ttyS0"');
});

// ---- 6. ELF ----------------------------------------------------------------

/** tinyElf's layout: ELF header, one program header at 52, code, symtab, strtab, 4 section headers. */
function elfWith(patch: (b: Buffer, sh: (i: number) => number) => void): Buffer {
  const b = tinyElf(0x00100000, [0xe3a00000, 0xeafffffe], { symbols: [['main', 0x00100000]] });
  patch(b, (i) => b.readUInt32LE(32) + 40 * i);
  return b;
}

const RAM_HOLE_START = 0x1c000000; // tegra2-xoom: dram-bank0 ends here, dram-bank1 starts at 0x20000000

function damagedElfs(): Array<[string, Buffer, RegExp]> {
  return [
    ['bad-link', elfWith((b, sh) => b.writeUInt32LE(99, sh(2) + 24)), /symbol table \(section 2\) links to string table section 99, which does not exist/],
    ['entsize-1', elfWith((b, sh) => b.writeUInt32LE(1, sh(2) + 36)), /symbol table \(section 2\): entry size \(sh_entsize\) is 1/],
    ['phentsize-0', elfWith((b) => b.writeUInt16LE(0, 42)), /program header size \(e_phentsize\) is 0/],
    ['shentsize-1', elfWith((b) => b.writeUInt16LE(1, 46)), /section header size \(e_shentsize\) is 1/],
    ['strtab-past-end', elfWith((b, sh) => b.writeUInt32LE(0x7fffffff, sh(3) + 20)), /string table \(section 3\) .* past the end of the file/],
    ['symbol-name-outside', elfWith((b, sh) => b.writeUInt32LE(5000, b.readUInt32LE(sh(2) + 16) + 16)), /name offset 5000 is outside its string table/],
    ['wrapping-memsz', elfWith((b) => b.writeUInt32LE(0xfff80000, 52 + 20)), /wrap past the end of the 32-bit address space/],
  ];
}

test('ELF files with bad section links, sh_entsize 1, phentsize 0 or wrapping memsz are refused naming the file and what is wrong', (t) => {
  const dir = tempDir(t);
  for (const [name, elf, reason] of damagedElfs()) {
    assert.throws(() => parseElf(elf, `${name}.elf`), (e: Error) => e instanceof ImageError && e.message.startsWith(`${name}.elf: `) && reason.test(e.message), name);
    fs.writeFileSync(path.join(dir, `${name}.elf`), elf);
  }
  // One spawn per command for a representative file; parseElf above covers the rest.
  for (const name of ['entsize-1', 'phentsize-0', 'bad-link']) {
    const reason = damagedElfs().find(([n]) => n === name)![2];
    assertRefused(bringup(dir, ['exec', '--board', 'tegra2-xoom', '--max-insns', '100', `${name}.elf`]), reason);
    assertRefused(bringup(dir, ['disasm', `${name}.elf`]), reason);
    fs.writeFileSync(path.join(dir, `${name}.yaml`), `board: tegra2-xoom\nboot:\n  kernel: ${name}.elf\n`);
    assertRefused(bringup(dir, ['validate', `${name}.yaml`]), new RegExp(`${name}\\.yaml:3:11: ${name}\\.elf: .*${reason.source}`));
  }
});

test('an ELF segment over a RAM hole of the board is refused naming the file and the hole', (t) => {
  const dir = tempDir(t);
  // Starts in the last page of dram-bank0, ends in dram-bank1: first and last byte are RAM, the middle is not.
  const elf = elfWith((b) => {
    b.writeUInt32LE(RAM_HOLE_START - 0x1000, 52 + 8); b.writeUInt32LE(RAM_HOLE_START - 0x1000, 52 + 12);
    b.writeUInt32LE(0x04002000, 52 + 20);
    b.writeUInt32LE(RAM_HOLE_START - 0x1000, 24);
  });
  fs.writeFileSync(path.join(dir, 'hole.elf'), elf);
  assertRefused(bringup(dir, ['exec', '--board', 'tegra2-xoom', '--max-insns', '100', 'hole.elf']), /hole\.elf: segment at 0x1bfff000 \(67117056 bytes\) runs over 0x1c000000, where board tegra2-xoom has no RAM/);
  // validate finds it too, at the kernel's line.
  fs.writeFileSync(path.join(dir, 'hole.yaml'), 'board: tegra2-xoom\nboot:\n  kernel: hole.elf\n');
  assertRefused(bringup(dir, ['validate', 'hole.yaml']), /hole\.yaml:3:11: hole\.elf: segment at 0x1bfff000 \(67117056 bytes\) runs over 0x1c000000, where board tegra2-xoom has no RAM/);
});

// ---- 7. addresses past 32 bits ---------------------------------------------

test('scenario addresses past 32 bits (hex strings, decimal strings, symbol+offset) are refused with file:line:column', (t) => {
  const dir = tempDir(t);
  const scenario = (fault: string) => `board: tegra2-xoom\nboot:\n  kernel: ${HYPERVISOR}\nfaults:\n  - ${fault}\n`;
  const cases: Array<[string, RegExp]> = [
    ['{ type: bit-flip, address: "0x100001000", bit: 0, at: 1ms }', /:5:\d+: address 0x100001000 is outside the 32-bit address space/],
    ['{ type: bit-flip, address: "4294971392", bit: 0, at: 1ms }', /:5:\d+: address 4294971392 is outside the 32-bit address space/],
    ['{ type: bit-flip, address: 0x100001000, bit: 0, at: 1ms }', /:5:\d+: address 4294971392 is outside the 32-bit address space/],
    ['{ type: prefetch-abort, status: translation, on-exec: { at: "sched_return+0xffffffff" } }', /:5:\d+: sched_return\+0xffffffff is 0x1\w+, outside the 32-bit address space/],
    ['{ type: data-abort, status: translation, on-access: { from: "0x1000", to: "0x1ffffffff" } }', /:5:\d+: address 0x1ffffffff is outside/],
    ['{ type: lost-upcall, function: deliver_upcall, nth: 99999999999 }', /:5:\d+: 'nth' must be <= 4294967295/],
  ];
  cases.forEach(([fault, reason], i) => {
    const file = path.join(dir, `a${i}.yaml`);
    fs.writeFileSync(file, scenario(fault));
    assert.throws(() => loadScenario(file), (e: Error) => e instanceof InputFileError && reason.test(e.message), fault);
  });
  assertRefused(bringup(dir, ['validate', 'a0.yaml']), /a0\.yaml:5:\d+: address 0x100001000 is outside the 32-bit address space/);
});

// ---- 8. stateful regex flags -----------------------------------------------

test('console patterns with the sticky or global flag are refused with file:line:column', (t) => {
  const dir = tempDir(t);
  for (const flags of ['y', 'g', 'gi', 'iy']) assert.match(String(compilePattern(`/done/${flags}`)), /cannot be used: each line is matched on its own/);
  for (const flags of ['', 'i', 'm', 's', 'u', 'd']) assert.equal(typeof compilePattern(`/done/${flags}`), 'object', flags);
  assert.match(String(compilePattern('/done/q')), /bad regular expression/);
  fs.writeFileSync(path.join(dir, 'y.yaml'), `board: tegra2-xoom\nboot:\n  kernel: ${HYPERVISOR}\nexpect:\n  never:\n    - /PANIC/y\n`);
  assertRefused(bringup(dir, ['validate', 'y.yaml']), /y\.yaml:6:7: bad regular expression \/PANIC\/y: flag 'y' \(sticky\) cannot be used/);
  fs.writeFileSync(path.join(dir, 'g.yaml'), `board: tegra2-xoom\nboot:\n  kernel: ${HYPERVISOR}\ninput:\n  - { after: /login/g, text: "x" }\n`);
  assert.throws(() => loadScenario(path.join(dir, 'g.yaml')), /g\.yaml:5:\d+: bad regular expression \/login\/g: flag 'g' \(global\)/);
});

// ---- siblings ----------------------------------------------------------------

test('a DTB with a large property is rewritten without a stack overflow', () => {
  const node = (name: string, props: Record<string, Uint8Array>): FdtNode => ({ name, props: new Map(Object.entries(props)), children: [] });
  const big = new Uint8Array(600_000).fill(7);
  const blob = serializeFdt({ reserved: [], bootCpuId: 0, root: node('', { blob: big }) });
  assert.deepEqual(parseFdt(blob).root.props.get('blob'), big);
});

test('a scenario command line longer than ATAG_CMDLINE holds is refused at its line, not at boot', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'long.yaml');
  fs.writeFileSync(file, `board: tegra2-xoom\nboot:\n  kernel: ${HYPERVISOR}\n  cmdline: "${'x'.repeat(1500)}"\n`);
  assert.throws(() => loadScenario(file), /long\.yaml:4:\d+: the command line is 1500 bytes; ATAG_CMDLINE \(board tegra2-xoom\) holds at most 1023/);
});

test('a console pattern too large for the regular expression engine is refused when the scenario is loaded, not in the middle of the run', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'huge-pattern.yaml');
  fs.writeFileSync(file, [
    'name: huge pattern',
    'board: tegra2-xoom',
    `boot: { kernel: ${HYPERVISOR}, cmdline: console=ttyS0, volume: ${path.join(ROOT, 'firmware', 'volumes', 'pingpong.yaml')} }`,
    'expect:',
    `  never: ["${'x'.repeat(100_000)}"]`,
    'limits: { time: 1ms }',
    '',
  ].join('\n'));
  assert.equal(typeof compilePattern('x'.repeat(100_000)), 'string', 'the pattern is a problem, not a regex');
  for (const cmd of ['validate', 'run']) {
    const r = bringup(dir, [cmd, file]);
    assertRefused(r, /huge-pattern\.yaml:5:\d+: pattern of 100000 characters cannot be matched/);
  }
});

test('exec names the board file when an image does not fit the RAM the board file declares', (t) => {
  const dir = tempDir(t);
  const board = path.join(dir, 'small.yaml');
  // vexpress-a9 as shipped, with its RAM moved away from where the program is linked.
  const text = fs.readFileSync(path.join(ROOT, 'machine', 'boards', 'vexpress-a9.yaml'), 'utf8');
  const moved = text.replace(/base: 0x60000000/g, 'base: 0x80000000');
  assert.notEqual(moved, text, 'the shipped board has its RAM at 0x60000000');
  fs.writeFileSync(board, moved);
  const r = bringup(dir, ['exec', '--board', board, '--max-insns', '1000', PROGRAM]);
  assertRefused(r, /div64\.elf: segment at 0x[0-9a-f]+ .* is outside the RAM of board .*\(board file .*small\.yaml\)/);
});

test('a volume manifest that is not one is reported at the scenario line that names it, as well as in the manifest', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'wrong-manifest.yaml');
  fs.writeFileSync(file, [
    'name: wrong manifest',
    'board: tegra2-xoom',
    `boot: { kernel: ${HYPERVISOR}, volume: ${path.join(ROOT, 'schemas', 'scenario.schema.json')} }`,
    '',
  ].join('\n'));
  const r = bringup(dir, ['validate', file]);
  assertRefused(r, /wrong-manifest\.yaml:3:\d+: boot volume manifest .*scenario\.schema\.json: .*scenario\.schema\.json:1:1: missing required key 'images'/);
});
