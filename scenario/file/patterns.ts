/** Console patterns: plain text, or /regex/flags, compiled (and refused) when the scenario is loaded. */

import type { Pattern } from './types';

/**
 * A regular expression compiled now: V8 compiles lazily, at the first match,
 * and only then refuses one past its size limit; a pattern must fail when the
 * scenario is loaded, not in the middle of a run.
 */
function compiled(source: string, flags?: string): RegExp {
  const re = new RegExp(source, flags);
  re.test('');
  return re;
}

/** A console pattern: plain text, or /regex/flags. Returns a problem description if the regex is bad. */
export function compilePattern(s: string): Pattern | string {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  if (!m) {
    // Plain text is matched as an escaped regular expression; V8 refuses one past its size limit.
    try { return { source: JSON.stringify(s), regex: compiled(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }; } catch (e) {
      return `pattern of ${s.length} characters cannot be matched: ${(e as Error).message.replace(/^Invalid regular expression: \/.*\/: /s, '')}`;
    }
  }
  // g and y make a regular expression remember where its last match ended
  // (lastIndex), so the same pattern would match a line or not depending on
  // the lines tested before it.
  const stateful = [...new Set(m[2].replace(/[^gy]/g, ''))];
  if (stateful.length) {
    return `bad regular expression ${s}: flag${stateful.length > 1 ? 's' : ''} ${stateful.map((f) => `'${f}' (${f === 'g' ? 'global' : 'sticky'})`).join(' and ')} cannot be used: each line is matched on its own (flags allowed: i, m, s, u, v, d)`;
  }
  try { return { source: s, regex: compiled(m[1], m[2]) }; } catch (e) {
    return `bad regular expression ${s}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}
