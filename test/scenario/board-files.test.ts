import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBoard, boardNames } from '../../scenario/boards';
import { InputFileError } from '../../scenario/file/yaml-file';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-boards-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function boardFile(name: string, text: string): string {
  const f = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(f, text);
  return f;
}

const GOOD = `name: tiny
cpu: { model: cortex-a9 }
memory:
  - { name: ram, base: 0x60000000, size: 16MiB }
boot: { protocol: dtb }
`;

function expectError(text: string, line: number, column: number, message: RegExp): void {
  const f = boardFile(`bad${line}x${column}`, text);
  try {
    loadBoard(f);
    assert.fail('expected the board file to be refused');
  } catch (e) {
    assert.ok(e instanceof InputFileError, `expected an InputFileError, got ${e}`);
    assert.equal(e.file, f);
    assert.deepEqual([e.line, e.column], [line, column], e.message);
    assert.match(e.message, message);
    assert.ok(e.message.startsWith(`${f}:${line}:${column}: `));
  }
}

test('the shipped boards are found by name', () => {
  assert.ok(boardNames().includes('tegra2-xoom'));
  assert.ok(boardNames().includes('vexpress-a9'));
});

test('a minimal board file loads, with sizes in units', () => {
  const spec = loadBoard(boardFile('tiny', GOOD));
  assert.equal(spec.memory[0].size, 16 << 20);
  assert.equal(spec.cpu.clockHz, 1_000_000_000);
  assert.equal(spec.boot.ramBase, 0x60000000);
});

test('an unknown key names its line and column and the schema rule', () => {
  expectError(GOOD.replace('cpu: { model: cortex-a9 }', 'cpu: { model: cortex-a9, cores: 2 }'), 2, 26, /unknown key 'cores'.*additionalProperties/);
});

test('a wrong type is reported where the value is', () => {
  expectError(GOOD.replace('base: 0x60000000', 'base: "sixty"'), 4, 24, /must be integer|does not match|must match/);
});

test('a missing required key is reported on the object that lacks it', () => {
  expectError(GOOD.replace('boot: { protocol: dtb }\n', ''), 1, 1, /missing required key 'boot'/);
});

test('a YAML syntax error gives its position', () => {
  expectError(GOOD.replace('memory:', 'memory: [\n'), 5, 3, /YAML syntax/);
});

test('overlapping memory ranges are refused at the second range', () => {
  expectError(GOOD + 'tagged:\n  - { name: hole, base: 0x60001000, size: 4K }\n', 7, 25, /overlaps memory ram/);
});

test('an unknown device type is reported at its type', () => {
  expectError(GOOD + 'devices:\n  - { name: x, type: "acme,frobnicator", regions: { registers: 0x10000000 } }\n', 7, 22, /unknown device type 'acme,frobnicator'/);
});

test('a bad interrupt target is refused by the schema', () => {
  expectError(GOOD + 'devices:\n  - { name: x, type: t, regions: { r: 0x10000000 }, irq: [gic] }\n', 7, 59, /irq|pattern/);
});
