/**
 * The chunk hash covers architectural state by declared name: how a device
 * keeps its state in private fields does not enter it.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEVICE_TYPES } from '../../machine/devices/registry';
import { ns16550, Ns16550 } from '../../machine/devices/ns16550';
import type { DeviceType } from '../../machine/devices/device';
import type { FieldKind, FieldSpec, StateDecl } from '../../machine/devices/state';
import { RecordingReader } from '../../replay/reader';
import { stateJson, canonicalJson } from '../../replay/state-hash';
import { openReplay } from '../../scenario/record/recording';
import { createMachine } from '../../scenario/boards';

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * A throwaway NS16550 that keeps every state field under another private
 * name (`renamed_<field>`; the original name only forwards to it) and
 * declares the same state, pointing each declared name at the renamed field.
 */
class RenamedNs16550 extends Ns16550 {
  constructor(...args: ConstructorParameters<typeof Ns16550>) {
    super(...args);
    const self = this as unknown as Record<string, unknown>;
    const decl: Record<string, FieldSpec> = {};
    for (const [name, raw] of Object.entries(this.stateFields)) {
      const spec: FieldSpec = typeof raw === 'string' ? { kind: raw as FieldKind } : raw;
      const field = spec.field ?? name;
      const store = `renamed_${field}`;
      self[store] = self[field];
      delete self[field];
      Object.defineProperty(this, field, { get: () => self[store], set: (v) => { self[store] = v; }, configurable: true });
      decl[name] = { ...spec, field: store };
    }
    Object.defineProperty(this, 'stateFields', { value: decl as StateDecl });
  }
}

const renamedType: DeviceType = { ...ns16550, create: (ctx, props) => new RenamedNs16550(ctx, props) };

function withRenamedUart<T>(fn: () => T): T {
  const types = DEVICE_TYPES as Map<string, DeviceType>;
  types.set(ns16550.type, renamedType);
  try { return fn(); } finally { types.set(ns16550.type, ns16550); }
}

test('renaming a private field of a device leaves the hashed state equal', () => {
  const plain = createMachine('tegra2-xoom');
  const renamed = withRenamedUart(() => createMachine('tegra2-xoom'));
  const uart = [...renamed.devices.values()].find((d) => d instanceof RenamedNs16550) as unknown as Record<string, unknown>;
  assert.ok(uart, 'the board has an NS16550');
  assert.equal(uart.renamed_ier, 0);
  assert.ok(!Object.keys(uart).includes('ier'));
  assert.equal(stateJson(renamed), stateJson(plain));
});

test('renaming a private field of a device leaves recordings/divdi3-crash.bur replaying with every chunk hash matching', () => {
  const rec = RecordingReader.open(path.join(root, 'recordings', 'divdi3-crash.bur'));
  const pos = withRenamedUart(() => {
    const session = openReplay(rec, { onNotice: (m) => assert.fail(m) });
    const p = session.replayer.verify();
    assert.ok([...session.replayer.machine.devices.values()].some((d) => d instanceof RenamedNs16550));
    return p;
  });
  assert.equal(pos.chunksVerified, rec.chunks.length);
  assert.equal(pos.icount, rec.lastIcount);
});

test('the hashed state is canonical: object keys sorted at every level, arrays in order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ t: Uint8Array.of(1, 2) }), '{"t":{"$typed":"Uint8Array","data":[1,2]}}');
});
