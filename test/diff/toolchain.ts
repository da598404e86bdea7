/**
 * The external tools of the differential tests: arm-none-eabi-gcc builds the
 * harness ELF, qemu-system-arm runs it as the reference. Both are optional for
 * a developer (tests skip with an install hint) and required in CI
 * (BRINGUP_REQUIRE_TOOLS=1).
 */

import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, installHint, missingTools as missingOf } from '../support/environment';

export { findOnPath, toolsRequired } from '../support/environment';

const execFileP = promisify(execFile);

export const GCC = 'arm-none-eabi-gcc';
export const QEMU = 'qemu-system-arm';
export const INSTALL_HINT = installHint(GCC, QEMU);

/** The QEMU command line: the board QEMU and the simulator share, without Security Extensions. */
export const QEMU_ARGS = [
  '-M', 'vexpress-a9,secure=off', '-cpu', 'cortex-a9', '-m', '1024M',
  '-nodefaults', '-display', 'none', '-monitor', 'none', '-serial', 'none',
  '-semihosting-config', 'enable=on,target=native',
];

export function missingTools(): string[] {
  return missingOf(GCC, QEMU);
}

export function repoRoot(): string {
  return ROOT;
}

export function cacheDir(): string {
  const nm = path.join(repoRoot(), 'node_modules');
  const dir = fs.existsSync(nm) ? path.join(nm, '.cache', 'bringup-diff') : path.join(os.tmpdir(), 'bringup-diff');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Assembles runtime.S once per content; returns the object file and the linker script. */
export function buildRuntime(): { object: string; script: string } {
  const src = path.join(repoRoot(), 'test', 'diff');
  const asm = fs.readFileSync(path.join(src, 'runtime.S'));
  const ld = fs.readFileSync(path.join(src, 'link.ld'));
  const key = createHash('sha256').update(asm).update(ld).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir(), `runtime-${key}`);
  const object = path.join(dir, 'runtime.o');
  const script = path.join(dir, 'link.ld');
  if (!fs.existsSync(object)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(script, ld);
    const tmp = `${object}.${process.pid}.tmp`;
    execFileSync(GCC, ['-c', '-march=armv7-a', '-o', tmp, path.join(src, 'runtime.S')], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.renameSync(tmp, object);
  }
  return { object, script };
}

/** A fresh working directory for one batch (QEMU writes its results file there). */
export function batchDir(tag: string): string {
  return fs.mkdtempSync(path.join(cacheDir(), `batch-${tag}-`));
}

/** Links the runtime with a case blob; returns the ELF path. */
export async function linkBatch(dir: string, blob: Uint8Array): Promise<string> {
  const { object, script } = buildRuntime();
  fs.writeFileSync(path.join(dir, 'cases.bin'), blob);
  fs.writeFileSync(path.join(dir, 'cases.S'), '    .section .cases, "a"\n    .incbin "cases.bin"\n');
  const elf = path.join(dir, 'harness.elf');
  await execFileP(GCC, ['-c', '-o', 'cases.o', 'cases.S'], { cwd: dir });
  await execFileP(GCC, ['-nostdlib', '-nostartfiles', '-static', '-Wl,--no-warn-rwx-segments', '-T', script, '-o', elf, object, 'cases.o'], { cwd: dir })
    .catch(async (e: { stderr?: string }) => {
      // Older binutils lack --no-warn-rwx-segments.
      if (!String(e.stderr ?? '').includes('no-warn-rwx-segments')) throw e;
      await execFileP(GCC, ['-nostdlib', '-nostartfiles', '-static', '-T', script, '-o', elf, object, 'cases.o'], { cwd: dir });
    });
  return elf;
}

export interface QemuRun {
  /** Contents of the results file, or undefined if QEMU did not write one. */
  results: Uint8Array | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
  seconds: number;
}

/** Runs the harness in QEMU; the results file appears in the ELF's directory. */
export function runQemu(elf: string, timeoutMs: number): Promise<QemuRun> {
  const dir = path.dirname(elf);
  const out = path.join(dir, 'diff-results.bin');
  fs.rmSync(out, { force: true });
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(QEMU, [...QEMU_ARGS, '-kernel', elf], {
      cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, QEMU_AUDIO_DRV: 'none' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 10000) stderr += d.toString(); });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const results = fs.existsSync(out) ? new Uint8Array(fs.readFileSync(out)) : undefined;
      resolve({ results, code, signal, stderr, timedOut, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => { stderr += String(e); finish(null, null); });
    child.on('close', finish);
  });
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
