/**
 * The Tegra20 device program of test/programs-tegra on tegra2-xoom: the
 * committed ELF runs in-process with console input injected into UARTD at
 * fixed virtual times; its UARTD output must equal
 * test/programs-tegra/expected/tegra_devices.txt and the display controller's
 * picture must equal expected/tegra_devices.png pixel for pixel. Two runs must
 * agree exactly (output, instruction count, picture). With arm-none-eabi-gcc
 * present the program is rebuilt and must match the committed ELF byte for byte.
 *
 * BRINGUP_UPDATE_TEGRA_EXPECTED=1 rewrites the expected text and golden PNG
 * from this run (review the diff by hand before committing it).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RgbaImage } from '../../machine/devices/device';
import { parseElf, symbolize } from '../../machine/loaders/elf';
import { createMachine } from '../../scenario/boards';
import { comparePng, decodePng, encodePng } from '../../scenario/check/png';
import { ROOT, requireTools, toolSkip } from '../support/environment';

const DIR = path.join(ROOT, 'test', 'programs-tegra');
const BUILD = path.join(DIR, 'build');
const EXPECTED = path.join(DIR, 'expected');
const NAME = 'tegra_devices';
const ELF = path.join(BUILD, `${NAME}.elf`);
const UPDATE = process.env.BRINGUP_UPDATE_TEGRA_EXPECTED === '1';

/** Link address of the programs (Tegra DRAM starts at 0; the ATAGs live at 0x100). */
const LOAD_ADDRESS = 0x0010_0000;
/** The program needs about 83 million ticks (virtual ns), mostly asleep in WFI. */
const LIMIT = 200_000_000;

/**
 * Console input for UARTD at virtual times (ticks = ns at the board's 1 GHz),
 * while the program waits for it: two chunks for the receive interrupt (3
 * bytes, below the FIFO trigger level of 4, then 6 bytes ending the line) and
 * two for the FIQ handler once UARTD is routed as FIQ through the LIC.
 */
const INPUTS: ReadonlyArray<[number, string]> = [
  [20_000_000, 'abc'],
  [22_000_000, 'tegra\r'],
  [30_000_000, 'help'],
  [32_000_000, '\r'],
];

interface Run {
  uart: Buffer;
  /** Console output of any device other than UARTD (there should be none). */
  otherConsoles: string[];
  semihosting: Buffer;
  stop: string;
  code: number | undefined;
  icount: number;
  picture: RgbaImage | undefined;
  detail: string;
}

function runProgram(): Run {
  const image = parseElf(fs.readFileSync(ELF), ELF);
  const machine = createMachine('tegra2-xoom');
  machine.loadElf(image, ELF);
  const uart: Buffer[] = [];
  const otherConsoles: string[] = [];
  const semihosting: Buffer[] = [];
  machine.probes.console.subscribe((device, data) => {
    if (device === 'uartd') uart.push(Buffer.from(data));
    else otherConsoles.push(device);
  });
  machine.enableSemihosting({ host: { console: (_stream, bytes) => { semihosting.push(Buffer.from(bytes)); } } });
  for (const [time, text] of INPUTS) machine.addInput(time, 'uartd', Buffer.from(text, 'latin1'));
  const stop = machine.runUntil(LIMIT);
  const pc = machine.cpu.pc >>> 0;
  let detail = `${stop.kind} after ${machine.cpu.icount} ticks at pc=0x${pc.toString(16)} (${symbolize(image.symbols, pc) ?? '?'})`;
  if (machine.guestErrors.length) {
    detail += '; guest errors: ' + machine.guestErrors.slice(0, 5)
      .map((g) => `${g.source}: ${g.message} at pc=0x${(g.pc >>> 0).toString(16)}`).join('; ');
  }
  const dc = machine.device('dc');
  return {
    uart: Buffer.concat(uart),
    otherConsoles,
    semihosting: Buffer.concat(semihosting),
    stop: stop.kind,
    code: stop.kind === 'exit' ? stop.code : undefined,
    icount: machine.cpu.icount,
    picture: dc.render?.(),
    detail: detail + (machine.guestErrors.length ? '' : '; no guest errors'),
  };
}

let first: Run | undefined;
function firstRun(): Run {
  first ??= runProgram();
  return first;
}

function firstDifference(got: Buffer, want: Buffer): string {
  const g = got.toString('latin1').split('\n');
  const w = want.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) {
    if (g[i] !== w[i]) {
      const show = (s: string | undefined) => (s === undefined ? '<end of output>' : JSON.stringify(s));
      return `first difference at line ${i + 1}:\n  got:  ${show(g[i])}\n  want: ${show(w[i])}`;
    }
  }
  return 'outputs differ';
}

test('tegra program: the committed ELF loads in Tegra DRAM above the ATAG area', () => {
  const image = parseElf(fs.readFileSync(ELF), ELF);
  assert.equal(image.entry >>> 0, LOAD_ADDRESS, 'entry point');
  for (const s of image.segments) assert.ok(s.paddr >= LOAD_ADDRESS, `segment at 0x${s.paddr.toString(16)} is below 0x${LOAD_ADDRESS.toString(16)}`);
});

test('tegra program: UARTD output (GIC, timers, UART interrupts, LIC FIQ, display) matches expected', () => {
  const r = firstRun();
  const file = path.join(EXPECTED, `${NAME}.txt`);
  if (UPDATE) fs.writeFileSync(file, r.uart);
  const want = fs.readFileSync(file);
  if (!r.uart.equals(want)) assert.fail(`${NAME}: ${firstDifference(r.uart, want)}\n(${r.detail})`);
  assert.equal(r.stop, 'exit', r.detail);
  assert.equal(r.code, 0, `exit code ${r.code} (${r.detail})`);
  assert.equal(r.semihosting.toString('latin1'), '', 'nothing on the semihosting console (the runtime reports unexpected exceptions there)');
  assert.deepEqual(r.otherConsoles, [], 'output only on UARTD');
  assert.ok(r.detail.endsWith('no guest errors'), r.detail);
});

test('tegra program: the display picture matches the golden PNG', () => {
  const r = firstRun();
  assert.ok(r.picture, `the display controller shows no picture (${r.detail})`);
  assert.equal(r.picture.width, 320);
  assert.equal(r.picture.height, 200);
  const file = path.join(EXPECTED, `${NAME}.png`);
  if (UPDATE) fs.writeFileSync(file, encodePng(r.picture));
  const cmp = comparePng(r.picture, decodePng(fs.readFileSync(file)));
  assert.equal(cmp.differentPixels, 0,
    `${cmp.differentPixels} pixels differ from ${path.relative(ROOT, file)}; first at ${JSON.stringify(cmp.firstDifference)}`);
});

test('tegra program: two runs are identical (output, instruction count, picture)', () => {
  const a = firstRun();
  const b = runProgram();
  assert.ok(a.uart.equals(b.uart), `UARTD output differs between runs: ${firstDifference(b.uart, a.uart)}`);
  assert.equal(b.icount, a.icount, 'instruction count');
  assert.equal(b.stop, a.stop);
  assert.ok(a.picture && b.picture, 'both runs show a picture');
  assert.equal(comparePng(b.picture, a.picture).differentPixels, 0, 'pictures differ between runs');
});

test('tegra program: the build is reproducible', { skip: toolSkip('arm-none-eabi-gcc', 'make') }, (t) => {
  requireTools('arm-none-eabi-gcc', 'make');
  const recorded = fs.readFileSync(path.join(BUILD, 'toolchain.txt'), 'latin1');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-programs-tegra-'));
  try {
    const r = spawnSync('make', ['-s', '-C', DIR, `BUILD=${tmp}`, 'all'], { encoding: 'latin1' });
    assert.equal(r.status, 0, `make failed:\n${r.stdout}${r.stderr}`);
    const current = fs.readFileSync(path.join(tmp, 'toolchain.txt'), 'latin1');
    if (current !== recorded) {
      t.skip(`the committed ELF was built with ${recorded.trim().replace(/\n/g, ', ')}; this toolchain is ${current.trim().replace(/\n/g, ', ')}`);
      return;
    }
    // Every committed program, not only this one: each rebuilds byte for byte.
    for (const elf of fs.readdirSync(BUILD).filter((f) => f.endsWith('.elf'))) {
      const a = fs.readFileSync(path.join(BUILD, elf));
      const b = fs.readFileSync(path.join(tmp, elf));
      assert.ok(a.equals(b), `${elf} rebuilt differs from the committed one (run make -C test/programs-tegra and commit, or check for non-determinism)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
