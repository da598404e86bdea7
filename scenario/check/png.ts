/**
 * PNG files of display pictures (RgbaImage from a display device's render()).
 *
 * Encoding is byte-stable for golden files: always 8-bit RGBA, fixed deflate
 * level, strategy and filter choice, and no ancillary chunks (no time stamp,
 * gamma or text), so the same picture gives the same bytes with the same zlib.
 * Golden comparisons still go through comparePng on decoded pixels, which does
 * not depend on the compressor.
 */

import { PNG } from 'pngjs';
import type { RgbaImage } from '../../machine/devices/device';

export type Rgba = [number, number, number, number];

export interface PngDifference {
  x: number;
  y: number;
  /** The pixel, or null where the image does not reach (x, y). */
  actual: Rgba | null;
  expected: Rgba | null;
}

export interface PngComparison {
  equal: boolean;
  /** Pixels that differ, over the union of both images' areas. */
  differentPixels: number;
  /** The first differing pixel in row-major order. */
  firstDifference?: PngDifference;
}

const PNG_OPTIONS = {
  colorType: 6,
  inputColorType: 6,
  inputHasAlpha: true,
  bitDepth: 8,
  deflateLevel: 9,
  deflateStrategy: 3,
  filterType: -1,
} as const;

export function encodePng(img: RgbaImage): Buffer {
  checkImage(img);
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png, PNG_OPTIONS);
}

/** Any PNG (palette, grey, 16-bit, interlaced) as 8-bit RGBA. */
export function decodePng(buf: Buffer | Uint8Array): RgbaImage {
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let png;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new Error(`not a readable PNG: ${(e as Error).message}`);
  }
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

export function comparePng(actual: RgbaImage, expected: RgbaImage): PngComparison {
  checkImage(actual);
  checkImage(expected);
  const width = Math.max(actual.width, expected.width);
  const height = Math.max(actual.height, expected.height);
  let differentPixels = 0;
  let firstDifference: PngDifference | undefined;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x < actual.width && y < actual.height && x < expected.width && y < expected.height) {
        const oa = (y * actual.width + x) * 4, oe = (y * expected.width + x) * 4;
        const ad = actual.data, ed = expected.data;
        if (ad[oa] === ed[oe] && ad[oa + 1] === ed[oe + 1] && ad[oa + 2] === ed[oe + 2] && ad[oa + 3] === ed[oe + 3]) continue;
      }
      differentPixels++;
      if (!firstDifference) firstDifference = { x, y, actual: pixel(actual, x, y), expected: pixel(expected, x, y) };
    }
  }
  return differentPixels === 0 ? { equal: true, differentPixels } : { equal: false, differentPixels, firstDifference };
}

function pixel(img: RgbaImage, x: number, y: number): Rgba | null {
  if (x >= img.width || y >= img.height) return null;
  const o = (y * img.width + x) * 4;
  return [img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3]];
}

function checkImage(img: RgbaImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`image size ${img.width}x${img.height} is not a positive whole number of pixels`);
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new Error(`image data has ${img.data.length} bytes, ${img.width}x${img.height} RGBA needs ${img.width * img.height * 4}`);
  }
}
