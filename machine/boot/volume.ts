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
const LATIN1 = new TextDecoder('latin1');

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

/**
 * Why an image name cannot be used, or undefined when it can. Names become
 * file names when a volume is extracted, so anything that could name another
 * folder ('', '.', '..', '/', '\\', NUL) is refused, as is anything outside
 * the documented character set.
 */
export function badImageName(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name === '.' || name === '..') return `'${name}' names a folder, not a file`;
  if (name.includes('/') || name.includes('\\')) return `'${printable(name)}' contains a path separator`;
  if (name.includes('\0')) return `'${printable(name)}' contains a NUL byte`;
  if (!/^[A-Za-z0-9_.-]{1,31}$/.test(name)) return `'${printable(name)}' is not 1-31 characters of A-Z a-z 0-9 _ . -`;
  return undefined;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function packVolume(images: VolumeImage[]): Uint8Array {
  const names = new Set<string>();
  for (const im of images) {
    const bad = badImageName(im.name);
    if (bad) throw new VolumeError(`image name ${bad} (names are 1-31 characters of A-Z a-z 0-9 _ . -, not . or ..)`);
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
  if (tableEnd > total) throw new VolumeError(`${what}: truncated entry table (${count} entries do not fit in ${total} bytes)`);
  const header = new Uint8Array(blob.subarray(0, tableEnd)); // a copy: the checksum field is zeroed
  new DataView(header.buffer).setUint32(32, 0, true);
  if (crc32(header) !== dv.getUint32(32, true)) throw new VolumeError(`${what}: header checksum mismatch (corrupted)`);
  // A NUL-padded field: the text up to the first NUL; bytes after it must be NUL too.
  const str = (o: number, n: number): { text: string; clean: boolean } => {
    const b = blob.subarray(o, o + n);
    const z = b.indexOf(0);
    const clean = z < 0 ? false : b.subarray(z).every((x) => x === 0);
    return { text: LATIN1.decode(z < 0 ? b : b.subarray(0, z)), clean };
  };
  const entries: VolumeEntry[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    const name = str(o, NAME_LEN), role = str(o + NAME_LEN, ROLE_LEN);
    const e = { name: name.text, role: role.text, offset: dv.getUint32(o + 48, true), size: dv.getUint32(o + 52, true), crc32: dv.getUint32(o + 56, true) };
    const badName = !name.clean ? `'${printable(name.text)}' contains a NUL byte or is not NUL-terminated` : badImageName(e.name);
    if (badName) throw new VolumeError(`${what}: entry ${i + 1}: image name ${badName}`);
    if (names.has(e.name)) throw new VolumeError(`${what}: entry ${i + 1}: image name '${e.name}' is used twice`);
    names.add(e.name);
    if (!role.clean || !/^[a-z0-9-]{1,15}$/.test(e.role)) throw new VolumeError(`${what}: image ${e.name}: role '${printable(e.role)}' is not 1-15 characters of a-z 0-9 -`);
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
