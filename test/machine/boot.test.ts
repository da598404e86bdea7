import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAtags, ATAG } from '../../machine/boot/atag';
import { parseFdt, serializeFdt, findNode, ensureNode, stringProp, cells, readCell } from '../../machine/boot/fdt';
import { packVolume, readVolume, volumeImage, crc32, VolumeError } from '../../machine/boot/volume';

function words(b: Uint8Array): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length / 4 }, (_, i) => dv.getUint32(i * 4, true));
}

test('the ATAG list has CORE, MEM per bank, CMDLINE, INITRD2 and NONE in order', () => {
  const w = words(buildAtags({
    memory: [{ base: 0, size: 448 << 20 }, { base: 0x20000000, size: 0x1ffc0000 }],
    cmdline: 'console=ttyS0',
    initrd: { base: 0x08000000, size: 0x1234 },
  }));
  assert.deepEqual(w.slice(0, 5), [5, ATAG.CORE, 0, 4096, 0]);
  assert.deepEqual(w.slice(5, 9), [4, ATAG.MEM, 448 << 20, 0]);
  assert.deepEqual(w.slice(9, 13), [4, ATAG.MEM, 0x1ffc0000, 0x20000000]);
  // "console=ttyS0" is 13 bytes + NUL -> 4 words of payload
  assert.deepEqual(w.slice(13, 15), [6, ATAG.CMDLINE]);
  assert.equal(Buffer.from(new Uint32Array(w.slice(15, 19)).buffer).toString('latin1').replace(/\0+$/, ''), 'console=ttyS0');
  assert.deepEqual(w.slice(19, 23), [4, ATAG.INITRD2, 0x08000000, 0x1234]);
  assert.deepEqual(w.slice(23), [0, ATAG.NONE]);
});

test('a command line too long for ATAG_CMDLINE is refused', () => {
  assert.throws(() => buildAtags({ memory: [], cmdline: 'x'.repeat(1024) }), /1023/);
});

function sampleDtb(): Uint8Array {
  const root = { name: '', props: new Map<string, Uint8Array>(), children: [] as never[] };
  root.props.set('#address-cells', cells([1]));
  root.props.set('#size-cells', cells([1]));
  root.props.set('model', stringProp('test board'));
  const fdt = { root, reserved: [{ address: 0x1000n, size: 0x2000n }], bootCpuId: 0 };
  ensureNode(fdt.root, 'memory@60000000').props.set('reg', cells([0x60000000, 0x100000]));
  return serializeFdt(fdt);
}

test('a device tree survives parse -> serialize -> parse unchanged', () => {
  const blob = sampleDtb();
  const fdt = parseFdt(blob);
  assert.equal(Buffer.from(fdt.root.props.get('model')!).toString(), 'test board\0');
  assert.deepEqual(fdt.reserved, [{ address: 0x1000n, size: 0x2000n }]);
  assert.equal(readCell(findNode(fdt.root, '/memory')!.props.get('reg'), 0), 0x60000000);
  assert.deepEqual(serializeFdt(parseFdt(serializeFdt(fdt))), serializeFdt(fdt));
});

test('bad device tree blobs are refused with the reason', () => {
  assert.throws(() => parseFdt(new Uint8Array(10)), /truncated/);
  assert.throws(() => parseFdt(new Uint8Array(64)), /bad magic/);
  const blob = sampleDtb();
  assert.throws(() => parseFdt(blob.subarray(0, blob.length - 8)), /truncated/);
});

test('a boot volume packs images on 4 KiB boundaries and reads back with checksums', () => {
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array(5000).fill(7);
  const vol = packVolume([{ name: 'hyp', role: 'hypervisor', data: a }, { name: 'dom0', role: 'dom0', data: b }]);
  const entries = readVolume(vol);
  assert.deepEqual(entries.map((e) => [e.name, e.role, e.offset, e.size]), [['hyp', 'hypervisor', 4096, 3], ['dom0', 'dom0', 8192, 5000]]);
  assert.deepEqual(volumeImage(vol, 'dom0'), b);
  assert.equal(entries[0].crc32, crc32(a));
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the standard CRC-32 check value');
});

test('a corrupted or truncated boot volume is detected', () => {
  const vol = packVolume([{ name: 'hyp', role: 'hypervisor', data: new Uint8Array(100).fill(1) }]);
  const flipped = vol.slice(); flipped[4096 + 50] ^= 1;
  assert.throws(() => readVolume(flipped), /image hyp is corrupted/);
  const header = vol.slice(); header[64] ^= 1;
  assert.throws(() => readVolume(header), /header checksum mismatch/);
  assert.throws(() => readVolume(vol.subarray(0, 4100)), /truncated/);
  assert.throws(() => readVolume(new Uint8Array(100)), /not a boot volume/);
  assert.throws(() => packVolume([{ name: 'a', role: 'dom0', data: a1() }, { name: 'a', role: 'domu', data: a1() }]), VolumeError);
});

function a1() { return new Uint8Array(1); }
