/**
 * gdb's `monitor` commands (qRcmd): one table of commands, each with a name,
 * a usage line, a help line and a handler that gets the context of the
 * target it runs on and the words after the name, and returns the text to
 * show. A target (live machine, recording) answers `monitor X` by running
 * the command named X from its table; `help` lists the commands, and an
 * unknown name is answered with that list.
 */

import type { Machine } from '../machine/machine';
import { mmuText, devicesText, gicText, timersText, domainsText, type DomainTable } from './inspect';

/** Where the hypervisor keeps its domains (the firmware profile's domain-table) and its symbols' addresses. */
export interface DomainSource {
  table: DomainTable | undefined;
  symbol(name: string): number | undefined;
}

/** What a monitor command can look at. */
export interface MonitorContext {
  machine: Machine;
  /** The core gdb has selected (its thread minus 1). */
  core: number;
  /** 'live' (run, exec: forwards only) or 'replay' (a recording). */
  mode: 'live' | 'replay';
  /** The console output so far (every console device, in order). */
  consoleText(): string;
  /** For `domains`: the hypervisor's domain table and symbols, when the run has a firmware profile that gives them. */
  domains?: DomainSource;
  /** Anything a target adds for its own commands (e.g. the replayer). */
  [extra: string]: unknown;
}

export interface MonitorCommand<C extends MonitorContext = MonitorContext> {
  name: string;
  /** e.g. "mmu VA"; the name alone when it takes no arguments. */
  usage?: string;
  /** One line: what it shows or does. */
  help: string;
  /** Modes it works in (default both). */
  modes?: ReadonlyArray<'live' | 'replay'>;
  /** Returns the text to show; throws an Error whose message is shown for bad arguments. */
  run(ctx: C, args: string[]): string;
}

export class MonitorTable<C extends MonitorContext = MonitorContext> {
  private readonly commands = new Map<string, MonitorCommand<C>>();

  add(command: MonitorCommand<C>): this {
    this.commands.set(command.name, command);
    return this;
  }

  list(mode: 'live' | 'replay'): Array<MonitorCommand<C>> {
    return [...this.commands.values()].filter((c) => !c.modes || c.modes.includes(mode));
  }

  help(mode: 'live' | 'replay'): string {
    const rows = this.list(mode).map((c) => [c.usage ?? c.name, c.help]);
    const width = Math.max(...rows.map((r) => r[0].length));
    return `monitor commands:\n${rows.map(([u, h]) => `  ${u.padEnd(width)}  ${h}`).join('\n')}\n`;
  }

  /** Runs a command line; an unknown command is answered with the list (an Error). */
  run(ctx: C, line: string): string {
    const words = line.trim().split(/\s+/).filter((w) => w.length);
    const name = words[0] ?? 'help';
    const cmd = this.commands.get(name);
    if (!cmd || (cmd.modes && !cmd.modes.includes(ctx.mode))) {
      throw new Error(`unknown monitor command '${name}'${cmd ? ` (not available in ${ctx.mode} mode)` : ''}; ${this.help(ctx.mode)}`);
    }
    return cmd.run(ctx, words.slice(1));
  }
}

/**
 * The commands every target has. Others are added to this table (or to a
 * copy) with `MONITOR_COMMANDS.add({...})`.
 */
export const MONITOR_COMMANDS = new MonitorTable();

MONITOR_COMMANDS.add({
  name: 'help',
  help: 'this list',
  run: (ctx) => MONITOR_COMMANDS.help(ctx.mode),
});

MONITOR_COMMANDS.add({
  name: 'icount',
  help: "each core's clock (instructions and waits) and the machine's time",
  run: (ctx) => {
    const m = ctx.machine;
    const lines = m.cpus.map((c, k) => `core ${k}${k === ctx.core ? ' (selected)' : ''}: ${c.icount} pc=0x${(c.pc >>> 0).toString(16).padStart(8, '0')}${c.waiting ? ' waiting' : ''}`);
    return `${lines.join('\n')}\ntime: ${m.now()}\n`;
  },
});

MONITOR_COMMANDS.add({
  name: 'console',
  help: 'the console output so far',
  run: (ctx) => {
    const text = ctx.consoleText();
    return text.length ? (text.endsWith('\n') ? text : `${text}\n`) : '(no console output yet)\n';
  },
});

/** A number as the commands take it: hex with 0x, else decimal. */
function parseNumber(text: string | undefined, what: string): number {
  const v = text === undefined ? NaN : /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`${what}: '${text ?? ''}' is not an address or length (0x... or decimal)`);
  return v;
}

MONITOR_COMMANDS.add({
  name: 'phys',
  usage: 'phys PA [LEN]',
  help: 'physical memory, bypassing the MMU: LEN bytes (default 64, at most 4096) as words, RAM only',
  run: (ctx, args) => {
    const pa = parseNumber(args[0], 'phys');
    const len = args[1] === undefined ? 64 : parseNumber(args[1], 'phys');
    if (len < 1 || len > 4096) throw new Error(`phys: LEN must be 1 to 4096 bytes (got ${len})`);
    if (pa + len > 0x100000000) throw new Error(`phys: 0x${pa.toString(16)} + ${len} runs past the 4 GiB physical address space`);
    const bus = ctx.machine.bus;
    for (let a = pa; a < pa + len; a++) {
      if (!bus.isRam(a >>> 0)) throw new Error(`phys: 0x${a.toString(16).padStart(8, '0')} is not RAM (device registers are not read from here)`);
    }
    const bytes = bus.readBytes(pa, len);
    const lines: string[] = [];
    for (let i = 0; i < len; i += 16) {
      const row = bytes.subarray(i, i + 16);
      const words: string[] = [];
      // Whole words as values (as gdb's x/wx shows them: little-endian), a tail as bytes.
      for (let j = 0; j < row.length; j += 4) {
        const w = Buffer.from(row.subarray(j, j + 4));
        words.push(w.length === 4 ? w.readUInt32LE(0).toString(16).padStart(8, '0') : w.toString('hex'));
      }
      const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      lines.push(`${(pa + i).toString(16).padStart(8, '0')}: ${words.join(' ').padEnd(35)}  ${ascii}`);
    }
    return `${lines.join('\n')}\n`;
  },
});

MONITOR_COMMANDS.add({
  name: 'mmu',
  usage: 'mmu VA',
  help: "the selected core's translation of VA: descriptors, physical address, attributes (or the fault it raises)",
  run: (ctx, args) => mmuText(ctx.machine, ctx.core, parseNumber(args[0], 'mmu')),
});

MONITOR_COMMANDS.add({
  name: 'devices',
  help: "the board's devices: address ranges and a line of state each",
  run: (ctx) => devicesText(ctx.machine),
});

MONITOR_COMMANDS.add({
  name: 'gic',
  help: 'the interrupt controller: distributor, each core\'s CPU interface, enabled/pending/active interrupts',
  run: (ctx) => gicText(ctx.machine),
});

MONITOR_COMMANDS.add({
  name: 'timers',
  help: "each core's private timer and watchdog, the global timer and the SoC's timers, with their next events",
  run: (ctx) => timersText(ctx.machine),
});

MONITOR_COMMANDS.add({
  name: 'domains',
  help: "which domain runs on each core, from the hypervisor's domain table (where the firmware profile says it is)",
  run: (ctx) => {
    const text = domainsText(ctx.machine, ctx.domains?.table, (name) => ctx.domains?.symbol(name));
    return text.endsWith('\n') ? text : `${text}\n`;
  },
});
