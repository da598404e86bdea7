/**
 * The protobuf writer of the Perfetto exporter, decoded by protobufjs with
 * perfetto's field numbers (test/support/perfetto/): timestamps past 2^32
 * (a run longer than 4.3 s of virtual time), 64-bit flow ids, signed and
 * floating-point annotations, nested messages.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { ProtoWriter } from '../../replay/perfetto/protobuf-writer';
import { perfettoTrace } from '../../replay/perfetto/perfetto-writer';
import { ROOT as root } from '../support/environment';

const protoRoot = protobuf.loadSync(path.join(root, 'test', 'support', 'perfetto', 'trace.proto'));
const Trace = protoRoot.lookupType('perfetto.protos.Trace');
const TracePacket = protoRoot.lookupType('perfetto.protos.TracePacket');

test('varints, fixed64 and nested messages decode as perfetto\'s protos define them', () => {
  const big = 3_680_000_000_123; // ns: an hour of virtual time is 3.6e12
  const bytes = new ProtoWriter()
    .uint(8, big)
    .uint(10, 7)
    .message(11, (e) => e
      .uint(9, 3)
      .uint(11, 2 ** 40 + 5)
      .string(23, 'ünïcode line')
      .message(4, (a) => a.string(10, 'negative').int(4, -5))
      .message(4, (a) => a.string(10, 'ratio').double(5, 0.25))
      .message(4, (a) => a.string(10, 'flag').bool(2, true))
      .fixed64(47, 2 ** 53 - 1))
    .finish();
  const p = TracePacket.toObject(TracePacket.decode(bytes), { longs: String, enums: String }) as Record<string, any>;
  assert.equal(p.timestamp, String(big));
  assert.equal(p.trustedPacketSequenceId, 7);
  assert.equal(p.trackEvent.type, 'TYPE_INSTANT');
  assert.equal(p.trackEvent.trackUuid, String(2 ** 40 + 5));
  assert.equal(p.trackEvent.name, 'ünïcode line');
  assert.deepEqual(p.trackEvent.debugAnnotations, [
    { name: 'negative', intValue: '-5' }, { name: 'ratio', doubleValue: 0.25 }, { name: 'flag', boolValue: true },
  ]);
  assert.deepEqual(p.trackEvent.flowIds, [String(2 ** 53 - 1)]);
});

test('a varint refuses what it cannot encode exactly', () => {
  assert.throws(() => new ProtoWriter().uint(1, 2 ** 53), /whole number from 0 to 2\^53 - 1/);
  assert.throws(() => new ProtoWriter().uint(1, 1.5), /whole number/);
});

test('a trace of a model is a Trace of packets: descriptors first, then events with nanosecond timestamps', () => {
  const model = {
    title: 't', clockHz: 500_000_000, from: 0, to: 10,
    tracks: [{ uuid: 1, name: 'bringup t', kind: 'process' as const }, { uuid: 2, name: 'core 0', kind: 'thread' as const, core: 0 }],
    events: [
      { ticks: 3, track: 2, type: 'begin' as const, name: 'irq', category: 'exception', args: { vector: '0x18' }, seq: 0 },
      { ticks: 5, track: 2, type: 'end' as const, category: 'exception', seq: 1 },
    ],
  };
  const t = Trace.toObject(Trace.decode(Buffer.concat([...perfettoTrace(model)])), { longs: Number, enums: String }) as { packet: Array<Record<string, any>> };
  assert.equal(t.packet.length, 4);
  assert.equal(t.packet[0].trackDescriptor.process.processName, 'bringup t');
  assert.equal(t.packet[0].sequenceFlags, 1);
  assert.equal(t.packet[1].trackDescriptor.thread.threadName, 'core 0');
  // 500 MHz: a tick is 2 ns.
  assert.deepEqual(t.packet.slice(2).map((p) => [p.timestamp, p.trackEvent.type, p.trackEvent.name ?? '']), [[6, 'TYPE_SLICE_BEGIN', 'irq'], [10, 'TYPE_SLICE_END', '']]);
});
