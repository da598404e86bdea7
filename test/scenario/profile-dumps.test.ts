/**
 * Fault dumps and panics of a user's own firmware, read as its profile says:
 * the kind compared without case, status and pc found on the header line as
 * well as after it, and a pc printed only as an address named by the images'
 * symbols before it is compared with the expected symbol.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProfile } from '../../scenario/profile';
import { checkDump } from '../../scenario/check/dump';
import type { Scenario, DumpExpectation } from '../../scenario/file/scenario-file';
import type { ElfSymbol } from '../../machine/loaders/elf';
import { tempDir } from '../support/temp-dirs';
import { ROOT } from '../support/environment';

const tmp = tempDir('bringup-profile-dumps-');
let n = 0;

/** A scenario as far as the dump check reads it: a profile written for the test, and the images' symbols. */
function scenarioWith(profileYaml: string, symbols: Record<string, ElfSymbol[]> = {}): Scenario {
  const file = path.join(tmp, `profile-${n++}.yaml`);
  fs.writeFileSync(file, profileYaml);
  return { profile: loadProfile(file), symbols: new Map(Object.entries(symbols)), clockHz: 1e9 } as unknown as Scenario;
}

/** Checks the expectation against console lines printed one per 100 instructions. */
function check(s: Scenario, text: string[], d: DumpExpectation, who: 'hypervisor' | 'domain' = 'hypervisor') {
  const lines = text.map((t, i) => ({ text: t, index: i, icount: 100 * (i + 1) }));
  return checkDump(s, lines, d, who, () => [], (x) => `${x} insns`);
}

test('the kind of a dump is compared without case (and spaces and hyphens alike)', () => {
  const s = scenarioWith("name: mine\ndumps:\n  hypervisor-fault: '^FAULT: (?<kind>.+)$'\n");
  const console = ['booting', 'FAULT: Data Abort', 'done'];
  const r = check(s, console, { kind: 'data abort' });
  assert.equal(r.ok, true, r.problem);
  assert.equal(r.line, 1);
  assert.equal(check(s, console, { kind: 'data-abort' }).ok, true);
  const other = check(s, console, { kind: 'prefetch abort' });
  assert.equal(other.ok, false);
  assert.match(other.problem!, /a Data-Abort dump|a data-abort dump/i);
});

test('status and pc printed on the header line itself are found', () => {
  const s = scenarioWith([
    'name: one-line',
    'dumps:',
    "  hypervisor-fault: '^Oops: (?<kind>[a-z ]+) at pc'",
    "  pc: 'at pc 0x(?<address>[0-9a-f]{8}) <(?<symbol>\\w+)>'",
    "  status: 'status: (?<status>.+)$'",
    '',
  ].join('\n'));
  const console = ['Oops: data abort at pc 0x00008010 <sched_return>, status: translation fault, section'];
  const r = check(s, console, { kind: 'data-abort', symbol: 'sched_return', status: 'translation fault' });
  assert.equal(r.ok, true, r.problem);
  const wrong = check(s, console, { symbol: 'schedule' });
  assert.equal(wrong.ok, false);
  assert.match(wrong.problem!, /pc in sched_return/);
});

test('a pc printed only as an address is named by the images\' symbols', () => {
  const s = scenarioWith(
    "name: bare-pc\ndumps:\n  hypervisor-fault: '^FAULT: (?<kind>.+)$'\n  pc: '^  pc 0x(?<address>[0-9a-f]+)$'\n",
    { '': [{ name: 'start', value: 0x1000, size: 0x200, type: 2 }, { name: 'my_handler', value: 0x1200, size: 0x100, type: 2 }, { name: 'table', value: 0x1200, size: 0, type: 0 }] },
  );
  const console = ['FAULT: undefined instruction', '  pc 0x00001234'];
  const r = check(s, console, { kind: 'undefined-instruction', symbol: 'my_handler' });
  assert.equal(r.ok, true, r.problem);
  const wrong = check(s, console, { symbol: 'start' });
  assert.equal(wrong.ok, false);
  assert.match(wrong.problem!, /pc in my_handler \(0x00001234\)/);
  // An expected address (0x...) is compared with the address itself.
  assert.equal(check(s, console, { symbol: '0x1234' }).ok, true);
  assert.equal(check(s, console, { symbol: '0x1238' }).ok, false);
  // An address no symbol covers stays an address.
  const outside = check(s, ['FAULT: x', '  pc 0x00009000'], { symbol: 'start' });
  assert.equal(outside.ok, false);
  assert.match(outside.problem!, /pc in 0x00009000/);
});

test('a domain\'s pc is named by the symbols of the volume images', () => {
  const s = scenarioWith(
    "name: doms\ndumps:\n  domain-fault: '^DOMFAULT (?<domain>\\w+): (?<kind>.+)$'\n  pc: '^  pc 0x(?<address>[0-9a-f]+)$'\n",
    { '': [{ name: 'hyp_main', value: 0x8000, size: 0x100, type: 2 }], ping: [{ name: 'ping_loop', value: 0x8000, size: 0x40, type: 2 }] },
  );
  const r = check(s, ['DOMFAULT ping: data abort', '  pc 0x00008010'], { domain: 'ping', symbol: 'ping_loop' }, 'domain');
  assert.equal(r.ok, true, r.problem);
});

test('the worked example of docs/profiles.md is a valid profile that reads the dumps shown there', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'profiles.md'), 'utf8');
  const blocks = [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
  const profileYaml = blocks.find((b) => b.lang === 'yaml' && /^name: myhyp$/m.test(b.text))!.text;
  const hypDump = blocks.find((b) => b.text.startsWith('FATAL:'))!.text.trimEnd().split('\n');
  const domDump = blocks.find((b) => b.text.startsWith('guest net'))!.text.trimEnd().split('\n');
  const s = scenarioWith(profileYaml, {
    '': [{ name: 'vgic_inject', value: 0x80012300, size: 0x80, type: 2 }],
    net: [{ name: 'rx_loop', value: 0x8100, size: 0x40, type: 2 }],
  });
  assert.equal(s.profile.console, 'uarta');
  assert.equal(s.profile.lostUpcall, 'evtchn_notify');
  assert.equal(s.profile.domainTable?.fields.name.size, 32);
  const panic = check(s, hypDump, { kind: 'data abort', status: 'translation', symbol: 'vgic_inject', message: { source: '/unrecoverable/', regex: /unrecoverable/ } });
  assert.equal(panic.ok, true, panic.problem);
  assert.equal(panic.line, 2, 'met at the panic line');
  const dom = check(s, domDump, { domain: 'net', kind: 'prefetch abort', symbol: 'rx_loop' }, 'domain');
  assert.equal(dom.ok, true, dom.problem);
});
