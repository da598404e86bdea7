/**
 * Machine inspection as text, for gdb's `monitor` commands (qRcmd) and
 * anything else that wants to look at a stopped machine: a translation walk,
 * the board's devices, the GIC, the timers, and the hypervisor's domains.
 *
 * Pure functions of the machine: they read state (CP15, physical memory that
 * is RAM, device snapshots) and never touch a device register, the TLB or
 * the fault registers, so looking changes nothing a replay would check.
 */

import type { Machine } from '../machine/machine';
import type { DeviceSnapshot } from '../machine/devices/device';
import { MODE_NAMES } from '../machine/cpu/modes';
import { DEVICE_TYPES } from '../machine/devices/registry';
import { faultStatusName } from '../replay/inspect';
import { readDomainTable, type DomainTable } from '../replay/domain-table';

const hex = (v: number, w = 8) => `0x${(v >>> 0).toString(16).padStart(w, '0')}`;

function cpuOf(m: Machine, core: number) {
  const cpu = m.cpus[core];
  if (!cpu) throw new Error(`no core ${core}: the machine has ${m.cpus.length === 1 ? 'one core (core 0)' : `cores 0 to ${m.cpus.length - 1}`}`);
  return cpu;
}

/** A word of physical memory, or undefined when it is not RAM (a table elsewhere would be a device read). */
function physWord(m: Machine, pa: number): number | undefined {
  return m.bus.isRam(pa >>> 0) ? m.bus.read32((pa & ~3) >>> 0) >>> 0 : undefined;
}

/** AP[2:0] as access rights (ARM ARM B3.7.1); with SCTLR.AFE, AP[0] is the access flag and AP[2:1] the rights. */
function apText(ap: number, afe: boolean): string {
  if (afe) return ['privileged RW, User none', 'privileged RW, User RW', 'privileged RO, User none', 'privileged RO, User RO'][ap >>> 1];
  return ['no access', 'privileged RW, User none', 'privileged RW, User RO', 'privileged RW, User RW', 'reserved (no access)', 'privileged RO, User none', 'privileged RO, User RO', 'privileged RO, User RO'][ap];
}

/** TEX[2:0], C, B as a memory type (without TEX remap, B3.8.2). */
function memoryType(tex: number, c: number, b: number, tre: boolean): string {
  if (tre) return `remapped by PRRR/NMRR (region ${((tex & 1) << 2) | (c << 1) | b})`;
  if (tex & 4) {
    const pol = ['non-cacheable', 'write-back write-allocate', 'write-through', 'write-back no write-allocate'];
    return `Normal, inner ${pol[(c << 1) | b]}, outer ${pol[tex & 3]}`;
  }
  switch ((tex << 2) | (c << 1) | b) {
    case 0b00000: return 'Strongly-ordered';
    case 0b00001: return 'Device (shareable)';
    case 0b00010: return 'Normal, write-through, no write-allocate';
    case 0b00011: return 'Normal, write-back, no write-allocate';
    case 0b00100: return 'Normal, non-cacheable';
    case 0b00111: return 'Normal, write-back, write-allocate';
    case 0b01000: return 'Device (non-shareable)';
    default: return 'reserved';
  }
}

const DACR_TYPES = ['no access (every access faults)', 'client (permissions checked)', 'reserved (as no access)', 'manager (permissions not checked)'];

/**
 * The translation of `va` on core `core` as its MMU would do it now: the
 * translation table base used, the first- and second-level descriptors (their
 * addresses and values), the physical address, and the attributes (AP, XN,
 * domain and its DACR type, TEX/C/B, shareable, nG with the ASID); or the
 * fault the walk raises. Then, from the MMU itself, what privileged and User
 * reads, writes and fetches would do.
 */
export function mmuText(m: Machine, core: number, va: number): string {
  const cpu = cpuOf(m, core);
  const cp = cpu.cp15;
  va >>>= 0;
  const asid = cp.contextidr & 0xff;
  const out: string[] = [];
  const sctlr = cp.sctlr >>> 0;
  const afe = (sctlr & (1 << 29)) !== 0, tre = (sctlr & (1 << 28)) !== 0;
  out.push(`core ${core}, VA ${hex(va)}, ASID ${asid}, ${MODE_NAMES[cpu.mode] ?? cpu.mode} mode`);
  if (!(sctlr & 1)) {
    out.push(`MMU off (SCTLR.M 0): flat mapping, PA ${hex(va)} (${m.bus.isRam(va) ? 'RAM' : 'not RAM: a device or unmapped'}), Strongly-ordered`);
    return out.join('\n');
  }
  const n = cp.ttbcr & 7;
  const useTtbr1 = n > 0 && (va >>> (32 - n)) !== 0;
  const ttbr = useTtbr1 ? cp.ttbr1 >>> 0 : cp.ttbr0 >>> 0;
  const base = useTtbr1 ? (ttbr & 0xffffc000) >>> 0 : (ttbr & ~((0x4000 >>> n) - 1)) >>> 0;
  const l1Index = useTtbr1 ? va >>> 20 : (va << n) >>> (20 + n);
  const l1Addr = (base | (l1Index << 2)) >>> 0;
  out.push(`MMU on (TTBCR.N ${n}, SCTLR.AFE ${afe ? 1 : 0}, TRE ${tre ? 1 : 0}); ${useTtbr1 ? 'TTBR1' : 'TTBR0'} ${hex(ttbr)}: first-level table at ${hex(base)}`);
  const l1 = physWord(m, l1Addr);
  if (l1 === undefined) {
    out.push(`first-level descriptor ${l1Index} at ${hex(l1Addr)}: not in RAM (a walk there is a synchronous external abort on translation table walk, first level)`);
    return out.concat(accessLines(m, core, va)).join('\n');
  }
  let pa: number;
  let attrs: { ap: number; xn: number; domain: number; tex: number; c: number; b: number; s: number; ng: number };
  let size: string;
  switch (l1 & 3) {
    case 0:
    case 3:
      out.push(`first-level descriptor ${l1Index} at ${hex(l1Addr)} = ${hex(l1)}: ${(l1 & 3) === 0 ? 'invalid' : 'reserved'}`);
      out.push('fault: Translation fault, section (first level)');
      return out.concat(accessLines(m, core, va)).join('\n');
    case 1: {
      const domain = (l1 >>> 5) & 0xf;
      const l2Base = (l1 & 0xfffffc00) >>> 0;
      out.push(`first-level descriptor ${l1Index} at ${hex(l1Addr)} = ${hex(l1)}: second-level table at ${hex(l2Base)}, domain ${domain}`);
      const l2Index = (va >>> 12) & 0xff;
      const l2Addr = (l2Base | (l2Index << 2)) >>> 0;
      const l2 = physWord(m, l2Addr);
      if (l2 === undefined) {
        out.push(`second-level descriptor ${l2Index} at ${hex(l2Addr)}: not in RAM (a synchronous external abort on translation table walk, second level)`);
        return out.concat(accessLines(m, core, va)).join('\n');
      }
      if ((l2 & 3) === 0) {
        out.push(`second-level descriptor ${l2Index} at ${hex(l2Addr)} = ${hex(l2)}: invalid`);
        out.push(`fault: Translation fault, page (second level), domain ${domain}`);
        return out.concat(accessLines(m, core, va)).join('\n');
      }
      if ((l2 & 3) === 1) {
        size = 'large page (64 KiB)';
        pa = ((l2 & 0xffff0000) | (va & 0xffff)) >>> 0;
        attrs = { ap: ((l2 >>> 7) & 4) | ((l2 >>> 4) & 3), xn: (l2 >>> 15) & 1, domain, tex: (l2 >>> 12) & 7, c: (l2 >>> 3) & 1, b: (l2 >>> 2) & 1, s: (l2 >>> 10) & 1, ng: (l2 >>> 11) & 1 };
      } else {
        size = 'small page (4 KiB)';
        pa = ((l2 & 0xfffff000) | (va & 0xfff)) >>> 0;
        attrs = { ap: ((l2 >>> 7) & 4) | ((l2 >>> 4) & 3), xn: l2 & 1, domain, tex: (l2 >>> 6) & 7, c: (l2 >>> 3) & 1, b: (l2 >>> 2) & 1, s: (l2 >>> 10) & 1, ng: (l2 >>> 11) & 1 };
      }
      out.push(`second-level descriptor ${l2Index} at ${hex(l2Addr)} = ${hex(l2)}: ${size} at ${hex(pa & ((l2 & 3) === 1 ? 0xffff0000 : 0xfffff000))}`);
      break;
    }
    default: {
      const supersection = (l1 & (1 << 18)) !== 0;
      size = supersection ? 'supersection (16 MiB)' : 'section (1 MiB)';
      pa = supersection ? ((l1 & 0xff000000) | (va & 0x00ffffff)) >>> 0 : ((l1 & 0xfff00000) | (va & 0x000fffff)) >>> 0;
      attrs = { ap: ((l1 >>> 13) & 4) | ((l1 >>> 10) & 3), xn: (l1 >>> 4) & 1, domain: supersection ? 0 : (l1 >>> 5) & 0xf, tex: (l1 >>> 12) & 7, c: (l1 >>> 3) & 1, b: (l1 >>> 2) & 1, s: (l1 >>> 16) & 1, ng: (l1 >>> 17) & 1 };
      out.push(`first-level descriptor ${l1Index} at ${hex(l1Addr)} = ${hex(l1)}: ${size} at ${hex(supersection ? l1 & 0xff000000 : l1 & 0xfff00000)}`);
    }
  }
  const dacr = (cp.dacr >>> (2 * attrs.domain)) & 3;
  out.push(`PA ${hex(pa)} (${m.bus.isRam(pa) ? 'RAM' : 'not RAM: a device or unmapped'})`);
  out.push(`AP[2:0] ${attrs.ap.toString(2).padStart(3, '0')} (${apText(attrs.ap, afe)}${afe ? `, access flag ${attrs.ap & 1}` : ''}), XN ${attrs.xn}, domain ${attrs.domain} (DACR: ${DACR_TYPES[dacr]})`);
  out.push(`TEX ${attrs.tex.toString(2).padStart(3, '0')} C ${attrs.c} B ${attrs.b} (${memoryType(attrs.tex, attrs.c, attrs.b, tre)}), shareable ${attrs.s}, nG ${attrs.ng} (${attrs.ng ? `not global: ASID ${asid}` : 'global: every ASID'})`);
  return out.concat(accessLines(m, core, va)).join('\n');
}

/** What the MMU says each kind of access would do (ATS1C* semantics: no TLB fill, no fault registers). */
function accessLines(m: Machine, core: number, va: number): string[] {
  const mmu = cpuOf(m, core).mmu;
  const one = (write: boolean, user: boolean) => {
    const par = mmu.translateForPar(va, write, user);
    if (!(par & 1)) return 'ok';
    return faultStatusName((par >>> 1) & 0x1f);
  };
  return [
    `privileged read: ${one(false, false)}; privileged write: ${one(true, false)}`,
    `User read: ${one(false, true)}; User write: ${one(true, true)}`,
  ];
}

// ---- devices ---------------------------------------------------------------

type State = Record<string, unknown>;

function regionsText(m: Machine, name: string): string {
  const spec = m.board.devices.find((d) => d.name === name);
  if (!spec) return '';
  const type = DEVICE_TYPES.get(spec.type);
  return Object.entries(spec.regions).map(([r, { base, size }]) => {
    const bytes = size ?? type?.regionSizes[type.regions.indexOf(r)];
    return `${r} ${hex(base)}${bytes ? `-${hex(base + bytes - 1)}` : ''}`;
  }).join(', ');
}

/** Non-zero registers of a register map snapshot, the first few. */
function nonZeroRegisters(regs: unknown, max = 4): string {
  if (!regs || typeof regs !== 'object') return '';
  const set = Object.entries(regs as Record<string, unknown>).filter(([, v]) => typeof v === 'number' && v !== 0);
  if (!set.length) return 'all registers zero';
  return set.slice(0, max).map(([k, v]) => `${k}=${hex(v as number)}`).join(' ') + (set.length > max ? ` (+${set.length - max} more non-zero)` : '');
}

/** One line about a device's state, from its snapshot. */
function deviceStateLine(m: Machine, name: string, snap: DeviceSnapshot): string {
  const s = snap.state;
  switch (snap.type) {
    case 'arm,gic-v1': {
      const enabled = (s.enabled as number[]).filter((x) => x).length;
      const pending = (s.pending as number[]).filter((x) => x).length;
      const active = (s.active as number[]).filter((x) => x).length;
      return `distributor ${(s.ctlr as number) & 1 ? 'enabled' : 'disabled'}, ${enabled} interrupt(s) enabled, ${pending} pending, ${active} active`;
    }
    case 'ns16550a': case 'ns16550': {
      const rx = (s.rx as unknown[]).length;
      return `IER ${hex(s.ier as number, 2)} LCR ${hex(s.lcr as number, 2)}, FIFO ${s.fifoEnabled ? 'on' : 'off'}, ${rx} byte(s) received waiting, ${s.thrPending ? 'transmitter empty interrupt pending' : 'no transmit interrupt pending'}`;
    }
    case 'arm,cortex-a9-global-timer':
      return `${(s.control as number) & 1 ? 'counting' : 'stopped'}, counter ${globalCounter(m, name, s).toString()}, control ${hex(s.control as number)}`;
    case 'arm,cortex-a9-twd-timer': {
      const t = s.timer as State, w = s.watchdog as State;
      return `core 0: private timer ${t.running ? 'running' : 'stopped'}, watchdog ${w.running ? 'running' : 'stopped'}${m.cpus.length > 1 ? ' (other cores: monitor timers)' : ''}`;
    }
    case 'nvidia,tegra20-timer': {
      const regs = s.registers as Record<string, number>;
      const on = [1, 2, 3, 4].filter((i) => regs[`TMR${i}_PTV`] & 0x80000000).map((i) => `TMR${i}`);
      return on.length ? `${on.join(', ')} enabled` : 'no timer enabled';
    }
    default: {
      const dev = m.devices.get(name);
      if (dev?.render) {
        const pic = dev.render();
        if (pic) return `scanning out ${pic.width}x${pic.height}`;
        if (snap.type === 'nvidia,tegra20-dc' || snap.type.includes('pl111')) return `not scanning out; ${nonZeroRegisters(s.registers ?? s)}`;
      }
      if (s.registers) return nonZeroRegisters(s.registers);
      return Object.entries(s).slice(0, 5).map(([k, v]) => `${k}=${typeof v === 'number' ? hex(v) : JSON.stringify(v).slice(0, 24)}`).join(' ');
    }
  }
}

/** Every device of the board: name, type, address range(s), and a one-line state. Then the tagged (read-as-zero) ranges. */
export function devicesText(m: Machine): string {
  const out: string[] = [`board ${m.board.name}: ${m.devices.size} device(s)`];
  const width = Math.max(...[...m.devices.keys()].map((k) => k.length), 4);
  for (const [name, dev] of m.devices) {
    out.push(`${name.padEnd(width)}  ${dev.type}  ${regionsText(m, name)}`);
    out.push(`${' '.repeat(width)}  ${deviceStateLine(m, name, dev.snapshot())}`);
  }
  if (m.board.tagged.length) {
    out.push('tagged ranges (read as zero, writes ignored):');
    for (const t of m.board.tagged) out.push(`  ${t.name.padEnd(width)}  ${hex(t.base)}-${hex(t.base + t.size - 1)}`);
  }
  return out.join('\n');
}

// ---- GIC -------------------------------------------------------------------

const coresOfMask = (mask: number, cores = 8) => {
  const list = Array.from({ length: cores }, (_, k) => k).filter((k) => mask & (1 << k));
  return list.length ? list.join(',') : 'none';
};

/**
 * The GIC: distributor enable, each core's CPU interface (enable, priority
 * mask, binary point, running priority, highest pending, IRQ output), and
 * every interrupt that is enabled, pending or active: its targets or cores,
 * priority, trigger.
 */
export function gicText(m: Machine): string {
  const gics = [...m.devices.values()].filter((d) => d.type === 'arm,gic-v1');
  if (!gics.length) return `board ${m.board.name} has no GIC`;
  const out: string[] = [];
  for (const g of gics) {
    const s = g.snapshot().state;
    const numIrq = s.numIrq as number;
    const enabled = s.enabled as number[], pending = s.pending as number[], active = s.active as number[];
    const level = s.level as number[], edge = s.edge as number[], priority = s.priority as number[], target = s.target as number[];
    const cores = m.cpus.length;
    const iface = (k: number): State => (k === 0 ? s : ((s.cores as Record<string, State>)[String(k)]));
    out.push(`${g.name} (${g.type}, ${regionsText(m, g.name)}): ${numIrq} interrupt IDs, ${s.numCpu} CPU interface(s); distributor ${(s.ctlr as number) & 1 ? 'enabled' : 'disabled'} (GICD_CTLR ${hex(s.ctlr as number, 1)})`);
    for (let k = 0; k < cores; k++) {
      const f = iface(k);
      const regs = f.cpu as Record<string, number>;
      const rp = f.runningPriority as number;
      out.push(`  CPU interface ${k}: ${regs.GICC_CTLR & 1 ? 'enabled' : 'disabled'}, priority mask ${hex(regs.GICC_PMR, 2)}, binary point ${regs.GICC_BPR}, ` +
        `running priority ${rp > 0xff ? 'idle' : hex(rp, 2)}, IRQ output ${f.irqOut ? 'asserted' : 'low'}`);
    }
    const rows: string[] = [];
    const mine = (1 << cores) - 1;
    // SGIs are always enabled on a GICv1: shown only when pending or active.
    const quietSgis = Array.from({ length: 16 }, (_, id) => id).filter((id) => !((pending[id] | active[id]) & mine));
    for (let id = 0; id < numIrq; id++) {
      if (id < 16 && quietSgis.includes(id)) continue;
      if (!((enabled[id] | pending[id] | active[id]) & (id < 32 ? mine : 0xff))) continue;
      const kind = id < 16 ? 'SGI' : id < 32 ? 'PPI' : `SPI ${id - 32}`;
      const trig = edge[id] ? 'edge' : 'level';
      let prio: string;
      if (id < 32) {
        const ps = Array.from({ length: cores }, (_, k) => (iface(k).priority as number[])[id]);
        prio = ps.every((p) => p === ps[0]) ? hex(ps[0], 2) : ps.map((p, k) => `core ${k}: ${hex(p, 2)}`).join(', ');
      } else prio = hex(priority[id], 2);
      const where = id < 32 ? `enabled on cores ${coresOfMask(enabled[id], cores)}` : `${enabled[id] ? 'enabled' : 'disabled'}, targets cores ${coresOfMask(target[id], s.numCpu as number)}`;
      rows.push(`    ID ${String(id).padStart(3)} (${kind}): ${where}, priority ${prio}, ${trig}, pending on cores ${coresOfMask(pending[id], cores)}, active on cores ${coresOfMask(active[id], cores)}` +
        `${level[id] ? `, input high (cores ${coresOfMask(level[id], cores)})` : ''}`);
    }
    if (quietSgis.length) out.push(`  SGIs ${quietSgis.length === 16 ? '0-15' : quietSgis.join(',')}: enabled (always, on a GICv1), none pending or active`);
    out.push(rows.length ? `  interrupts enabled, pending or active (${rows.length}):` : '  no other interrupt enabled, pending or active');
    out.push(...rows);
  }
  return out.join('\n');
}

// ---- timers ----------------------------------------------------------------

function clockOf(m: Machine, name: string, fallback: number): number {
  const p = m.board.devices.find((d) => d.name === name)?.props['clock-hz'];
  return typeof p === 'number' ? p : fallback;
}

const ticksPerSecond = (m: Machine) => m.board.cpu.clockHz;

function globalCounter(m: Machine, name: string, s: State): bigint {
  const control = s.control as number;
  const ref = BigInt(`0x${(s.counterRef as string) || '0'}`);
  if (!(control & 1)) return ref;
  const prescaler = (control >>> 8) & 0xff;
  const elapsed = BigInt(m.now() - (s.refTime as number)) * BigInt(clockOf(m, name, 250_000_000)) / (BigInt(ticksPerSecond(m)) * BigInt(prescaler + 1));
  return (ref + elapsed) & 0xffffffffffffffffn;
}

/** A Cortex-A9 down counter (private timer or watchdog) from its snapshot: its count now. */
function downCount(m: Machine, clockHz: number, t: State): number {
  if (!t.running) return t.frozen as number;
  const prescaler = ((t.control as number) >>> 8) & 0xff;
  const n = BigInt(m.now() - (t.anchorTime as number)) * BigInt(clockHz) / (BigInt(ticksPerSecond(m)) * BigInt(prescaler + 1));
  const c = BigInt(t.anchorCount as number);
  if (n <= c) return Number(c - n);
  if (!((t.control as number) & 2)) return 0;
  const period = BigInt(t.load as number) + 1n;
  return Number(BigInt(t.load as number) - ((n - c - 1n) % period));
}

function nextEvent(m: Machine, due: number | null | undefined): string {
  if (due === null || due === undefined || due < 0) return 'no event scheduled';
  return `next event at time ${due} (in ${due - m.now()} ticks)`;
}

/**
 * Every timer of the board: each core's private timer and watchdog, the
 * global timer with each core's comparator, the SoC timers (Tegra TMR1-4 and
 * the microsecond counter, SP804 pairs): load, count now, control, and the
 * time of the next event.
 */
export function timersText(m: Machine): string {
  const out: string[] = [`time ${m.now()} (${ticksPerSecond(m)} ticks per second)`];
  for (const [name, dev] of m.devices) {
    const s = dev.snapshot().state;
    switch (dev.type) {
      case 'arm,cortex-a9-twd-timer': {
        const hz = clockOf(m, name, 250_000_000);
        out.push(`${name} (${dev.type}, ${regionsText(m, name)}), ${hz} Hz:`);
        for (let k = 0; k < m.cpus.length; k++) {
          const bank = k === 0 ? s : (s.cores as Record<string, State>)[String(k)];
          for (const [label, key] of [['private timer', 'timer'], ['watchdog', 'watchdog']] as const) {
            const t = bank[key] as State;
            out.push(`  core ${k} ${label}: load ${hex(t.load as number)}, count ${hex(downCount(m, hz, t))}, control ${hex(t.control as number)} ` +
              `(${(t.control as number) & 1 ? 'enabled' : 'disabled'}${(t.control as number) & 2 ? ', auto-reload' : ''}${(t.control as number) & 4 ? ', IRQ on' : ''}${key === 'watchdog' && (t.control as number) & 8 ? ', watchdog mode' : ''}), ` +
              `status ${t.status}, ${nextEvent(m, t.eventDue as number)}`);
          }
        }
        break;
      }
      case 'arm,cortex-a9-global-timer': {
        out.push(`${name} (${dev.type}, ${regionsText(m, name)}), ${clockOf(m, name, 250_000_000)} Hz: counter ${hex(Number(globalCounter(m, name, s) >> 32n))}_${hex(Number(globalCounter(m, name, s) & 0xffffffffn)).slice(2)}, ` +
          `${(s.control as number) & 1 ? 'counting' : 'stopped'}, prescaler ${((s.control as number) >>> 8) & 0xff}, ${nextEvent(m, s.eventDue as number)}`);
        for (let k = 0; k < m.cpus.length; k++) {
          const c = k === 0 ? s : (s.cores as Record<string, State>)[String(k)];
          const control = c.control as number;
          out.push(`  core ${k} comparator: ${control & 2 ? 'enabled' : 'disabled'}${control & 4 ? ', IRQ on' : ''}${control & 8 ? ', auto-increment' : ''}, compare 0x${c.compare as string}, increment ${hex(c.increment as number)}, status ${c.status}`);
        }
        break;
      }
      case 'nvidia,tegra20-timer': {
        const regs = s.registers as Record<string, number>;
        const timers = s.timers as State[];
        out.push(`${name} (${dev.type}, ${regionsText(m, name)}): microsecond counter ${Math.floor(m.now() / (ticksPerSecond(m) / 1e6)) >>> 0}`);
        for (let i = 0; i < 4; i++) {
          const ptv = regs[`TMR${i + 1}_PTV`] >>> 0;
          const t = timers[i];
          let count = t.stopped as number;
          if (t.due !== null && ptv & 0x80000000) {
            const perUs = ticksPerSecond(m) / 1e6;
            let elapsed = m.now() - (t.start as number);
            if (ptv & 0x40000000) elapsed %= ((ptv & 0x1fffffff) + 1) * perUs;
            count = Math.max(0, (ptv & 0x1fffffff) - Math.floor(elapsed / perUs));
          }
          out.push(`  TMR${i + 1}: PTV ${hex(ptv)} (${ptv & 0x80000000 ? 'enabled' : 'disabled'}${ptv & 0x40000000 ? ', periodic' : ''}, trigger ${ptv & 0x1fffffff} us), count ${count}, ` +
            `interrupt ${t.pending ? 'pending' : 'clear'}, ${nextEvent(m, t.due as number | null)}`);
        }
        break;
      }
      case 'arm,sp804': {
        out.push(`${name} (${dev.type}, ${regionsText(m, name)}):`);
        (s.timers as State[]).forEach((t, i) => {
          const p = t.ptimer as State;
          out.push(`  timer ${i + 1}: load ${hex(t.load as number)}, control ${hex(t.control as number)} (${(t.control as number) & 0x80 ? 'enabled' : 'disabled'}), interrupt ${t.intLevel ? 'raised' : 'clear'}, ${nextEvent(m, p.due as number | null)}`);
        });
        break;
      }
      default: break;
    }
  }
  if (out.length === 1) out.push(`board ${m.board.name} has no timer this view knows`);
  return out.join('\n');
}

// ---- domains ---------------------------------------------------------------

export type { DomainField, DomainTable } from '../replay/domain-table';

/**
 * Which domain runs on each core, read from the hypervisor's domain table
 * (replay/domain-table.ts: the layout the firmware profile gives, read
 * through core 0's translation, where the hypervisor's symbols are), then
 * the table: name, state, ASID, CPU, image. `symbol` gives a hypervisor
 * symbol's address (from its ELF). A core in User mode runs the domain of
 * its ASID; a core in a privileged mode runs the hypervisor, on behalf of the
 * domain `current` names.
 */
export function domainsText(m: Machine, table: DomainTable | undefined, symbol: (name: string) => number | undefined): string {
  if (!table) return 'the firmware profile does not say where the hypervisor keeps its domains (domain-table)';
  const got = readDomainTable(m, table, symbol);
  if (typeof got === 'string') return got;
  const { base, count, entries, current: currentOf } = got;
  const label = (e: typeof entries[number]) => `${e.name ?? `#${e.index}`}${e.asid !== undefined ? ` (ASID ${e.asid})` : ''}`;
  const out: string[] = [];
  m.cpus.forEach((cpu, k) => {
    const mode = MODE_NAMES[cpu.mode] ?? String(cpu.mode);
    const asid = cpu.cp15.contextidr & 0xff;
    const cur = currentOf[k];
    const current = cur ? entries.find((e) => e.at === cur) : undefined;
    const held = m.coreControl.snapshot().holds[k] ?? [];
    if (held.length) { out.push(`core ${k}: held (${held.join(', ')})`); return; }
    if (mode === 'usr') {
      const mine = entries.find((e) => e.asid === asid);
      out.push(`core ${k}: domain ${mine ? label(mine) : `with ASID ${asid} (not in the table)`}, running its code in usr mode`);
    } else {
      out.push(`core ${k}: the hypervisor (${mode} mode)${current ? `, current domain ${label(current)}` : cur === 0 ? ', no current domain' : ''}`);
    }
  });
  out.push(`domain table ${table.symbol} at ${hex(base)}: ${count} domain(s)`);
  for (const e of entries) {
    out.push(`  ${e.id ?? e.index}: ${(e.name ?? '?').padEnd(16)} ${String(e.state ?? '').padEnd(9)}${e.asid !== undefined ? ` ASID ${e.asid}` : ''}${e.cpu !== undefined ? `, CPU ${e.cpu}` : ''}${e.image !== undefined ? `, image ${e.image}` : ''}`);
  }
  return out.join('\n');
}
