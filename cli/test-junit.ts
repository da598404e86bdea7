/**
 * junit.xml in the shape cucumber-js's JUnit formatter gives it (the same
 * test case names, classes, counts and step lines), where each failed test
 * case also carries its recording, the command that replays it and the
 * files written for it: as <properties> (recording, replay, attachment) and
 * as lines of <system-out>, with [[ATTACHMENT|path]] lines that CI systems
 * (GitLab, Jenkins' JUnit Attachments plugin) turn into links, the display
 * picture first.
 */

import * as path from 'node:path';
import type { CaseReport, RunReport } from './test-run-messages';

/** Characters XML 1.0 cannot hold (console output may carry control bytes); left out as cucumber-js's formatter leaves them out. */
export const XML_INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const attr = (v: string | number) => String(v).replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;').replace(/\t/g, '&#x9;');
const cdata = (v: string) => `<![CDATA[${v.replace(XML_INVALID, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A path as the reports show it: relative to `base` when under it (CI systems resolve them from the checkout), else absolute. */
export function shownPath(file: string, base: string): string {
  const rel = path.relative(base, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** The lines a failed test case adds to <system-out>: recording, replay command, files (as [[ATTACHMENT|...]]). */
export function failureLines(c: CaseReport, base: string): string[] {
  const out: string[] = [];
  if (c.recording) out.push(`recording: ${shownPath(c.recording, base)}`);
  if (c.replay) out.push(`replay: ${c.replay.command}${c.replay.note ? ` (${c.replay.note})` : ''}`);
  for (const f of c.files) out.push(`[[ATTACHMENT|${shownPath(f, base)}]]`);
  return out;
}

export function junitXml(run: RunReport, base: string): string {
  const count = (p: (s: string) => boolean) => run.cases.filter((c) => p(c.status)).length;
  const out = ['<?xml version="1.0"?>'];
  out.push(`<testsuite name="Cucumber" time="${run.seconds}" tests="${run.cases.length}" skipped="${count((s) => s === 'SKIPPED')}" `
    + `failures="${count((s) => s !== '' && s !== 'PASSED' && s !== 'SKIPPED')}" errors="0"${run.timestamp ? ` timestamp="${run.timestamp}"` : ''}>`);
  for (const c of run.cases) {
    out.push(`  <testcase classname="${attr(c.classname)}" name="${attr(c.name)}" time="${c.seconds}">`);
    if (c.failure) {
      const kind = c.status === 'SKIPPED' ? 'skipped' : 'failure';
      const attrs = kind === 'failure' ? `${c.failure.type ? ` type="${attr(c.failure.type)}"` : ''}${c.failure.message ? ` message="${attr(c.failure.message)}"` : ''}` : '';
      out.push(c.failure.stack ? `    <${kind}${attrs}>${cdata(c.failure.stack)}</${kind}>` : `    <${kind}${attrs}/>`);
    }
    // After the failure (parsers that expect the failure first find it there), before the output.
    const props: Array<[string, string]> = [];
    if (c.recording) props.push(['recording', shownPath(c.recording, base)]);
    if (c.replay) props.push(['replay', c.replay.command]);
    for (const f of c.files) props.push(['attachment', shownPath(f, base)]);
    if (props.length) {
      out.push('    <properties>');
      for (const [n, v] of props) out.push(`      <property name="${n}" value="${attr(v)}"/>`);
      out.push('    </properties>');
    }
    const system = [...c.steps, ...(c.failure ? ['', ...failureLines(c, base)] : [])];
    if (c.steps.length || (c.failure && system.length > 1)) out.push(`    <system-out>${cdata(system.join('\n').replace(/\n+$/, ''))}</system-out>`);
    out.push('  </testcase>');
  }
  out.push('</testsuite>');
  return out.join('\n') + '\n';
}
