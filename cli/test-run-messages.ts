/**
 * A bringup test run as cucumber-js's message stream (NDJSON) tells it: per
 * Gherkin scenario its JUnit name and class (as cucumber-js's own JUnit
 * formatter gives them), its step results, and what its After hook attached
 * when it failed (steps/world.ts, scenario/check/attachments.ts): the
 * recording, the replay command, the console logs and the files written.
 */

import { fileURLToPath } from 'node:url';
import { failureRole } from '../scenario/check/attachments';

// The messages are read as plain JSON: only the fields used here are looked at.
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
