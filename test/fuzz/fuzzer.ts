/**
 * A seeded fuzzer for every kind of file bringup reads: scenarios, board
 * files, boot volume manifests, packed boot volumes, ELF images and
 * recordings. Case K of seed S is always the same mutant and the same
 * commands (its random choices come from S and K alone), so any case reruns
 * alone with `--case K`.
 *
 * Each case runs real command paths in-process in a worker thread (see
 * worker.ts) and is classified:
 *   ok       exit 0/1/3 (or a guest's exit code for exec): still valid input
 *   refused  exit 2, stderr names the file and a reason, no stack trace
 *   defect   exit 4, a stack trace, an uncaught exception, a hang (per-case
 *            timeout), resident memory over the bound, a write outside what
 *            the command was told to write (its -o file or folder), exit 2 without naming a file, or any
 *            other exit status
 */

import { Worker } from 'node:worker_threads';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../support/prng';
import { byteMutation, dtbMutation, elfMutation, recordingMutation, volumeMutation, yamlMutation, type Mutant } from './mutate';
import type { CaseMessage, Step, StepResult, WorkerReply } from './protocol';
import { ROOT } from '../support/environment';

export { ROOT } from '../support/environment';
const DIST = path.resolve(__dirname, '..', '..');

export type SeedKind = 'scenario' | 'board' | 'manifest' | 'volume' | 'elf' | 'dtb' | 'recording';

export interface Seed {
  kind: SeedKind;
  /** Where it came from (repository-relative), for reports. */
  name: string;
  bytes: Buffer;
  /** File extension of the mutant. */
  ext: string;
  /** For ELFs: how to run it. */
  board?: string;
  semihosting?: boolean;
}

export type OutcomeClass = 'ok' | 'refused' | 'defect';
export type DefectClass = 'exit-4' | 'stack-trace' | 'uncaught' | 'hang' | 'rss' | 'write-outside' | 'refusal-unnamed' | 'unexpected-exit' | 'worker-exit';

export interface FuzzCase {
  index: number;
  seed: Seed;
  mutation: string;
  bytes: Buffer;
  /** Steps with {input} and {case} placeholders. */
  steps: Step[];
}

export interface Defect {
  signature: string;
  class: DefectClass;
  command: string;
  kind: SeedKind;
  seedFile: string;
  mutation: string;
  topFrame: string;
  detail: string;
  case: number;
  count: number;
  repro?: string;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Run only this case (and count is ignored). */
  only?: number;
  jobs?: number;
  /** Per-case timeout in ms; a case over it is a hang. */
  timeoutMs?: number;
  /** Resident set size bound in bytes. */
  rssBytes?: number;
  /** Instruction limit for scenario runs, exec and the recording. */
  insns?: number;
  /** Where repros go (none written when undefined). */
  out?: string;
  onProgress?: (done: number, total: number, defects: number) => void;
  /** Stops the run early (Ctrl-C): the summary covers the cases done. */
  signal?: AbortSignal;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  seconds: number;
  casesPerSecond: number;
  /** CPU time of the whole run (all threads), per case: what a longer run costs on an idle machine. */
  cpuMsPerCase: number;
  jobs: number;
  outcomes: Record<OutcomeClass, number>;
  defectClasses: Partial<Record<DefectClass, number>>;
  byKind: Record<string, Record<OutcomeClass, number>>;
  /** Per command: how many ran and their mean wall time in ms. */
  commands: Record<string, { runs: number; meanMs: number }>;
  defects: Defect[];
  interrupted?: boolean;
}

// ---------------------------------------------------------------------------
// Seeds

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel));
const list = (dir: string, ext: string) => fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(ext)).sort().map((f) => `${dir}/${f}`);

/** Relative file references in a YAML seed made absolute, so the mutant works from its temporary folder. */
function absolutePaths(text: string, dir: string): string {
  return text.split('\n').map((l) => (/^\s*#/.test(l) ? l : l.replace(/(:\s*)((?:\.\.?\/)+[^\s,}\]]+)/g, (_m, pre: string, p: string) => pre + path.resolve(dir, p)))).join('\n');
}

const FIXED_UUID = '00000000-0000-4000-8000-000000000000';

/**
 * Loads the seeds; the small recording (and its bundle) and the packed volume
 * are made here, in `setupDir`, from a short run of the ping-pong scenario.
 */
export function loadSeeds(setupDir: string, insns: number): Seed[] {
  const seeds: Seed[] = [];
  for (const f of [...list('features/scenarios', '.yaml'), 'recordings/divdi3-crash.yaml']) {
    seeds.push({ kind: 'scenario', name: f, ext: '.yaml', bytes: Buffer.from(absolutePaths(read(f).toString('utf8'), path.dirname(path.join(ROOT, f)))) });
  }
  for (const f of ['machine/boards/tegra2-xoom.yaml', 'machine/boards/vexpress-a9.yaml']) seeds.push({ kind: 'board', name: f, ext: '.yaml', bytes: read(f) });
  for (const f of list('firmware/volumes', '.yaml')) {
    seeds.push({ kind: 'manifest', name: f, ext: '.yaml', bytes: Buffer.from(absolutePaths(read(f).toString('utf8'), path.dirname(path.join(ROOT, f)))) });
  }
  for (const f of ['firmware/build/hypervisor.elf', ...list('firmware/build/guests', '.elf')]) seeds.push({ kind: 'elf', name: f, ext: '.elf', bytes: read(f), board: 'tegra2-xoom' });
  for (const f of ['test/programs/build/conds.elf', 'test/programs/build/svc_undef.elf']) seeds.push({ kind: 'elf', name: f, ext: '.elf', bytes: read(f), board: 'vexpress-a9', semihosting: true });

  const { packManifest } = require(path.join(DIST, 'scenario', 'volume-manifest.js'));
  for (const f of ['firmware/volumes/pingpong.yaml', 'firmware/volumes/console.yaml']) {
    seeds.push({ kind: 'volume', name: `packed ${f}`, ext: '.vol', bytes: Buffer.from(packManifest(path.join(ROOT, f))) });
  }

  // A device tree like the one a vexpress-a9 kernel is booted with.
  const fdt = require(path.join(DIST, 'machine', 'boot', 'fdt.js'));
  const node = (name: string, props: Array<[string, Uint8Array]>, children: unknown[] = []) => ({ name, props: new Map(props), children });
  const str = (x: string) => fdt.stringProp(x);
  const tree = node('', [['model', str('V2P-CA9')], ['compatible', str('arm,vexpress')], ['#address-cells', fdt.cells([1])], ['#size-cells', fdt.cells([1])]], [
    node('chosen', [['bootargs', str('console=ttyAMA0')]]),
    node('memory@60000000', [['device_type', str('memory')], ['reg', fdt.cells([0x60000000, 0x40000000])]]),
    node('cpus', [['#address-cells', fdt.cells([1])], ['#size-cells', fdt.cells([0])]], [node('cpu@0', [['device_type', str('cpu')], ['compatible', str('arm,cortex-a9')], ['reg', fdt.cells([0])]])]),
  ]);
  seeds.push({ kind: 'dtb', name: 'vexpress-a9 device tree', ext: '.dtb', bytes: Buffer.from(fdt.serializeFdt({ root: tree, reserved: [], bootCpuId: 0 })) });

  // A short recording, with a fixed uuid so that the same seed makes the same cases.
  const { loadScenario } = require(path.join(DIST, 'scenario', 'file', 'scenario-file.js'));
  const rec = require(path.join(DIST, 'scenario', 'record', 'recording.js'));
  const { RecordingReader } = require(path.join(DIST, 'replay', 'reader.js'));
  const nodeCrypto = require('node:crypto') as { randomUUID: () => string };
  const s = loadScenario(path.join(ROOT, 'features/scenarios/pingpong.yaml'));
  s.limit = Math.min(s.limit, insns * 4);
  const file = path.join(setupDir, 'small.bur');
  const uuid = nodeCrypto.randomUUID;
  nodeCrypto.randomUUID = () => FIXED_UUID;
  try {
    rec.runRecorded(s, file, { chunk: Math.max(1, insns), checkpointEvery: 2, trace: 'events' });
    const bundle = path.join(setupDir, 'small-bundle.bur');
    rec.bundleRecording(RecordingReader.open(file), bundle);
    seeds.push({ kind: 'recording', name: 'recording of features/scenarios/pingpong.yaml', ext: '.bur', bytes: fs.readFileSync(file) });
    seeds.push({ kind: 'recording', name: 'bundle of features/scenarios/pingpong.yaml', ext: '.bur', bytes: fs.readFileSync(bundle) });
  } finally {
    nodeCrypto.randomUUID = uuid;
  }
  return seeds;
}

// ---------------------------------------------------------------------------
// Cases

/** Relative weights of the input kinds in the case mix. */
const KIND_WEIGHTS: Array<[SeedKind, number]> = [['scenario', 28], ['board', 10], ['manifest', 16], ['volume', 16], ['elf', 16], ['dtb', 4], ['recording', 12]];

function caseRng(seed: number, index: number): Rng {
  const h = crypto.createHash('sha256').update(`${seed}:${index}`).digest();
  return new Rng(h.readUInt32LE(0) ^ h.readUInt32LE(4));
}

/** Case `index` of `seed`: a mutant and the commands that read it. */
export function makeCase(seeds: Seed[], seed: number, index: number, insns: number): FuzzCase {
  const rng = caseRng(seed, index);
  const kind = KIND_WEIGHTS[rng.weighted(KIND_WEIGHTS.map(([, w]) => w))][0];
  const pool = seeds.filter((s) => s.kind === kind);
  const s = rng.pick(pool);
  // A splice partner: mostly a seed of the same kind, sometimes any.
  const other = rng.chance(0.8) ? rng.pick(pool).bytes : rng.pick(seeds).bytes;
  let m: Mutant;
  const structured = rng.chance(0.7);
  if (!structured) m = byteMutation(rng, s.bytes, other);
  else if (kind === 'elf') m = elfMutation(rng, s.bytes, other);
  else if (kind === 'recording') m = recordingMutation(rng, s.bytes, other);
  else if (kind === 'volume') m = volumeMutation(rng, s.bytes, other);
  else if (kind === 'dtb') m = dtbMutation(rng, s.bytes, other);
  else m = yamlMutation(rng, s.bytes, other);
  // Sometimes a second mutation on top.
  if (rng.chance(0.15)) {
    const m2 = byteMutation(rng, m.bytes, other);
    m = { bytes: m2.bytes, mutation: `${m.mutation}; ${m2.mutation}` };
  }
  const input = `{case}/input${s.ext}`;
  const n = String(insns);
  let steps: Step[];
  switch (kind) {
    case 'scenario':
      steps = [{ argv: ['validate', input], writes: [] },
        // A run keeps its recording when the scenario does not pass ($BRINGUP_RECORDINGS_DIR is {case}/recordings).
        { argv: ['run', input, '--quiet', '--artifacts', '{case}/artifacts'], ifOk: true, writes: ['{case}/recordings', '{case}/artifacts'] }];
      break;
    case 'board': {
      const elf = /vexpress/.test(s.name) ? 'test/programs/build/conds.elf' : 'firmware/build/hypervisor.elf';
      steps = [{ argv: ['validate', input], writes: [] },
        { argv: ['exec', '--board', input, '--max-insns', n, ...(/vexpress/.test(s.name) ? ['--semihosting'] : []), path.join(ROOT, elf)], ifOk: true, writes: [] }];
      break;
    }
    case 'manifest':
      steps = [{ argv: ['validate', input], writes: [] }, { argv: ['volume', 'pack', input, '-o', '{case}/packed.vol'], ifOk: true, writes: ['{case}/packed.vol'] }];
      break;
    case 'volume':
      steps = [{ argv: ['volume', 'list', input], writes: [] }, { argv: ['volume', 'extract', input, '-o', '{case}/extracted'], writes: ['{case}/extracted'] }];
      break;
    case 'elf':
      steps = [{ argv: ['disasm', input, '--count', String(rng.pick([8, 64, 512]))], writes: [] },
        // exec parses the ELF as disasm does, then loads and runs it: only worth a machine when the parse passed.
        { argv: ['exec', '--board', s.board!, ...(s.semihosting ? ['--semihosting'] : []), '--max-insns', n, input], ifOk: true, writes: [] }];
      break;
    case 'dtb':
      // The boot loader parses the device tree and sets /chosen and /memory in it.
      steps = [{ argv: ['exec', '--board', 'vexpress-a9', '--kernel', path.join(ROOT, 'test/programs/build/conds.elf'), '--dtb', input, '--append', 'console=ttyAMA0', '--max-insns', n], writes: [] }];
      break;
    case 'recording':
      // A verify that passes writes the recording's checkpoint index anew, beside it.
      steps = [{ argv: ['replay', '--verify', input], writes: [`${input}.idx`] }];
      break;
  }
  return { index, seed: s, mutation: m.mutation, bytes: m.bytes, steps };
}

// ---------------------------------------------------------------------------
// Classification

const STACK_LINE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** The first stack frame of the project's code (or of anything) in `text`. */
export function topFrame(text: string): string {
  const frames = text.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => l.trim().slice(3));
  // The first frame in the project's code: not Node's, not a dependency's, not this fuzzer's own fs hooks.
  const ours = frames.find((f) => /\//.test(f) && !/node:internal|node_modules|\(node:|test\/fuzz\//.test(f)) ?? frames[0];
  if (!ours) return '';
  return ours.split(ROOT + path.sep).join('').replace(/:(\d+):\d+(\)?)$/, ':$1$2');
}

/** The error line of an internal error (numbers and paths made generic), for a signature without frames. */
function errorLine(text: string): string {
  const l = text.split('\n').find((x) => /internal error|Error|threw/.test(x)) ?? text.split('\n').find((x) => x.trim()) ?? '';
  return l.replace(/\/[^\s:'"]+/g, 'PATH').replace(/\d+/g, 'N').slice(0, 160);
}

export interface Verdict { outcome: OutcomeClass; defect?: DefectClass; step?: StepResult; detail?: string }

/**
 * The outcome of one command: `inputFile` is the mutant's path; `inputText`
 * its contents (a refusal naming a file the input refers to names "the file" too).
 */
export function classifyStep(r: StepResult, inputFile: string, inputText: string): Verdict {
  const cmd = r.argv[0];
  const all = `${r.out}\n${r.err}`;
  if (r.outside.length) return { outcome: 'defect', defect: 'write-outside', step: r, detail: `${r.outside[0].op} ${r.outside[0].path}` };
  if (r.code === 4 || r.code === -1) return { outcome: 'defect', defect: 'exit-4', step: r, detail: errorLine(r.err) };
  if (STACK_LINE.test(all)) return { outcome: 'defect', defect: 'stack-trace', step: r, detail: errorLine(all) };
  if (r.code === 2) {
    const lines = r.err.split('\n').filter((l) => l.trim());
    const names = (l: string) => l.includes(inputFile) || l.includes(path.basename(inputFile)) ||
      [...l.matchAll(/(\/[^\s:'"]+)/g)].some((m) => m[1].length > 1 && inputText.includes(m[1]));
    // A reason: text after the file name.
    if (lines.some((l) => names(l) && l.replace(inputFile, '').replace(/^bringup:\s*/, '').trim().length > 3)) return { outcome: 'refused', step: r };
    return { outcome: 'defect', defect: 'refusal-unnamed', step: r, detail: (lines[0] ?? '(no message)').slice(0, 200) };
  }
  if (r.code === 0 || r.code === 1 || r.code === 3) return { outcome: 'ok', step: r };
  if (cmd === 'exec') return { outcome: 'ok', step: r }; // the guest's own exit code
  return { outcome: 'defect', defect: 'unexpected-exit', step: r, detail: `exit ${r.code}` };
}

function commandName(argv: string[]): string {
  return argv[0] === 'volume' ? `volume ${argv[1]}` : argv[0];
}

/** Paths of the case substituted into its steps. */
export function concreteSteps(c: FuzzCase, dir: string): Step[] {
  const sub = (a: string) => a.split('{case}').join(dir);
  return c.steps.map((s) => ({ ...s, argv: s.argv.map(sub), writes: s.writes.map(sub) }));
}

// ---------------------------------------------------------------------------
// The pool

interface Slot {
  worker: Worker;
  ready: boolean;
  busy?: { c: FuzzCase; dir: string; step: number; timer: NodeJS.Timeout; resolve: (v: CaseResult) => void };
}

interface CaseResult { results: StepResult[]; failure?: { defect: DefectClass; detail: string; text: string } }

export async function runFuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, opts.only !== undefined ? 1 : opts.count));
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const rssBytes = opts.rssBytes ?? 1.5 * 1024 ** 3;
  const insns = opts.insns ?? 5000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-input-fuzz-'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const slots: Slot[] = [];
  const summary: FuzzSummary = {
    seed: opts.seed, cases: 0, seconds: 0, casesPerSecond: 0, cpuMsPerCase: 0, jobs,
    outcomes: { ok: 0, refused: 0, defect: 0 }, defectClasses: {}, byKind: {}, commands: {}, defects: [],
  };
  const bySignature = new Map<string, Defect>();
  let rssTimer: NodeJS.Timeout | undefined;
  let closing = false;
  try {
    const setup = path.join(tmp, 'setup');
    fs.mkdirSync(setup);
    const seeds = loadSeeds(setup, insns);

    const spawn = (slot?: Slot): Slot => {
      const s: Slot = slot ?? { worker: undefined as unknown as Worker, ready: false };
      s.ready = false;
      s.worker = new Worker(path.join(__dirname, 'worker.js'), { stdout: true, stderr: true });
      // Anything the worker's own console prints is dropped (the commands' output is captured in the worker).
      s.worker.stdout.resume(); s.worker.stderr.resume();
      s.worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') { s.ready = true; return; }
        const b = s.busy;
        if (!b || m.index !== b.c.index) return;
        if (m.type === 'step') { b.step = m.step; return; }
        clearTimeout(b.timer);
        s.busy = undefined;
        if (m.type === 'done') b.resolve({ results: m.results });
        else b.resolve({ results: [], failure: { defect: 'uncaught', detail: errorLine(m.error), text: `${m.error}\n${m.err}` } });
      });
      s.worker.on('error', (e) => finishBroken(s, 'uncaught', `${(e as Error).stack ?? e}`));
      s.worker.on('exit', (code) => {
        finishBroken(s, 'worker-exit', `worker thread exited with ${code}`);
        if (!closing) spawn(s);
      });
      return s;
    };
    const finishBroken = (s: Slot, defect: DefectClass, text: string) => {
      const b = s.busy;
      if (b) {
        clearTimeout(b.timer);
        s.busy = undefined;
        b.resolve({ results: [], failure: { defect, detail: errorLine(text), text } });
      }
    };
    const restart = async (s: Slot) => {
      s.ready = false;
      const w = s.worker;
      w.removeAllListeners('exit'); w.removeAllListeners('error');
      await w.terminate();
      if (!closing) spawn(s);
    };
    for (let i = 0; i < jobs; i++) slots.push(spawn());

    // Resident memory: checked while cases run; over the bound, the running cases are stopped and blamed.
    rssTimer = setInterval(() => {
      if (process.memoryUsage.rss() <= rssBytes) return;
      for (const s of slots) {
        const b = s.busy;
        if (!b) continue;
        clearTimeout(b.timer);
        s.busy = undefined;
        void restart(s);
        b.resolve({ results: [], failure: { defect: 'rss', detail: `resident memory over ${Math.round(rssBytes / 2 ** 20)} MiB`, text: '' } });
      }
    }, 100);

    const runCase = (s: Slot, c: FuzzCase): Promise<CaseResult> => new Promise((resolve) => {
      const dir = path.join(tmp, `case-${c.index}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, `input${c.seed.ext}`), c.bytes);
      const timer = setTimeout(() => {
        const b = s.busy;
        if (!b) return;
        s.busy = undefined;
        void restart(s);
        resolve({ results: [], failure: { defect: 'hang', detail: `no result after ${timeoutMs} ms in step ${b.step} (${commandName(c.steps[b.step]?.argv ?? ['?'])})`, text: '' } });
      }, timeoutMs);
      s.busy = { c, dir, step: 0, timer, resolve };
      const msg: CaseMessage = { index: c.index, dir, steps: concreteSteps(c, dir), runLimit: insns };
      s.worker.postMessage(msg);
    });

    const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.count }, (_, i) => i);
    let next = 0;
    const record = (c: FuzzCase, r: CaseResult) => {
      const dir = path.join(tmp, `case-${c.index}`);
      const inputFile = path.join(dir, `input${c.seed.ext}`);
      let v: Verdict = { outcome: 'ok' };
      let text = '';
      let command = commandName(c.steps[0].argv);
      if (r.failure) {
        v = { outcome: 'defect', defect: r.failure.defect, detail: r.failure.detail };
        text = r.failure.text;
      } else {
        for (const res of r.results) {
          const st = (summary.commands[commandName(res.argv)] ??= { runs: 0, meanMs: 0 });
          st.meanMs += (res.ms - st.meanMs) / ++st.runs;
          const sv = classifyStep(res, inputFile, c.bytes.toString('latin1'));
          const rank = { ok: 0, refused: 1, defect: 2 };
          if (rank[sv.outcome] > rank[v.outcome]) { v = sv; command = commandName(res.argv); text = `${res.out}\n${res.err}`; }
        }
      }
      if (r.failure?.defect === 'hang') command = /\((.*)\)$/.exec(r.failure.detail)?.[1] ?? command;
      summary.cases++;
      summary.outcomes[v.outcome]++;
      const k = (summary.byKind[c.seed.kind] ??= { ok: 0, refused: 0, defect: 0 });
      k[v.outcome]++;
      if (v.outcome === 'defect') {
        const dc = v.defect!;
        summary.defectClasses[dc] = (summary.defectClasses[dc] ?? 0) + 1;
        const frame = topFrame(text);
        const what = dc === 'hang' ? 'no result within the timeout' : dc === 'rss' ? 'resident memory over the bound' : frame || (v.detail ?? '').replace(/\d+/g, 'N');
        const signature = `${dc} | ${command} | ${c.seed.kind} | ${what}`;
        const known = bySignature.get(signature);
        if (known) known.count++;
        else {
          const d: Defect = { signature, class: dc, command, kind: c.seed.kind, seedFile: c.seed.name, mutation: c.mutation, topFrame: frame, detail: v.detail ?? '', case: c.index, count: 1 };
          if (opts.out) d.repro = writeRepro(opts.out, opts.seed, c, d, text);
          bySignature.set(signature, d);
          summary.defects.push(d);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
      opts.onProgress?.(summary.cases, indices.length, summary.defects.length);
    };

    let failed = false;
    const loop = async (s: Slot) => {
      while (next < indices.length && !opts.signal?.aborted && !failed) {
        const c = makeCase(seeds, opts.seed, indices[next++], insns);
        while (!s.ready) await new Promise((r) => setTimeout(r, 5));
        record(c, await runCase(s, c));
      }
    };
    // A fault of the fuzzer itself stops every loop before it is reported.
    const settled = await Promise.allSettled(slots.map((s) => loop(s).catch((e) => { failed = true; throw e; })));
    const broken = settled.find((x) => x.status === 'rejected');
    if (broken) throw (broken as PromiseRejectedResult).reason;
    if (opts.signal?.aborted) summary.interrupted = true;
  } finally {
    if (rssTimer) clearInterval(rssTimer);
    closing = true;
    await Promise.all(slots.map((s) => { s.worker.removeAllListeners('exit'); return s.worker.terminate(); }));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  summary.seconds = Math.round((performance.now() - t0) / 10) / 100;
  summary.casesPerSecond = Math.round((summary.cases / Math.max(summary.seconds, 0.01)) * 10) / 10;
  const cpu = process.cpuUsage(cpu0);
  summary.cpuMsPerCase = Math.round((cpu.user + cpu.system) / 1000 / Math.max(summary.cases, 1) * 10) / 10;
  for (const st of Object.values(summary.commands)) st.meanMs = Math.round(st.meanMs * 10) / 10;
  return summary;
}

/** The mutant and how to rerun it, in a folder named after the signature. */
function writeRepro(outDir: string, seed: number, c: FuzzCase, d: Defect, text: string): string {
  const slug = `${d.class}-${d.command.replace(/\s+/g, '-')}-${d.kind}-${crypto.createHash('sha1').update(d.signature).digest('hex').slice(0, 8)}`;
  const dir = path.resolve(outDir, slug);
  fs.mkdirSync(dir, { recursive: true });
  const input = path.join(dir, `input${c.seed.ext}`);
  fs.writeFileSync(input, c.bytes);
  const steps = c.steps.map((s) => s.argv.map((a) => a.split('{case}/input').join(path.join(dir, 'input')).split('{case}').join(path.join(dir, 'out'))));
  fs.writeFileSync(path.join(dir, 'repro.json'), JSON.stringify({
    signature: d.signature, class: d.class, seed, case: c.index, kind: d.kind, seedFile: d.seedFile, mutation: d.mutation,
    topFrame: d.topFrame, detail: d.detail,
    commands: steps.map((a) => `bringup ${a.map((x) => (/[\s'"]/.test(x) ? JSON.stringify(x) : x)).join(' ')}`),
    rerun: `npm run fuzz:inputs -- --seed ${seed} --case ${c.index}`,
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'output.txt'), text.slice(0, 64 * 1024));
  return path.relative(process.cwd(), dir) || dir;
}
