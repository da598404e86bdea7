/**
 * What a failed run leaves for a report: the console log as text, the
 * display as a PNG (when one is scanning out), pictures a check produced, and
 * the path of the run's recording (when it was recorded).
 */

import { encodePng } from './png';
import type { Artifact, ScenarioResult } from '../run/runner';

export function failureAttachments(r: ScenarioResult, extra: Artifact[] = [], label = r.scenario.name): Artifact[] {
  const base = label.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-|-$/g, '') || 'scenario';
  const out: Artifact[] = [];
  for (const [device, lines] of r.consoles) {
    const text = lines.map((l) => l.text).join('\n') + (lines.length ? '\n' : '');
    out.push({ name: `${base}.${device}.log`, mediaType: 'text/plain', data: Buffer.from(text, 'utf8') });
  }
  const m = r.machine;
  if (m) {
    for (const d of m.devices.values()) {
      const picture = d.render?.();
      if (picture) out.push({ name: `${base}.${d.name}.png`, mediaType: 'image/png', data: encodePng(picture) });
    }
  }
  for (const e of r.expectations) if (e.artifact) out.push(e.artifact);
  out.push(...extra);
  if (r.recording) out.push({ name: `${base}.recording`, mediaType: 'text/x.bringup-path', data: Buffer.from(`recording: ${r.recording}`) });
  return out;
}
