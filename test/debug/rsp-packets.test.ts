/**
 * The packet layer of the GDB remote protocol (debug/rsp/packets.ts):
 * framing and checksums, acks, the Ctrl-C byte, binary escaping, and
 * malformed input answered rather than thrown on.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketDecoder, framePacket, escapeBinary, fromHex, toHex, parseHexNumber, wordLE, parseWordLE, MAX_PACKET, type Incoming } from '../../debug/rsp/packets';

const decode = (...chunks: Array<string | Uint8Array>): Incoming[] => {
  const d = new PacketDecoder();
  return chunks.flatMap((c) => d.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
};
const packets = (events: Incoming[]) => events.map((e) => e.kind === 'packet' ? e.data.toString('latin1') : `<${e.kind}>`);

test('a framed packet carries its data and the checksum of it (the sum of the bytes modulo 256)', () => {
  assert.equal(framePacket('OK').toString(), '$OK#9a');
  assert.equal(framePacket('').toString(), '$#00');
  assert.equal(framePacket('qSupported').toString(), '$qSupported#37');
  assert.deepEqual(packets(decode('$OK#9a')), ['OK']);
  assert.deepEqual(packets(decode('$OK#9A')), ['OK'], 'checksum digits in either case');
});

test('a packet split across reads, several in one read, acks and Ctrl-C between them are all seen in order', () => {
  const events = decode('+$g#6', '7$m0,4#fd', '-', Buffer.from([0x03]), '$?#3f+');
  assert.deepEqual(packets(events), ['<ack>', 'g', 'm0,4', '<nack>', '<interrupt>', '?', '<ack>']);
});

test('bytes between packets that mean nothing (line ends, noise) are skipped', () => {
  assert.deepEqual(packets(decode('\r\nhello$c#63\n')), ['c']);
});

test('a packet whose checksum does not match is reported malformed, not delivered', () => {
  const events = decode('$OK#00');
  assert.equal(events.length, 1);
  assert.equal(events[0].kind, 'malformed');
  assert.match((events[0] as { reason: string }).reason, /checksum 00 does not match/);
});

test('a checksum that is not hex, a packet cut by a new $, an escape cut by #, a packet too long: malformed, and the decoder goes on', () => {
  const tooLong = `$${'a'.repeat(MAX_PACKET * 2 + 10)}#00`;
  const events = decode('$OK#zz', '$abc$OK#9a', '$ab}#' + '00'.slice(0, 2), tooLong, '$OK#9a');
  const kinds = events.map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => k === 'packet').length, 2, packets(events).join(' '));
  assert.ok(kinds.filter((k) => k === 'malformed').length >= 4, packets(events).join(' '));
  assert.deepEqual(packets(events).filter((p) => !p.startsWith('<')), ['OK', 'OK']);
});

test('binary data escapes } # $ and * as } then the byte XOR 0x20, and decodes back to the same bytes', () => {
  const bytes = Buffer.from([0x7d, 0x23, 0x24, 0x2a, 0x00, 0xff, 0x41]);
  assert.deepEqual([...escapeBinary(bytes)], [0x7d, 0x5d, 0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x0a, 0x00, 0xff, 0x41]);
  const framed = framePacket(Buffer.concat([Buffer.from('X0,7:'), bytes]));
  const [e] = decode(framed);
  assert.equal(e.kind, 'packet');
  assert.deepEqual([...(e as { data: Buffer }).data], [...Buffer.from('X0,7:'), ...bytes]);
  // Every byte value survives.
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const [back] = decode(framePacket(all));
  assert.deepEqual((back as { data: Buffer }).data, all);
});

test('hex helpers: bytes, numbers, and words in target (little-endian) order; malformed text is undefined, never an exception', () => {
  assert.equal(toHex(Uint8Array.from([0, 0xab, 0x10])), '00ab10');
  assert.deepEqual([...fromHex('00AB10')!], [0, 0xab, 0x10]);
  assert.equal(fromHex('abc'), undefined);
  assert.equal(fromHex('zz'), undefined);
  assert.equal(parseHexNumber('60010000'), 0x60010000);
  assert.equal(parseHexNumber('ffffffff'), 0xffffffff);
  assert.equal(parseHexNumber('100000000'), undefined);
  assert.equal(parseHexNumber(''), undefined);
  assert.equal(parseHexNumber('-1'), undefined);
  assert.equal(wordLE(0x12345678), '78563412');
  assert.equal(parseWordLE('78563412'), 0x12345678);
  assert.equal(parseWordLE('785634'), undefined);
});

test('random byte streams never make the decoder throw', () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const d = new PacketDecoder();
  for (let i = 0; i < 200; i++) {
    const chunk = Uint8Array.from({ length: 1 + (next() % 64) }, () => {
      const b = next();
      return b < 40 ? [0x24, 0x23, 0x7d, 0x03, 0x2b][b % 5] : b;
    });
    assert.doesNotThrow(() => d.push(chunk));
  }
});
