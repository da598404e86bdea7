/**
 * Scenario files pick devices by what their types declare they can do
 * (DeviceType.capabilities: console, display, interrupt controller), never by
 * how a device or its type is named.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scenarioFromText } from '../../scenario/file/scenario-file';
import { InputFileError } from '../../scenario/file/yaml-file';
import { boardsDir } from '../../scenario/boards';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import { hasCapability, irqInputCount } from '../../machine/devices/device';
import { TestContext } from '../support/device-harness';
import { tinyElf } from '../support/tiny-elf';
import { tempDir } from '../support/temp-dirs';
import { ROOT } from '../support/environment';

const XOOM = fs.readFileSync(path.join(boardsDir(), 'tegra2-xoom.yaml'), 'utf8');

/** A folder with a copy of the tegra2-xoom board changed by `edit`, and a tiny kernel. */
function setup(edit: (board: string) => string): string {
  const dir = tempDir('bringup-device-kinds-');
  const board = edit(XOOM);
  assert.notEqual(board, XOOM, 'the edit changes the board');
  fs.writeFileSync(path.join(dir, 'board.yaml'), board);
  fs.writeFileSync(path.join(dir, 'kernel.elf'), tinyElf(0x00100000, [0xeafffffe]));
  return dir;
}

function scenarioText(extra: string, board = './board.yaml'): string {
  return `name: kinds\nboard: ${board}\nboot:\n  kernel: kernel.elf\nlimits: { time: 10ms }\n${extra}`;
}

/** The InputFileError the scenario gives, at the line holding `needle`. */
function refused(dir: string, text: string, needle: string, problem: RegExp): void {
  let e: unknown;
  try { scenarioFromText(text, path.join(dir, 'kinds.yaml'), dir); } catch (x) { e = x; }
  assert.ok(e instanceof InputFileError, `an InputFileError, not ${String(e)}`);
  assert.equal(e.line, text.split('\n').findIndex((l) => l.includes(needle)) + 1, e.message);
  assert.match(e.problem, problem);
}

test('a device named like a UART is not a UART: console input to a timer called serial-timer is refused', () => {
  const dir = setup((b) => b.replace(/^ {2}- name: timer$/m, '  - name: serial-timer'));
  refused(dir, scenarioText('input:\n  - { at: 1ms, text: "x", device: serial-timer }\n'), 'device: serial-timer',
    /device 'serial-timer' of board tegra2-xoom is not a UART; it takes no console input \(UARTs: uarta, uartb, uartc, uartd, uarte\)/);
  refused(dir, scenarioText('expect:\n  consoles:\n    serial-timer: [ "x" ]\n'), 'serial-timer:', /device 'serial-timer' of board tegra2-xoom is not a UART; it prints nothing/);
  // A UART whatever its name.
  const dir2 = setup((b) => b.replace(/^ {2}- name: uarta$/m, '  - name: debug-port'));
  const s = scenarioFromText(scenarioText('input:\n  - { at: 1ms, text: "x", device: debug-port }\n'), path.join(dir2, 'kinds.yaml'), dir2);
  assert.equal(s.inputs[0].device, 'debug-port');
});

test('a main console device that is not a UART is refused at its line instead of a run that can never print', () => {
  const dir = setup((b) => `${b}\n# a copy\n`);
  refused(dir, scenarioText('console: timer\n'), 'console: timer',
    /console device 'timer' of board tegra2-xoom is not a UART; it prints nothing \(UARTs: uarta, uartb, uartc, uartd, uarte\)/);
});

test('an interrupt fault on a line a GIC without num-irqs does not have is refused (the default is 160 IDs, not 1020)', () => {
  const dir = setup((b) => b.replace(/^ {4}props: \{ num-irqs: 160 \}\n/m, ''));
  refused(dir, scenarioText('faults:\n  - { type: spurious-interrupt, line: 500, at: 1ms }\n'), 'line: 500', /gic has interrupt IDs 0-159; line 500 does not exist/);
  refused(dir, scenarioText('faults:\n  - { type: irq-storm, line: 160, start: 1ms, period: 4us, count: 3 }\n'), 'line: 160', /gic has interrupt IDs 0-159/);
});

test('an interrupt fault on a GIC software-generated interrupt is refused whatever the GIC is called', () => {
  const dir = setup((b) => b.replace(/^ {2}- name: gic$/m, '  - name: intc').replace(/\bgic:/g, 'intc:'));
  refused(dir, scenarioText('faults:\n  - { type: spurious-interrupt, controller: intc, line: 3, at: 1ms }\n'), 'line: 3',
    /intc \(arm,gic-v1\) IDs 0-15 are software-generated interrupts and have no input line/);
  const s = scenarioFromText(scenarioText('faults:\n  - { type: spurious-interrupt, controller: intc, line: 40, at: 1ms }\n'), path.join(dir, 'kinds.yaml'), dir);
  assert.equal(s.faults[0].type, 'spurious-interrupt');
});

test('the framebuffer expectation finds the display by its declared capability', () => {
  const dir = setup((b) => b.replace(/^ {2}- name: dc$/m, '  - name: panel'));
  const golden = path.join(ROOT, 'test', 'golden', 'hypervisor-pingpong.png');
  const s = scenarioFromText(scenarioText(`expect:\n  framebuffer: { golden: ${golden} }\n`), path.join(dir, 'kinds.yaml'), dir);
  assert.equal(s.expect.framebuffer?.device, 'panel');
  refused(dir, scenarioText(`expect:\n  framebuffer: { golden: ${golden}, device: uartd }\n`), 'framebuffer', /device 'uartd' of board tegra2-xoom is not a display/);
});

test('every device type declares exactly the capabilities its devices implement', () => {
  for (const type of DEVICE_TYPES.values()) {
    const props: Record<string, unknown> = {};
    const device = type.create(new TestContext('d'), props);
    assert.equal(hasCapability(type, 'console'), device.receive !== undefined, `${type.type}: console`);
    assert.equal(hasCapability(type, 'display'), device.render !== undefined, `${type.type}: display`);
    assert.equal(hasCapability(type, 'interrupt-controller'), device.setInput !== undefined && (type.irqInputs ?? 0) > 0, `${type.type}: interrupt controller`);
    assert.equal(irqInputCount(type, props) > 0, hasCapability(type, 'interrupt-controller'), `${type.type}: interrupt inputs`);
  }
});
