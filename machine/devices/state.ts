/**
 * Device state declared once, as data: each device lists its state fields by
 * name (registers, counters, FIFOs, timers' deadlines, nested timers) with
 * their kind, and snapshot/restore are generic. A snapshot is keyed by the
 * declared names, not by the private fields that hold the state, so renaming
 * a private field (and pointing its declaration at the new name) changes
 * neither snapshots nor the state hash of a recording.
 *
 * Restore checks every field: a missing, undeclared or mistyped one is an
 * error naming the device and the field. After a restore, each object that
 * has a `restored()` method is told (children first), so it can re-derive
 * what is not state (re-arm its scheduled event, drive its interrupt outputs).
 */

import type { DeviceSnapshot } from './device';
import { RegisterMap } from './register-map';

export type FieldKind =
  /** A 32-bit value; kept as an unsigned number. */
  | 'u32'
  /** A safe integer (a time in ticks, a count, -1 for "none"). */
  | 'int'
  /** A safe integer or null (a deadline that may be unset). */
  | 'int?'
  | 'bool'
  /** A bigint (64-bit counters, fixed-point periods); kept as a decimal string. */
  | 'bigint'
  /** An unsigned 64-bit bigint; kept as a hexadecimal string without prefix. */
  | 'u64'
  /** A list of 32-bit values: a typed array (fixed length), or a plain array (a FIFO; fixed length if `length` is given). */
  | 'u32[]'
  /** A fixed-length plain array of deadlines: safe integers or null. */
  | 'int?[]'
  /** A Map of 32-bit values by register offset, kept as {"0x1c": value} in offset order. */
  | 'map'
  /** A typed array kept sparse: {index: value} for the entries that are not zero. */
  | 'u32{}'
  /** A RegisterMap: its registers by datasheet name. */
  | 'registers'
  /** A nested object: its own `stateFields`, or the inline `fields`. */
  | 'group'
  /** A configuration value (from the device's properties): kept so that a snapshot of a differently configured device is refused. */
  | 'const';

export interface FieldSpec {
  kind: FieldKind;
  /** The property that holds the value (a dotted path is allowed: "s.flags"); the declared name by default. */
  field?: string;
  /** 'u32[]' on a plain array: the length it must have. */
  length?: number;
  /** 'group': the nested object's fields, when it does not declare its own. */
  fields?: StateDecl;
  /** 'group': the property holds an array of such objects, kept as a list (true) or keyed by these names. */
  each?: true | readonly string[];
}

export type StateDecl = Readonly<Record<string, FieldKind | FieldSpec>>;

/** An object whose state is declared. */
export interface Stateful {
  readonly stateFields: StateDecl;
  /** Called after a restore, to re-derive what is not state (events, interrupt outputs). */
  restored?(): void;
}

/** A snapshot that does not fit the declaration; the message names the device and the field. */
export class StateError extends Error {}

type Obj = Record<string, unknown>;

const spec = (s: FieldKind | FieldSpec): FieldSpec => (typeof s === 'string' ? { kind: s } : s);

/** The value at a property path already split at its dots. */
function walk(owner: unknown, parts: readonly string[]): unknown {
  let o = owner as Obj;
  for (const p of parts) o = o[p] as Obj;
  return o;
}

function getPath(owner: unknown, path: string): unknown {
  return walk(owner, path.split('.'));
}

function setPath(owner: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = owner as Obj;
  for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]] as Obj;
  o[parts[parts.length - 1]] = value;
}

/** One declared field, as captureState reads it: its name, the property path split once, its spec. */
interface PlannedField { name: string; path: readonly string[]; spec: FieldSpec }

/**
 * The fields of each declaration, worked out once: a recording captures
 * every device's state at every chunk, and splitting paths and expanding
 * specs there again each time cost more than reading the values.
 */
const plans = new WeakMap<StateDecl, PlannedField[]>();

function planOf(decl: StateDecl): PlannedField[] {
  let plan = plans.get(decl);
  if (!plan) {
    plan = Object.entries(decl).map(([name, raw]) => ({ name, path: (spec(raw).field ?? name).split('.'), spec: spec(raw) }));
    plans.set(decl, plan);
  }
  return plan;
}

/** The state of `owner` by declared name, in declaration order (plain JSON values). */
export function captureState(owner: unknown, decl: StateDecl): Obj {
  const out: Obj = {};
  for (const f of planOf(decl)) out[f.name] = captureField(walk(owner, f.path), f.spec);
  return out;
}

function captureField(v: unknown, s: FieldSpec): unknown {
  switch (s.kind) {
    case 'u32': return (v as number) >>> 0;
    case 'int': case 'const': return v as number;
    case 'int?': return v === undefined ? null : v as number | null;
    case 'bool': return v === true;
    case 'bigint': return (v as bigint).toString();
    case 'u64': return (v as bigint).toString(16);
    case 'u32[]': {
      const a = v as ArrayLike<number>;
      const out = new Array<number>(a.length);
      for (let i = 0; i < a.length; i++) out[i] = a[i] >>> 0;
      return out;
    }
    case 'int?[]': return Array.from(v as Array<number | null>, (x) => x ?? null);
    case 'map': {
      const out: Record<string, number> = {};
      for (const [k, x] of [...(v as Map<number, number>)].sort((a, b) => a[0] - b[0])) out[`0x${k.toString(16)}`] = x >>> 0;
      return out;
    }
    case 'u32{}': {
      const out: Record<string, number> = {};
      const a = v as ArrayLike<number>;
      for (let i = 0; i < a.length; i++) if (a[i] !== 0) out[i] = a[i] >>> 0;
      return out;
    }
    case 'registers': return (v as RegisterMap).snapshot();
    case 'group': {
      const one = (o: unknown) => captureState(o, s.fields ?? (o as Stateful).stateFields);
      if (!s.each) return one(v);
      const list = v as unknown[];
      if (s.each === true) return list.map(one);
      const out: Obj = {};
      s.each.forEach((n, i) => { out[n] = one(list[i]); });
      return out;
    }
  }
}

/**
 * Restores `owner` from `state`, checking it against the declaration first
 * (nothing is changed when a field does not fit). `where` names the owner in
 * messages ("device uartd").
 */
export function applyState(owner: unknown, decl: StateDecl, state: unknown, where: string): void {
  const apply: Array<() => void> = [];
  const hooks: Array<() => void> = [];
  check(owner, decl, state, where, '', apply, hooks);
  for (const f of apply) f();
  for (const f of hooks) f();
}

const describe = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function check(owner: unknown, decl: StateDecl, state: unknown, where: string, prefix: string, apply: Array<() => void>, hooks: Array<() => void>): void {
  const at = prefix ? ` ${prefix.slice(0, -1)}` : '';
  if (!isObj(state)) throw new StateError(`${where}: snapshot state${at} is ${describe(state)}, not an object`);
  for (const key of Object.keys(state)) {
    if (!Object.prototype.hasOwnProperty.call(decl, key)) {
      throw new StateError(`${where}: snapshot has field '${prefix}${key}', which this device does not declare (it declares ${Object.keys(decl).map((k) => prefix + k).join(', ')})`);
    }
  }
  for (const [name, raw] of Object.entries(decl)) {
    const s = spec(raw);
    const path = s.field ?? name;
    const label = `${prefix}${name}`;
    if (!(name in state) || state[name] === undefined) throw new StateError(`${where}: snapshot lacks field '${label}'`);
    checkField(owner, path, s, state[name], where, label, apply, hooks);
  }
  const hook = (owner as Partial<Stateful>).restored;
  if (typeof hook === 'function') hooks.push(() => hook.call(owner));
}

function checkField(owner: unknown, path: string, s: FieldSpec, v: unknown, where: string, label: string, apply: Array<() => void>, hooks: Array<() => void>): void {
  const bad = (what: string) => new StateError(`${where}: snapshot field '${label}' must be ${what} (got ${describe(v)})`);
  const u32 = (x: unknown) => Number.isInteger(x) && (x as number) >= -0x80000000 && (x as number) <= 0xffffffff;
  switch (s.kind) {
    case 'u32':
      if (!u32(v)) throw bad('a 32-bit number');
      apply.push(() => setPath(owner, path, (v as number) >>> 0));
      return;
    case 'const': {
      const mine = getPath(owner, path);
      if (v !== mine) throw new StateError(`${where}: snapshot field '${label}' is ${describe(v)}, this device's is ${describe(mine)} (a snapshot of a differently configured device)`);
      return;
    }
    case 'int':
      if (!Number.isSafeInteger(v)) throw bad('an integer');
      apply.push(() => setPath(owner, path, v));
      return;
    case 'int?':
      if (v !== null && !Number.isSafeInteger(v)) throw bad('an integer or null');
      apply.push(() => setPath(owner, path, v));
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw bad('true or false');
      apply.push(() => setPath(owner, path, v));
      return;
    case 'bigint':
      if (typeof v !== 'string' || !/^-?[0-9]+$/.test(v)) throw bad('an integer in a decimal string');
      apply.push(() => setPath(owner, path, BigInt(v)));
      return;
    case 'u64':
      if (typeof v !== 'string' || !/^[0-9a-f]{1,16}$/.test(v)) throw bad('a 64-bit number in a hexadecimal string');
      apply.push(() => setPath(owner, path, BigInt('0x' + v)));
      return;
    case 'u32[]': {
      const target = getPath(owner, path) as number[] | Uint32Array;
      const fixed = Array.isArray(target) ? s.length : target.length;
      if (!Array.isArray(v) || !v.every(u32)) throw bad('a list of 32-bit numbers');
      if (fixed !== undefined && v.length !== fixed) throw bad(`a list of ${fixed} numbers`);
      if (Array.isArray(target)) apply.push(() => { target.length = 0; for (const x of v) target.push((x as number) >>> 0); });
      else apply.push(() => { for (let i = 0; i < fixed!; i++) target[i] = v[i] as number; });
      return;
    }
    case 'int?[]': {
      const target = getPath(owner, path) as Array<number | null>;
      if (!Array.isArray(v) || v.length !== target.length || !v.every((x) => x === null || Number.isSafeInteger(x))) throw bad(`a list of ${target.length} integers or nulls`);
      apply.push(() => { v.forEach((x, i) => { target[i] = x as number | null; }); });
      return;
    }
    case 'map': {
      const target = getPath(owner, path) as Map<number, number>;
      if (!isObj(v)) throw bad('an object of offset: value');
      for (const [k, x] of Object.entries(v)) {
        if (!/^0x[0-9a-f]{1,8}$/.test(k)) throw bad(`offsets as keys like "0x1c" (key ${JSON.stringify(k)})`);
        if (!u32(x)) throw bad('an object of 32-bit numbers');
      }
      apply.push(() => { target.clear(); for (const [k, x] of Object.entries(v)) target.set(Number(k), (x as number) >>> 0); });
      return;
    }
    case 'u32{}': {
      const target = getPath(owner, path) as Uint32Array;
      if (!isObj(v)) throw bad('an object of index: value');
      for (const [k, x] of Object.entries(v)) {
        const i = Number(k);
        if (!/^[0-9]+$/.test(k) || i >= target.length) throw bad(`indexes from 0 to ${target.length - 1} (index ${JSON.stringify(k)})`);
        if (!u32(x)) throw bad('an object of 32-bit numbers');
      }
      apply.push(() => { target.fill(0); for (const [k, x] of Object.entries(v)) target[Number(k)] = (x as number) >>> 0; });
      return;
    }
    case 'registers': {
      const map = getPath(owner, path) as RegisterMap;
      if (!isObj(v)) throw bad('an object of registers by name');
      const problem = map.stateProblem(v);
      if (problem) throw new StateError(`${where}: snapshot field '${label}' ${problem}`);
      apply.push(() => map.restore(v));
      return;
    }
    case 'group': {
      const target = getPath(owner, path);
      const one = (o: unknown, st: unknown, l: string) => check(o, s.fields ?? (o as Stateful).stateFields, st, where, `${l}.`, apply, hooks);
      if (!s.each) { one(target, v, label); return; }
      const list = target as unknown[];
      if (s.each === true) {
        if (!Array.isArray(v) || v.length !== list.length) throw bad(`a list of ${list.length}`);
        list.forEach((o, i) => one(o, v[i], `${label}[${i}]`));
        return;
      }
      const names = s.each;
      if (!isObj(v)) throw bad(`an object with ${names.join(', ')}`);
      for (const k of Object.keys(v)) if (!names.includes(k)) throw new StateError(`${where}: snapshot has field '${label}.${k}', which this device does not declare`);
      names.forEach((n, i) => {
        if (v[n] === undefined) throw new StateError(`${where}: snapshot lacks field '${label}.${n}'`);
        one(list[i], v[n], `${label}.${n}`);
      });
      return;
    }
  }
}

/** Turns the state of an older snapshot version into the next version's. */
export type StateMigration = (state: Obj) => Obj;

/**
 * Base of devices whose state is declared: snapshot() and restore() come from
 * `stateFields`. `stateVersion` is the snapshot version; `stateMigrations[v]`
 * turns a version-v state into version v+1, so older snapshots load; others
 * are refused with a message naming both versions.
 */
export abstract class DeclaredStateDevice implements Stateful {
  abstract readonly name: string;
  abstract readonly type: string;
  abstract readonly stateFields: StateDecl;
  get stateVersion(): number { return 1; }
  get stateMigrations(): Readonly<Record<number, StateMigration>> { return {}; }

  snapshot(): DeviceSnapshot {
    return { type: this.type, version: this.stateVersion, state: captureState(this, this.stateFields) };
  }

  restore(s: DeviceSnapshot): void {
    applyState(this, this.stateFields, migrateDeviceState(s, this.type, this.stateVersion, this.name, this.stateMigrations), `device ${this.name}`);
  }
}

/** The state of a device snapshot at version `version`, migrated from an older one where a migration exists. */
export function migrateDeviceState(s: DeviceSnapshot, type: string, version: number, name: string, migrations: Readonly<Record<number, StateMigration>>): Obj {
  if (!isObj(s)) throw new StateError(`device ${name}: snapshot is ${describe(s)}, not an object`);
  if (s.type !== type) throw new StateError(`device ${name}: snapshot is of a ${s.type}, not a ${type}`);
  let v = s.version;
  let state = s.state as Obj;
  if (v !== version) {
    if (!Number.isInteger(v) || v > version || v < 1) {
      const from = oldest(migrations, version);
      const migrates = from === version ? '' : from === version - 1 ? ` and migrates format ${from}` : ` and migrates formats ${from} to ${version - 1}`;
      throw new StateError(`device ${name}: snapshot format ${v} is not supported by this bringup (it reads format ${version}${migrates})`);
    }
    while (v < version) {
      const m = migrations[v];
      if (!m) throw new StateError(`device ${name}: snapshot format ${s.version} is not supported by this bringup (it reads format ${version}; no migration from ${v})`);
      if (!isObj(state)) throw new StateError(`device ${name}: snapshot state is ${describe(state)}, not an object`);
      state = m(state);
      v++;
    }
  }
  return state;
}

function oldest(migrations: Readonly<Record<number, StateMigration>>, version: number): number {
  let v = version;
  while (migrations[v - 1]) v--;
  return v;
}
