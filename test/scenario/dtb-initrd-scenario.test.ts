/**
 * Scenarios that boot a kernel with a device tree and a plain initrd (as
 * Linux on vexpress-a9 boots): the images are checked when loaded, named in
 * the recording's header, checked again on replay, and carried in bundles.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioFromText, loadScenario } from '../../scenario/file/scenario-file';
import { runRecorded, openReplay, bundleRecording, ImageMismatchError } from '../../scenario/record/recording';
import { RecordingReader } from '../../replay/reader';
import { prepareScenario } from '../../scenario/run/runner';
import { serializeFdt, parseFdt, findNode, stringProp, cells, readCell, type FdtNode } from '../../machine/boot/fdt';
import { InputFileError } from '../../scenario/file/yaml-file';
import { loadProfile } from '../../scenario/profile';
import { ROOT } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-dtb-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PROGRAM = path.join(ROOT, 'test', 'programs', 'build', 'div64.elf');

/** A small device tree: what matters here is that it is one, and that it is checked byte for byte. */
function writeDtb(file: string, model: string): void {
  const node = (name: string, props: Record<string, Uint8Array>, children: FdtNode[] = []): FdtNode =>
    ({ name, props: new Map(Object.entries(props)), children });
  fs.writeFileSync(file, serializeFdt({
    reserved: [], bootCpuId: 0,
    root: node('', { model: stringProp(model), '#address-cells': cells([1]), '#size-cells': cells([1]) }, [node('chosen', {}), node('memory', { device_type: stringProp('memory') })]),
  }));
}

const dtb = path.join(tmp, 'board.dtb');
const initrd = path.join(tmp, 'initrd.img');
writeDtb(dtb, 'bringup test board');
fs.writeFileSync(initrd, Buffer.from('initrd bytes '.repeat(1000)));

const SCENARIO = `board: vexpress-a9
profile: linux
boot:
  kernel: ${PROGRAM}
  dtb: board.dtb
  initrd: initrd.img
  cmdline: console=ttyAMA0 quiet
  semihosting: true
expect:
  end: exit
limits: { time: 1s }
`;
const scenarioFile = path.join(tmp, 'boot.yaml');
fs.writeFileSync(scenarioFile, SCENARIO);

test('a scenario with dtb and initrd runs, and the kernel finds /chosen filled in', () => {
  const s = loadScenario(scenarioFile);
  assert.equal(s.dtb?.file, dtb);
  assert.equal(s.initrd?.data.length, 13_000);
  const r = runRecorded(s, path.join(tmp, 'first.bur'));
  assert.equal(r.verdict, 'pass', r.expectations.map((e) => `${e.what}: ${e.problem}`).join('\n'));
  // The device tree the machine got: r2 at entry points at it (ARM Linux boot protocol).
  const m = prepareScenario(s).machine;
  const at = m.cpu.r[2] >>> 0;
  const size = Buffer.from(m.bus.readBytes(at + 4, 4)).readUInt32BE(0);
  const tree = parseFdt(m.bus.readBytes(at, size));
  const chosen = findNode(tree.root, '/chosen')!;
  assert.equal(Buffer.from(chosen.props.get('bootargs')!).toString('latin1').replace(/\0$/, ''), 'console=ttyAMA0 quiet');
  const start = readCell(chosen.props.get('linux,initrd-start'), 0);
  assert.equal(readCell(chosen.props.get('linux,initrd-end'), 0) - start, 13_000);
  assert.equal(Buffer.from(m.bus.readBytes(start, 13)).toString('latin1'), 'initrd bytes ');
});

test('the recording names dtb and initrd; a replay checks them and a bundle carries them', () => {
  const file = path.join(tmp, 'run.bur');
  const r = runRecorded(loadScenario(scenarioFile), file);
  const rec = RecordingReader.open(file);
  assert.deepEqual(rec.header.images.map((i) => [i.role, i.name, i.size]), [['kernel', 'div64.elf', fs.statSync(PROGRAM).size], ['dtb', 'board.dtb', fs.statSync(dtb).size], ['initrd', 'initrd.img', 13_000]]);
  assert.equal(openReplay(rec).replayer.verify().icount, r.icount);

  const bundle = path.join(tmp, 'run.bundle.bur');
  assert.equal(bundleRecording(rec, bundle).images, 4, 'kernel, dtb, initrd and the board file');

  // Another device tree under the same name: the replay from the scenario refuses, the bundle still replays.
  writeDtb(dtb, 'a different board');
  try {
    assert.throws(() => openReplay(RecordingReader.open(file)), (e: Error) => e instanceof ImageMismatchError && /dtb board\.dtb: sha256 /.test(e.message));
    const fromBundle = openReplay(RecordingReader.open(bundle));
    assert.match(fromBundle.source, /embedded/);
    assert.equal(fromBundle.replayer.verify().icount, r.icount);
  } finally {
    writeDtb(dtb, 'bringup test board');
  }
});

test('dtb and initrd: bad input is reported at its line', () => {
  const bad = (t: string, problem: RegExp, needle: string) => {
    try { scenarioFromText(t, 'bad.yaml', tmp); } catch (e) {
      assert.ok(e instanceof InputFileError, String(e));
      assert.match(e.problem, problem);
      assert.equal(e.line, t.split('\n').findIndex((l) => l.includes(needle)) + 1, `line of ${needle}: ${e.message}`);
      return;
    }
    assert.fail('accepted');
  };
  bad(SCENARIO.replace('dtb: board.dtb', 'dtb: initrd.img'), /initrd\.img is not a flattened device tree/, 'dtb: initrd.img');
  bad(SCENARIO.replace('dtb: board.dtb', 'dtb: missing.dtb'), /device tree file missing\.dtb does not exist/, 'missing.dtb');
  bad(SCENARIO.replace('  initrd: initrd.img', `  initrd: initrd.img\n  volume: ${path.join(ROOT, 'firmware', 'volumes', 'pingpong.yaml')}`), /an initrd or a boot volume .* not both/, 'initrd: initrd.img');
});

test('tegra2-xoom, an ATAG board, takes boot.dtb too: the kernel then boots with the device tree (r1 = ~0, r2 = the tree)', () => {
  const text = `board: tegra2-xoom
boot:
  kernel: ${path.join(ROOT, 'test', 'programs-tegra', 'build', 'tegra_devices.elf')}
  dtb: board.dtb
  cmdline: console=ttyS0,115200n8
limits: { time: 1ms }
`;
  const s = scenarioFromText(text, 'xoom-dtb.yaml', tmp);
  assert.equal(s.dtb?.file, dtb);
  const m = prepareScenario(s).machine;
  assert.equal(m.cpu.r[1] >>> 0, 0xffffffff);
  const at = m.cpu.r[2] >>> 0;
  const size = Buffer.from(m.bus.readBytes(at + 4, 4)).readUInt32BE(0);
  const chosen = findNode(parseFdt(m.bus.readBytes(at, size)).root, '/chosen')!;
  assert.equal(Buffer.from(chosen.props.get('bootargs')!).toString('latin1').replace(/\0$/, ''), 'console=ttyS0,115200n8');
});

test('the linux profile reads an oops and a panic as Linux 6.1 prints them, with and without printk times', () => {
  const p = loadProfile('linux');
  assert.equal(p.console, undefined, "the board's console");
  for (const stamp of ['', '[   12.345678] ']) {
    assert.equal(p.dumps.hypervisorFault!.exec(`${stamp}Internal error: Oops: 5 [#1] SMP ARM`)?.groups?.kind, 'Oops: 5');
    assert.equal(p.dumps.pc!.exec(`${stamp}PC is at do_thing+0x10/0x40`)?.groups?.symbol, 'do_thing');
    assert.equal(p.dumps.panic!.exec(`${stamp}Kernel panic - not syncing: Fatal exception`)?.groups?.message, 'Fatal exception');
  }
  assert.equal(p.dumps.panic!.exec('echo Kernel panic - not syncing: x'), null, 'only at the start of a line');
});
