/**
 * bringup test's reports, made from cucumber-js's message stream once the
 * run is over:
 *
 * - junit.xml, in the shape cucumber-js's own JUnit formatter gives it (the
 *   same test case names, classes, counts and step lines), where each failed
 *   test case also carries its recording, the command that replays it and the
 *   files written for it: as <properties> (recording, replay, attachment) and
 *   as lines of <system-out>, with [[ATTACHMENT|path]] lines that CI systems
 *   (GitLab, Jenkins' attachments plugin) turn into links, the display picture
 *   first;
 * - failures.html, one section per failed scenario: the failed step and its
 *   message, the command that replays the recording, the display picture and
 *   the console log with the failed expectation highlighted.
 *
 * What a failed scenario carries comes from the After hook's attachments
 * (steps/world.ts, scenario/check/attachments.ts), told apart by name.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureRole } from '../scenario/check/attachments';
import { parseMarkedLog } from '../scenario/check/marked-log';

type Message = Record<string, any>;
interface Timestamp { seconds: number; nanos: number }

/** One Gherkin scenario as run (its last attempt when retried). */
export interface CaseReport {
  classname: string;
  name: string;
  /** The feature file and the scenario's line. */
  uri: string;
  line: number;
  seconds: number;
  /** The most severe step status: PASSED, FAILED, SKIPPED, UNDEFINED, ... ('' when no step finished: counted neither way). */
  status: string;
  failure?: { type?: string; message?: string; stack?: string };
  /** "Given ...........passed", as cucumber-js's JUnit formatter writes them. */
  steps: string[];
  /** The step that failed, e.g. 'Then the console shows "x"'. */
  failedStep?: string;
  recording?: string;
  replay?: { command: string; note?: string };
  /** Files written for it (absolute paths), pictures first. */
  files: string[];
  /** Console logs as attached: marked ones (a failure in them) and plain ones. */
  logs: Array<{ name: string; text: string; marked: boolean }>;
}

export interface RunReport {
  cases: CaseReport[];
  seconds: number;
  timestamp?: string;
  /** The stream ends with testRunFinished (false: cut short). */
  finished: boolean;
}

const SEVERITY = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];
const ms = (t: Timestamp) => t.seconds * 1000 + t.nanos / 1e6;

/** The run as the message stream (NDJSON) tells it; lines that are not JSON (a stream cut mid-line) are passed over. */
export function readRun(ndjson: string): RunReport {
  const docs = new Map<string, Message>();
  const pickles = new Map<string, Message>();
  const testCases = new Map<string, Message>();
  const started = new Map<string, Message>();
  const finished = new Map<string, Message>();
  const stepsDone = new Map<string, Array<{ stepId: string; result: Message }>>();
  const attachments = new Map<string, Message[]>();
  let runStarted: Timestamp | undefined, runFinished: Timestamp | undefined;
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    let m: Message;
    try { m = JSON.parse(line); } catch { continue; }
    if (m.gherkinDocument?.uri) docs.set(m.gherkinDocument.uri, m.gherkinDocument);
    else if (m.pickle) pickles.set(m.pickle.id, m.pickle);
    else if (m.testCase) testCases.set(m.testCase.id, m.testCase);
    else if (m.testRunStarted) runStarted = m.testRunStarted.timestamp;
    else if (m.testRunFinished) runFinished = m.testRunFinished.timestamp;
    else if (m.testCaseStarted) started.set(m.testCaseStarted.id, m.testCaseStarted);
    else if (m.testCaseFinished) finished.set(m.testCaseFinished.testCaseStartedId, m.testCaseFinished);
    else if (m.testStepFinished) {
      const f = m.testStepFinished;
      if (!stepsDone.has(f.testCaseStartedId)) stepsDone.set(f.testCaseStartedId, []);
      stepsDone.get(f.testCaseStartedId)!.push({ stepId: f.testStepId, result: f.testStepResult });
    } else if (m.attachment?.testCaseStartedId) {
      const a = m.attachment;
      if (!attachments.has(a.testCaseStartedId)) attachments.set(a.testCaseStartedId, []);
      attachments.get(a.testCaseStartedId)!.push(a);
    }
  }
  const gherkin = indexGherkin([...docs.values()]);
  const cases: Array<CaseReport & { order: [string, number] }> = [];
  for (const s of started.values()) {
    const done = finished.get(s.id);
    if (done?.willBeRetried) continue;
    const testCase = testCases.get(s.testCaseId);
    const pickle = testCase && pickles.get(testCase.pickleId);
    if (!pickle) continue;
    const stepsById = new Map<string, Message>((testCase.testSteps ?? []).map((t: Message) => [t.id, t]));
    const pickleSteps = new Map<string, Message>((pickle.steps ?? []).map((p: Message) => [p.id, p]));
    const results = stepsDone.get(s.id) ?? [];
    // The most severe result, the last one of that severity (as cucumber-js picks it).
    const worst = results.reduce<Message | undefined>((w, r) => (!w || SEVERITY.indexOf(r.result.status) >= SEVERITY.indexOf(w.status) ? r.result : w), undefined);
    const stepText = (stepId: string) => {
      const ps = pickleSteps.get(stepsById.get(stepId)?.pickleStepId);
      if (!ps) return undefined;
      const keyword = gherkin.steps.get(ps.astNodeIds?.[0])?.keyword?.trim() ?? '';
      return `${keyword} ${String(ps.text).trim()}`;
    };
    const steps = results.filter((r) => stepsById.get(r.stepId)?.pickleStepId).map((r) => {
      let t = `${stepText(r.stepId)}.`;
      do t += '.'; while (t.length < 76);
      return t + String(r.result.status).toLowerCase();
    });
    const failedAt = results.find((r) => r.result.status === 'FAILED');
    const c: CaseReport & { order: [string, number] } = {
      classname: gherkin.featureName.get(pickle.uri) || pickle.uri,
      name: caseName(pickle, gherkin),
      uri: pickle.uri,
      line: pickle.location?.line ?? gherkin.scenarios.get(pickle.astNodeIds?.[0])?.location?.line ?? 0,
      seconds: done ? (ms(done.timestamp) - ms(s.timestamp)) / 1000 : 0,
      status: worst?.status ?? '',
      steps,
      failedStep: failedAt ? stepText(failedAt.stepId) ?? 'a hook' : undefined,
      files: [], logs: [],
      order: [pickle.uri, pickle.location?.line ?? 0],
    };
    if (worst && worst.status !== 'PASSED') {
      c.failure = { type: worst.exception?.type, message: worst.exception?.message, stack: worst.exception?.stackTrace ?? worst.message };
    }
    for (const a of attachments.get(s.id) ?? []) addAttachment(c, a);
    cases.push(c);
  }
  // Ordered as cucumber-js's JUnit formatter orders them: by feature file, then line.
  cases.sort((a, b) => (a.order[0] !== b.order[0] ? a.order[0].localeCompare(b.order[0]) : a.order[1] - b.order[1]));
  return {
    cases: cases.map(({ order: _order, ...c }) => c),
    seconds: runStarted && runFinished ? (ms(runFinished) - ms(runStarted)) / 1000 : 0,
    timestamp: runStarted ? new Date(Math.floor(ms(runStarted))).toISOString().replace(/\.000Z$/, 'Z') : undefined,
    finished: runFinished !== undefined,
  };
}

function addAttachment(c: CaseReport, a: Message): void {
  const body = (): string => (a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : String(a.body ?? ''));
  if (a.mediaType === 'text/uri-list') {
    for (const u of body().split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
      try { c.files.push(u.startsWith('file:') ? fileURLToPath(u) : u); } catch { /* not a file URL */ }
    }
    // The display first: a CI system that shows one attachment shows the picture.
    c.files.sort((x, y) => Number(y.endsWith('.png')) - Number(x.endsWith('.png')));
    return;
  }
  switch (failureRole(a.fileName)) {
    case 'recording': c.recording = body().replace(/^recording: /, '').trim(); break;
    case 'replay': {
      const [command, ...rest] = body().split('\n');
      c.replay = { command: command.trim(), note: rest.join(' ').trim() || undefined };
      break;
    }
    case 'marked-log': c.logs.push({ name: a.fileName, text: body(), marked: true }); break;
    case 'log': c.logs.push({ name: a.fileName, text: body(), marked: false }); break;
    default: break;
  }
}

interface GherkinIndex {
  featureName: Map<string, string>;
  scenarios: Map<string, Message>;
  rules: Map<string, Message>;
  steps: Map<string, Message>;
  /** An Examples table row: the table, the row, and their positions (from 0). */
  rows: Map<string, { examples: Message; examplesIndex: number; rowIndex: number }>;
}

function indexGherkin(docs: Message[]): GherkinIndex {
  const ix: GherkinIndex = { featureName: new Map(), scenarios: new Map(), rules: new Map(), steps: new Map(), rows: new Map() };
  const visit = (children: Message[] | undefined, rule?: Message) => {
    for (const child of children ?? []) {
      if (child.rule) visit(child.rule.children, child.rule);
      const holder = child.scenario ?? child.background;
      if (!holder) continue;
      for (const st of holder.steps ?? []) ix.steps.set(st.id, st);
      if (!child.scenario) continue;
      ix.scenarios.set(child.scenario.id, child.scenario);
      if (rule) ix.rules.set(child.scenario.id, rule);
      (child.scenario.examples ?? []).forEach((ex: Message, ei: number) => {
        (ex.tableBody ?? []).forEach((row: Message, ri: number) => ix.rows.set(row.id, { examples: ex, examplesIndex: ei, rowIndex: ri }));
      });
    }
  };
  for (const d of docs) {
    if (!d.feature) continue;
    ix.featureName.set(d.uri, d.feature.name);
    visit(d.feature.children);
  }
  return ix;
}

/** The test case's name as cucumber-js's JUnit formatter gives it: rule, scenario, examples, "#table.row: pickle name". */
function caseName(pickle: Message, ix: GherkinIndex): string {
  const [scenarioId, rowId] = pickle.astNodeIds ?? [];
  const scenario = ix.scenarios.get(scenarioId);
  const parts = [ix.rules.get(scenarioId)?.name, scenario?.name || pickle.name];
  const row = rowId !== undefined ? ix.rows.get(rowId) : undefined;
  if (row) {
    parts.push(row.examples.name);
    const n = `#${row.examplesIndex + 1}.${row.rowIndex + 1}`;
    parts.push(scenario?.name !== pickle.name ? `${n}: ${pickle.name}` : n);
  }
  return parts.filter(Boolean).join(' - ');
}

// ---- junit.xml ---------------------------------------------------------------

/** Characters XML 1.0 cannot hold (console output may carry control bytes); left out as cucumber-js's formatter leaves them out. */
const XML_INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
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

// ---- failures.html -------------------------------------------------------------

const html = (v: string) => v.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const href = (file: string, from: string) => shownPath(file, from).split(path.sep).map(encodeURIComponent).join('/');

function logHtml(text: string, anchor: string): string {
  let first = true;
  return parseMarkedLog(text).map((l) => {
    const id = l.kind !== 'line' && l.kind !== 'note' && first ? (first = false, ` id="${anchor}"`) : '';
    return l.kind === 'line' ? html(l.text) : `<span class="${l.kind}"${id}>${html(l.text)}</span>`;
  }).join('\n');
}

export function failuresHtml(run: RunReport, dir: string, base: string): string {
  const failed = run.cases.filter((c) => c.failure && c.status !== 'SKIPPED');
  const sections = failed.map((c, i) => {
    const pictures = c.files.filter((f) => f.endsWith('.png'));
    const marked = c.logs.filter((l) => l.marked);
    const plain = c.logs.filter((l) => !l.marked);
    const anchor = `failure-${i + 1}`;
    return [
      `<section class="failure" id="scenario-${i + 1}">`,
      `<h2>${html(c.classname)}: ${html(c.name)}</h2>`,
      `<p class="where">${html(c.uri)}:${c.line}${c.failedStep ? ` &mdash; failed at <code>${html(c.failedStep)}</code>` : ''}${marked.length ? ` &mdash; <a href="#${anchor}-1">to the failure in the console log</a>` : ''}</p>`,
      c.failure?.message ?? c.failure?.stack ? `<pre class="error">${html(c.failure?.message ?? c.failure?.stack ?? '')}</pre>` : '',
      c.replay ? `<h3>Replay</h3>\n<pre class="command">${html(c.replay.command)}</pre>${c.replay.note ? `\n<p>${html(c.replay.note)}</p>` : ''}` : '',
      c.recording ? `<p>recording: <code>${html(shownPath(c.recording, base))}</code></p>` : '',
      ...pictures.map((p) => `<h3>Display: ${html(path.basename(p))}</h3>\n<img src="${html(href(p, dir))}" alt="the display at the end of the run">`),
      ...marked.map((l, k) => `<h3>Console log, the failure marked: ${html(l.name)}</h3>\n<pre class="log">${logHtml(l.text, `${anchor}-${k + 1}`)}</pre>`),
      ...plain.map((l) => `<details><summary>Console log: ${html(l.name)}</summary>\n<pre class="log">${html(l.text)}</pre></details>`),
      c.files.length ? `<h3>Files</h3>\n<ul>${c.files.map((f) => `<li><a href="${html(href(f, dir))}">${html(shownPath(f, base))}</a></li>`).join('')}</ul>` : '',
      '</section>',
    ].filter(Boolean).join('\n');
  });
  const summary = failed.length ? `${failed.length} of ${run.cases.length} scenario(s) failed.` : `No scenario failed (${run.cases.length} ran).`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bringup test: failed scenarios</title>
<style>
body { font-family: sans-serif; margin: 1.5em; }
section.failure { border-top: 2px solid #b00; margin-top: 2em; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; }
pre.error { color: #700; }
pre.log { max-height: 40em; overflow-y: auto; }
pre.log .hit, .legend-hit { background: #ffd24d; font-weight: bold; }
pre.log .mark, .legend-mark { background: #b00; color: #fff; }
pre.log .mark { display: inline-block; width: 100%; }
pre.log .note { color: #666; }
img { max-width: 100%; border: 1px solid #ccc; }
</style></head>
<body>
<h1>bringup test: failed scenarios</h1>
<p>${summary}${failed.length ? ` Each failed scenario shows the failed step, the command that replays its recording, the display and the console log with
the failed expectation marked: <span class="legend-hit">&gt;&gt;</span> flags the line it points at, <span class="legend-mark">!!</span> says what failed
(an expected line that never came is said where the console ends).` : ''}</p>
${sections.join('\n')}
</body></html>
`;
}

/**
 * Writes junit.xml and failures.html into `dir` from the message stream
 * `messagesFile`; returns the lines bringup test ends with (where the
 * failure page is, and the replay command of every failed scenario). A
 * stream cut short leaves cucumber-js's own junit.xml as it is.
 */
export function writeTestReports(messagesFile: string, dir: string, base = process.cwd()): string[] {
  if (!fs.existsSync(messagesFile)) return [];
  const run = readRun(fs.readFileSync(messagesFile, 'utf8'));
  if (!run.finished) return [];
  const page = path.join(dir, 'failures.html');
  try {
    fs.writeFileSync(path.join(dir, 'junit.xml'), junitXml(run, base));
    fs.writeFileSync(page, failuresHtml(run, dir, base));
  } catch (e) {
    // The run's verdict stands; only the reports are missing what failures left.
    process.stderr.write(`bringup: the reports in ${dir} could not be completed: ${(e as Error).message}\n`);
    return [];
  }
  const failed = run.cases.filter((c) => c.failure && c.status !== 'SKIPPED');
  if (!failed.length) return [];
  return [
    `failed scenarios: ${page} (console logs with the failure marked, display pictures, replay commands)`,
    ...failed.map((c) => `  ${c.name}${c.replay ? `: ${c.replay.command}` : ''}`),
  ];
}
