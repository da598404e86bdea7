/**
 * Every relative link in README.md and docs/*.md resolves: the file or folder
 * it names exists, and a #anchor names a heading of the target (or an explicit
 * id / name anchor) by GitHub's rules for heading ids. Links inside code are
 * not links; http(s) and mailto links are not checked (no network in tests).
 * The repository paths these documents name in their text (`test/...`,
 * docs/boards.md, ...) exist too, so a moved or renamed file is noticed.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/environment';

/** The documents whose links must resolve: README.md and every docs/*.md. */
function documents(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** The text with fenced code blocks and inline code spans blanked out (line numbers kept). */
export function withoutCode(markdown: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
      out.push('');
      continue;
    }
    if (m) { fence = m[1]; out.push(''); continue; }
    if (/^( {4}|\t)/.test(line) && (out.length === 0 || out[out.length - 1].trim() === '')) { out.push(''); continue; }
    out.push(line.replace(/(`+)[^`]*?\1/g, (s) => ' '.repeat(s.length)));
  }
  return out.join('\n');
}

/** GitHub's id for a heading text (github-slugger): inline markup dropped, lower case, punctuation removed, spaces to '-'. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__|\*)/g, '');
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown file defines: heading ids (with GitHub's -1, -2 suffixes for repeats) and HTML id/name attributes. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const lines = withoutCode(markdown).split('\n');
  const add = (base: string) => {
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  };
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx) add(slug(atx[1]));
    else if (i + 1 < lines.length && line.trim() && /^ {0,3}(=+|-+)\s*$/.test(lines[i + 1]) && !/^\s*[-*+]\s/.test(line) && !/\|/.test(lines[i + 1])) add(slug(line));
    for (const m of line.matchAll(/<[a-z]+[^>]*\s(?:id|name)=["']([^"']+)["']/gi)) found.add(m[1]);
  });
  return found;
}

export interface Link { line: number; target: string }

/** Inline links and images ([text](target "title")) and reference definitions ([label]: target). */
export function links(markdown: string): Link[] {
  const found: Link[] = [];
  withoutCode(markdown).split('\n').forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+["'(][^)]*)?\)/g)) found.push({ line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    const def = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (def) found.push({ line: i + 1, target: def[1].replace(/^<|>$/g, '') });
  });
  return found;
}

/** What is wrong with one link of `file` (repository-relative), or undefined when it resolves. */
export function brokenLink(root: string, file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // http:, https:, mailto:
  if (!target) return 'empty link';
  const hash = target.indexOf('#');
  const rawPath = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const relPath = decodeURIComponent(rawPath.split('?')[0]);
  if (path.isAbsolute(relPath)) return `${relPath} is an absolute path; links must be relative to the repository`;
  const abs = relPath ? path.resolve(root, path.dirname(file), relPath) : path.join(root, file);
  if (path.relative(root, abs).startsWith('..')) return `${relPath} is outside the repository`;
  if (!fs.existsSync(abs)) return `${relPath} does not exist`;
  if (anchor === undefined) return undefined;
  if (!abs.endsWith('.md') || !fs.statSync(abs).isFile()) return `#${anchor}: anchors are checked in Markdown files only, and ${relPath} is not one`;
  const ids = anchors(fs.readFileSync(abs, 'utf8'));
  if (!ids.has(anchor)) return `#${anchor} is not a heading of ${path.relative(root, abs)} (it has: ${[...ids].join(', ')})`;
  return undefined;
}

/**
 * Repository paths named in running text or code spans: words starting with a
 * top-level entry of the repository followed by '/' (machine/cpu/cp15.ts,
 * `test/programs/`). Not inside fenced code blocks, which show commands.
 */
export function namedPaths(markdown: string, topLevel: string[]): Link[] {
  const found: Link[] = [];
  const alternatives = topLevel.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const re = new RegExp(`(?:^|[\\s(\`])((?:${alternatives})/[A-Za-z0-9_./*-]*[A-Za-z0-9_*/])`, 'g');
  const lines = markdown.split('\n');
  let fence: string | null = null;
  lines.forEach((line, i) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m) { fence = fence ? (line.trim() === fence ? null : fence) : m[1]; return; }
    if (fence) return;
    for (const p of line.matchAll(re)) found.push({ line: i + 1, target: p[1] });
  });
  return found;
}

/** Whether a named path exists; a '*' or an upper-case placeholder segment (NAME) needs its folder to exist and, for '*', a match. */
export function pathExists(root: string, named: string): boolean {
  const segments = named.replace(/\/$/, '').split('/');
  let dir = root;
  for (const seg of segments) {
    if (/^[A-Z][A-Z0-9_]+(\.[a-z]+)?$/.test(seg)) return fs.existsSync(dir) && fs.statSync(dir).isDirectory();
    if (seg.includes('*')) {
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return false;
      const re = new RegExp(`^${seg.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      return fs.readdirSync(dir).some((e) => re.test(e));
    }
    dir = path.join(dir, seg);
  }
  return fs.existsSync(dir);
}

test('every relative link and anchor in README.md and docs/*.md resolves', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of documents()) {
    for (const l of links(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
      checked++;
      const why = brokenLink(ROOT, file, l.target);
      if (why) problems.push(`${file}:${l.line}: (${l.target}) ${why}`);
    }
  }
  assert.ok(checked > 20, `only ${checked} links found: the link scanner is broken`);
  assert.deepEqual(problems, []);
});

test('every repository path that README.md and docs/*.md name exists', () => {
  // Folders the tools write (reports/, dist/, ...) are ignored by git: a document may name files that appear there only after a run.
  const ignored = new Set(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n').map((l) => l.trim().replace(/\/$/, '')));
  const topLevel = fs.readdirSync(ROOT).filter((e) => !e.startsWith('.') && !ignored.has(e));
  const problems: string[] = [];
  let checked = 0;
  for (const file of documents()) {
    for (const p of namedPaths(fs.readFileSync(path.join(ROOT, file), 'utf8'), topLevel)) {
      checked++;
      if (!pathExists(ROOT, p.target)) problems.push(`${file}:${p.line}: ${p.target} does not exist`);
    }
  }
  assert.ok(checked > 50, `only ${checked} paths found: the path scanner is broken`);
  assert.deepEqual(problems, []);
});

test('the link check finds a missing file, a missing anchor and a good anchor by GitHub\'s heading ids', () => {
  assert.equal(slug('1.2 The Cortex-A9 MPCore private region'), '12-the-cortex-a9-mpcore-private-region');
  assert.equal(slug('5. PMC, flow controller, EVP, fuses, APB_MISC'), '5-pmc-flow-controller-evp-fuses-apb_misc');
  assert.equal(slug('`bringup run` and **replay**'), 'bringup-run-and-replay');
  const md = '# Title\n\n## Same\n\n## Same\n\n```\n## not a heading\n[x](nowhere.md)\n```\n\nSetext\n------\n<a id="custom"></a>\n';
  assert.deepEqual([...anchors(md)].sort(), ['custom', 'same', 'same-1', 'setext', 'title']);
  assert.deepEqual(links(md), []);
  assert.deepEqual(links('see [a](docs/x.md#y "t") and `[b](c.md)` and ![i](<p q.png>)\n[ref]: ../r.md\n').map((l) => l.target),
    ['docs/x.md#y', 'p q.png', '../r.md']);
  assert.equal(brokenLink(ROOT, 'README.md', 'docs/architecture.md'), undefined);
  assert.match(brokenLink(ROOT, 'README.md', 'docs/no-such-file.md') ?? '', /docs\/no-such-file\.md does not exist/);
  assert.match(brokenLink(ROOT, 'docs/boards.md', 'architecture.md#no-such-heading') ?? '', /#no-such-heading is not a heading of docs\/architecture\.md/);
  assert.equal(brokenLink(ROOT, 'docs/boards.md', 'https://example.com/x#y'), undefined);
  assert.match(brokenLink(ROOT, 'docs/boards.md', '/etc/passwd') ?? '', /absolute path/);
  assert.deepEqual(namedPaths('see docs/x.md, (machine/cpu/) and `test/a.ts`; not xdocs/y.md\n```\ndocs/in-code.md\n```\n', ['docs', 'machine', 'test']).map((p) => p.target),
    ['docs/x.md', 'machine/cpu/', 'test/a.ts']);
  assert.equal(pathExists(ROOT, 'machine/boards/*.yaml'), true);
  assert.equal(pathExists(ROOT, 'machine/boards/*.nothing'), false);
  assert.equal(pathExists(ROOT, 'scenario/profiles/NAME.yaml'), true);
  assert.equal(pathExists(ROOT, 'test/unit/machine.test.ts'), false);
});
