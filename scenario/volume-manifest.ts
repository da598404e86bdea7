/**
 * Boot volume manifests (schemas/boot-volume.schema.json): which files go into
 * a volume under which names, and the domain configuration, which is written
 * into the volume as a text image (docs/boot-volume.md) for the hypervisor.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { packVolume, type VolumeImage } from '../machine/boot/volume';
import { loadYamlFile, ProblemList } from './file/yaml-file';
import { didYouMean } from './file/did-you-mean';
import { readInputFile, InputFileUnusable } from '../io/input-file';
import { parseSize } from './boards';

interface RawManifest {
  images: Array<{ name: string; role: string; file: string }>;
  domains?: Array<{ name: string; image: string; memory?: number | string; priority?: number; console?: boolean; 'on-fault'?: string; args?: string }>;
  events?: Array<[string, string]>;
}

export const DOMAINS_IMAGE = 'domains';

/**
 * Reads a manifest and the files it names; returns the images to pack. Each
 * image, domain and event channel is checked on its own: every problem of the
 * file is thrown at once (InputFileErrors, in line order).
 */
export function manifestImages(manifestFile: string): VolumeImage[] {
  const problems = new ProblemList();
  const y = loadYamlFile<RawManifest>(manifestFile, 'boot-volume.schema.json', problems);
  const m = y.data;
  // A part the schema refused is not checked again: its problem is reported already.
  const part = <T>(at: Array<string | number>, check: () => T): T | undefined => (y.invalidAt(at) ? undefined : problems.attempt(check));
  const dir = path.dirname(manifestFile);
  const names = new Set<string>();
  const images: VolumeImage[] = (Array.isArray(m?.images) ? m.images : []).flatMap((im, i) => part(['images', i], (): VolumeImage => {
    if (names.has(im.name)) throw y.error(['images', i, 'name'], `image name '${im.name}' is used twice`);
    names.add(im.name);
    const file = path.resolve(dir, im.file);
    if (!fs.existsSync(file)) throw y.error(['images', i, 'file'], `image file ${im.file} does not exist (resolved to ${file})`);
    let data: Uint8Array;
    try { data = readInputFile(file, { what: 'image' }); } catch (e) {
      if (e instanceof InputFileUnusable) throw y.error(['images', i, 'file'], `image file ${im.file}: ${e.reason}`);
      throw e;
    }
    return { name: im.name, role: im.role, data };
  }) ?? []);
  if (m?.domains && !y.invalidAt(['domains']) && !y.invalidAt(['events'])) {
    problems.attempt(() => {
      if (names.has(DOMAINS_IMAGE)) throw y.error(['domains'], `an image is already named '${DOMAINS_IMAGE}', which the domain configuration needs`);
    });
    const domainNames = new Set<string>();
    m.domains.forEach((d, i) => problems.attempt(() => {
      if (domainNames.has(d.name)) throw y.error(['domains', i, 'name'], `domain name '${d.name}' is used twice`);
      // The domain exists (its event channels are checked against it) even if its image or memory is wrong.
      domainNames.add(d.name);
      if (!names.has(d.image)) throw y.error(['domains', i, 'image'], `domain ${d.name} runs image '${d.image}', which is not in this volume${didYouMean(d.image, names)}`);
      if (d.memory !== undefined && !(parseSize(d.memory) <= 0xffffffff)) throw y.error(['domains', i, 'memory'], `domain ${d.name}: memory ${d.memory} is more than the 4 GiB a 32-bit domain can address`);
    }));
    (m.events ?? []).forEach((pair, i) => pair.forEach((port, j) => problems.attempt(() => {
      const dom = port.split(':')[0];
      if (!domainNames.has(dom)) throw y.error(['events', i, j], `event channel end ${port}: no domain '${dom}'${didYouMean(dom, domainNames)}`);
    })));
    problems.throwIfAny();
    images.push({ name: DOMAINS_IMAGE, role: 'config', data: new TextEncoder().encode(domainConfigText(m)) });
  }
  problems.throwIfAny();
  return images;
}

/**
 * The domain configuration as the hypervisor reads it: one record per line,
 * "domain NAME key=value ..." and "event DOM:PORT DOM:PORT"; '#' starts a comment.
 */
export function domainConfigText(m: RawManifest): string {
  const lines = ['# bringup domain configuration v1'];
  for (const d of m.domains ?? []) {
    const fields = [`image=${d.image}`];
    if (d.memory !== undefined) fields.push(`memory=${parseSize(d.memory)}`);
    if (d.priority !== undefined) fields.push(`priority=${d.priority}`);
    if (d.console !== undefined) fields.push(`console=${d.console ? 'on' : 'off'}`);
    if (d['on-fault'] !== undefined) fields.push(`on-fault=${d['on-fault']}`);
    if (d.args !== undefined) fields.push(`args=${JSON.stringify(d.args)}`);
    lines.push(`domain ${d.name} ${fields.join(' ')}`);
  }
  for (const [a, b] of m.events ?? []) lines.push(`event ${a} ${b}`);
  return lines.join('\n') + '\n';
}

export function packManifest(manifestFile: string): Uint8Array {
  return packVolume(manifestImages(manifestFile));
}
