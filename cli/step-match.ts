/**
 * The steps of the library closest to a step that none matches. Each step's
 * cucumber expression is filled in with what the user wrote where its
 * parameters are ({string}, {int}, {duration}, ...: any stretch of the text
 * that the parameter type accepts), so that `the scenrio "a.yaml"` is compared
 * with `the scenario "a.yaml"`, not with `the scenario {string}`. The filled-in
 * steps are then ranked by io/nearest.ts, like every "did you mean".
 */

import { nearest } from '../io/nearest';

/** A step definition as the ranking sees it. */
export interface LibraryStep {
  /** The cucumber expression (or a regular expression's source). */
  expression: string;
  isRegExp: boolean;
}

/** What a parameter type accepts (its regular expressions), by name; undefined for an unknown type. */
export type ParameterRegexps = (name: string) => readonly string[] | undefined;

/** One way to read an expression: literal characters and parameter slots. */
type Token = { char: string } | { param: string };

/** An expression's readings, optional text ("time(s)") and alternatives ("a/b") expanded (at most `limit`). */
export function expressionVariants(expression: string, limit = 64): Token[][] {
  // A choice per position: a literal, a parameter, an optional group or a word with alternatives.
  type Choice = Token[][];
  const choices: Choice[] = [];
  let word: Token[][] = [[]]; // alternatives of the current whitespace-delimited word
  const flushWord = () => {
    if (word.length === 1) for (const t of word[0]) choices.push([[t]]);
    else choices.push(word);
    word = [[]];
  };
  const cur = () => word[word.length - 1];
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '\\' && i + 1 < expression.length) { cur().push({ char: expression[++i] }); continue; }
    if (c === '{') {
      const end = expression.indexOf('}', i);
      if (end > i) { cur().push({ param: expression.slice(i + 1, end) }); i = end; continue; }
    }
    if (c === '(') {
      let end = i + 1, text = '';
      for (; end < expression.length && expression[end] !== ')'; end++) {
        if (expression[end] === '\\' && end + 1 < expression.length) end++;
        text += expression[end];
      }
      if (end < expression.length) {
        // An optional part of a word: flush the word so far as a fixed choice, then the optional one.
        const before = word;
        word = [[]];
        if (before.length === 1) for (const t of before[0]) choices.push([[t]]);
        else choices.push(before);
        choices.push([[...text].map((ch) => ({ char: ch })), []]);
        i = end;
        continue;
      }
    }
    if (c === '/') { word.push([]); continue; }
    if (/\s/.test(c)) { flushWord(); choices.push([[{ char: c }]]); continue; }
    cur().push({ char: c });
  }
  flushWord();
  let variants: Token[][] = [[]];
  for (const choice of choices) {
    const next: Token[][] = [];
    for (const v of variants) for (const alt of choice) if (next.length < limit) next.push([...v, ...alt]);
    variants = next;
  }
  return variants;
}

/** A step's expression with its parameters filled from `text`, and the edit cost of the best reading. */
export function fillFrom(text: string, variant: Token[], accepts: (name: string, value: string) => boolean): { filled: string; cost: number } {
  const n = text.length, K = variant.length;
  const INF = 1e9;
  const dp = Array.from({ length: K + 1 }, () => new Float64Array(n + 1).fill(INF));
  // How each cell was reached: 0 start, 1 token matched/substituted, 2 token dropped, 3 text char inserted, 4 parameter filled (from[]), 5 parameter left open.
  const how = Array.from({ length: K + 1 }, () => new Uint8Array(n + 1));
  const from = Array.from({ length: K + 1 }, () => new Int32Array(n + 1));
  for (let i = 0; i <= n; i++) { dp[0][i] = i; how[0][i] = i ? 3 : 0; }
  for (let k = 0; k < K; k++) {
    const t = variant[k];
    const row = dp[k], out = dp[k + 1];
    for (let j = 0; j <= n; j++) {
      if ('char' in t) {
        if (row[j] + 1 < out[j]) { out[j] = row[j] + 1; how[k + 1][j] = 2; }
        if (j > 0) {
          const c = row[j - 1] + (t.char === text[j - 1] ? 0 : 1);
          if (c < out[j]) { out[j] = c; how[k + 1][j] = 1; }
        }
      } else {
        // The placeholder itself costs about as much as typing it.
        const open = row[j] + t.param.length + 2;
        if (open < out[j]) { out[j] = open; how[k + 1][j] = 5; }
        for (let i = 0; i <= j; i++) {
          if (row[i] < out[j] && accepts(t.param, text.slice(i, j))) { out[j] = row[i]; how[k + 1][j] = 4; from[k + 1][j] = i; }
        }
      }
      if (j > 0 && out[j - 1] + 1 < out[j]) { out[j] = out[j - 1] + 1; how[k + 1][j] = 3; }
    }
  }
  // Walk back, writing the step as the expression says it, with the user's values in it.
  const parts: string[] = [];
  let k = K, j = n;
  while (k > 0 || j > 0) {
    const h = how[k][j];
    const t = variant[k - 1];
    if (h === 3) { j--; continue; }
    if (h === 1) { parts.push((t as { char: string }).char); k--; j--; continue; }
    if (h === 2) { parts.push((t as { char: string }).char); k--; continue; }
    if (h === 4) { const i = from[k][j]; parts.push(text.slice(i, j)); k--; j = i; continue; }
    if (h === 5) { parts.push(`{${(t as { param: string }).param}}`); k--; continue; }
    break;
  }
  return { filled: parts.reverse().join(''), cost: dp[K][n] };
}

export interface Suggestion {
  /** The step as the user could write it (the library's expression with the user's values). */
  filled: string;
  expression: string;
}

/** The `count` library steps closest to `text` (a step's text without its keyword), nearest first. */
export function closestSteps(text: string, steps: readonly LibraryStep[], parameterRegexps: ParameterRegexps, count = 3): Suggestion[] {
  const compiled = new Map<string, RegExp[]>();
  const cache = new Map<string, boolean>();
  const accepts = (name: string, value: string): boolean => {
    const key = `${name}\u0000${value}`;
    let ok = cache.get(key);
    if (ok === undefined) {
      let res = compiled.get(name);
      if (!res) compiled.set(name, res = (name === '' ? ['.*'] : parameterRegexps(name) ?? []).map((r) => new RegExp(`^(?:${r})$`)));
      ok = value.length > 0 && res.some((r) => r.test(value));
      cache.set(key, ok);
    }
    return ok;
  };
  const byFilled = new Map<string, Suggestion>();
  for (const step of steps) {
    if (step.isRegExp) {
      const source = step.expression.replace(/^\^/, '').replace(/\$$/, '');
      if (!byFilled.has(source)) byFilled.set(source, { filled: source, expression: `/${step.expression}/` });
      continue;
    }
    let best: { filled: string; cost: number } | undefined;
    for (const v of expressionVariants(step.expression)) {
      const r = fillFrom(text, v, accepts);
      if (!best || r.cost < best.cost) best = r;
    }
    if (best && !byFilled.has(best.filled)) byFilled.set(best.filled, { filled: best.filled, expression: step.expression });
  }
  return nearest(text, byFilled.keys(), { count, maxDistance: Infinity }).map((f) => byFilled.get(f)!);
}

/** The report of a step no definition matches: where it is, what it says, and the closest steps. */
export function noStepMatches(where: string, keyword: string, text: string, suggestions: readonly Suggestion[]): string {
  const lines = [`${where}: no step matches: ${keyword}${text}`];
  if (suggestions.length) {
    lines.push('the closest steps of the library:');
    for (const s of suggestions) lines.push(`  ${keyword}${s.filled}${s.filled === s.expression ? '' : `    (${s.expression})`}`);
  }
  lines.push('(bringup steps lists every step)');
  return lines.join('\n');
}
