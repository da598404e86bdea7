/**
 * The boot volume: named images packed into one blob that a boot loader hands
 * over as the initrd. The layout (docs/boot-volume.md) is simple enough for a
 * hypervisor written in C to walk without a library.
 */

export const VOLUME_MAGIC = 'BRVOLUME';
export const VOLUME_VERSION = 1;
const HEADER_SIZE = 64;
const ENTRY_SIZE = 64;
const NAME_LEN = 32;
const ROLE_LEN = 16;
/** Images start on 4 KiB boundaries so a hypervisor can map them in place. */
export const VOLUME_ALIGN = 4096;

export interface VolumeImage {
  name: string;
  role: string;
  data: Uint8Array;
}

export interface VolumeEntry {
  name: string;
  role: string;
  offset: number;
  size: number;
  crc32: number;
}

export class VolumeError extends Error {}

export function packVolume(images: VolumeImage[]): Uint8Array {
  const names = new Set<string>();
  for (const im of images) {
    if (!/^[A-Za-z0-9_.-]{1,31}$/.test(im.name)) throw new VolumeError(`image name '${im.name}': 1-31 characters of A-Z a-z 0-9 _ . -`);
    if (!/^[a-z0-9-]{1,15}$/.test(im.role)) throw new VolumeError(`image ${im.name}: role '${im.role}' must be 1-15 characters of a-z 0-9 -`);
    if (names.has(im.name)) throw new VolumeError(`image name '${im.name}' is used twice`);
    names.add(im.name);
  }
  let offset = align(HEADER_SIZE + ENTRY_SIZE * images.length, VOLUME_ALIGN);
  const entries = images.map((im) => {
    const e = { name: im.name, role: im.role, offset, size: im.data.length, crc32: crc32(im.data) };
    offset = align(offset + im.data.length, VOLUME_ALIGN);
    return e;
  });
  const total = images.length ? entries[entries.length - 1].offset + images[images.length - 1].data.length : HEADER_SIZE;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(VOLUME_MAGIC), 0);
  dv.setUint32(8, VOLUME_VERSION, true);
  dv.setUint32(12, HEADER_SIZE, true);
  dv.setUint32(16, images.length, true);
  dv.setUint32(20, ENTRY_SIZE, true);
  dv.setUint32(24, HEADER_SIZE, true);
  dv.setUint32(28, total, true);
  entries.forEach((e, i) => {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    out.set(new TextEncoder().encode(e.name), o);
    out.set(new TextEncoder().encode(e.role), o + NAME_LEN);
    dv.setUint32(o + 48, e.offset, true);
    dv.setUint32(o + 52, e.size, true);
    dv.setUint32(o + 56, e.crc32, true);
    out.set(images[i].data, e.offset);
  });
  // The header checksum covers the header (with this field zero) and the entry table.
  dv.setUint32(32, crc32(out.subarray(0, HEADER_SIZE + ENTRY_SIZE * images.length)), true);
  return out;
}

export function readVolume(blob: Uint8Array, what = 'volume'): VolumeEntry[] {
  if (blob.length < HEADER_SIZE) throw new VolumeError(`${what}: too short for a boot volume header (${blob.length} bytes)`);
  if (new TextDecoder().decode(blob.subarray(0, 8)) !== VOLUME_MAGIC) throw new VolumeError(`${what}: not a boot volume (bad magic)`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== VOLUME_VERSION) throw new VolumeError(`${what}: boot volume format ${version} is not supported (expects ${VOLUME_VERSION})`);
  const count = dv.getUint32(16, true);
  const entrySize = dv.getUint32(20, true);
  const entriesAt = dv.getUint32(24, true);
  const total = dv.getUint32(28, true);
  if (entrySize !== ENTRY_SIZE || entriesAt !== HEADER_SIZE) throw new VolumeError(`${what}: unexpected entry table layout`);
  if (total > blob.length) throw new VolumeError(`${what}: truncated (${blob.length} of ${total} bytes)`);
  const tableEnd = HEADER_SIZE + count * ENTRY_SIZE;
  if (tableEnd > blob.length) throw new VolumeError(`${what}: truncated entry table`);
  const header = new Uint8Array(blob.subarray(0, tableEnd)); // a copy: the checksum field is zeroed
  new DataView(header.buffer).setUint32(32, 0, true);
  if (crc32(header) !== dv.getUint32(32, true)) throw new VolumeError(`${what}: header checksum mismatch (corrupted)`);
  const str = (o: number, n: number) => {
    const b = blob.subarray(o, o + n);
    const z = b.indexOf(0);
    return new TextDecoder().decode(z < 0 ? b : b.subarray(0, z));
  };
  const entries: VolumeEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    const e = { name: str(o, NAME_LEN), role: str(o + NAME_LEN, ROLE_LEN), offset: dv.getUint32(o + 48, true), size: dv.getUint32(o + 52, true), crc32: dv.getUint32(o + 56, true) };
    if (e.offset + e.size > total) throw new VolumeError(`${what}: image ${e.name} extends past the end of the volume`);
    if (crc32(blob.subarray(e.offset, e.offset + e.size)) !== e.crc32) throw new VolumeError(`${what}: image ${e.name} is corrupted (checksum mismatch)`);
    entries.push(e);
  }
  return entries;
}

export function volumeImage(blob: Uint8Array, name: string): Uint8Array {
  const e = readVolume(blob).find((x) => x.name === name);
  if (!e) throw new VolumeError(`volume has no image '${name}'`);
  return blob.subarray(e.offset, e.offset + e.size);
}

function align(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zlib), so a hypervisor can check images with a common routine. */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
