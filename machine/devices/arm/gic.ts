/**
 * ARM Generic Interrupt Controller, architecture v1 without the Security
 * Extensions, as in the Cortex-A9 MPCore: one distributor and the CPU
 * interface of CPU0 (the other cores of the cluster are held in reset, so
 * their banked state is kept only where CPU0's writes reach it).
 *
 * Behaviour follows QEMU's hw/intc/arm_gic.c (revision 1, no security
 * extensions, as QEMU's a9mpcore builds it with secure=off) closely, because
 * bare-metal programs compare their output on this model with QEMU's:
 * per-byte distributor decoding, 1023 from GICC_IAR when nothing can be
 * acknowledged, level-triggered interrupts pending while their line is high,
 * the running priority kept as active-priority bits, ITARGETSR RAZ/WI on a
 * uniprocessor GIC, GICC_BPR minimum 0.
 *
 * Input line n is interrupt ID n: 16-31 are the PPIs of CPU0 (the private
 * timers), 32 and up the SPIs. Output 0 is the CPU IRQ line, output 1 FIQ,
 * which stays low because GICv1 without groups signals only IRQ.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,gic-v1';

const GIC_MAXIRQ = 1020;
const GIC_INTERNAL = 32;
const GIC_NR_SGIS = 16;
/** Masks of CPUs as the distributor stores them: one bit per possible CPU interface. */
const ALL_CPU_MASK = 0xff;
/** This model's CPU interface is CPU0's. */
const CPU = 0;
const CM = 1 << CPU;
const SPURIOUS = 1023;
const IDLE_PRIORITY = 0x100;
/** Active priority registers: 128 preemption levels at the minimum binary point 0. */
const NR_APRS = 4;
const MIN_BPR = 0;

/** GICD_PIDR/CIDR bytes at 0xfd0..0xffc for a GICv1 (as QEMU reports them). */
const GICV1_ID = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb3, 0x1b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

/**
 * The distributor map as data: each row is a range of byte offsets with its
 * datasheet name and per-byte accessors. `irqBase(offset)` of the range gives
 * the first interrupt the byte covers. A read or write accessor returning
 * false marks the byte as not decoded (a guest error).
 */
interface DistRange {
  start: number;
  end: number; // exclusive
  name: string;
  read?: (g: Gic, offset: number) => number | false;
  write?: (g: Gic, offset: number, value: number) => boolean;
}

const DIST_MAP: DistRange[] = [
  { start: 0x000, end: 0x004, name: 'GICD_CTLR',
    read: (g, o) => (o === 0 ? g.ctlr : 0),
    write: (g, o, v) => { if (o === 0) g.ctlr = v & 1; return true; } },
  { start: 0x004, end: 0x008, name: 'GICD_TYPER', read: (g, o) => (o === 4 ? g.typer() : 0) },
  // ARM's JEP106 code in the implementer field, as QEMU.
  { start: 0x008, end: 0x00c, name: 'GICD_IIDR', read: (_g, o) => (o === 8 ? 0x3b : o === 9 ? 0x04 : 0) },
  // No interrupt groups without the Security Extensions: RAZ/WI.
  { start: 0x080, end: 0x100, name: 'GICD_IGROUPR', read: () => 0, write: () => true },
  { start: 0x100, end: 0x180, name: 'GICD_ISENABLER',
    read: (g, o) => g.readEnable(o - 0x100), write: (g, o, v) => g.setEnable(o - 0x100, v) },
  { start: 0x180, end: 0x200, name: 'GICD_ICENABLER',
    read: (g, o) => g.readEnable(o - 0x180), write: (g, o, v) => g.clearEnable(o - 0x180, v) },
  { start: 0x200, end: 0x280, name: 'GICD_ISPENDR',
    read: (g, o) => g.readPending(o - 0x200), write: (g, o, v) => g.setPending(o - 0x200, v) },
  { start: 0x280, end: 0x300, name: 'GICD_ICPENDR',
    read: (g, o) => g.readPending(o - 0x280), write: (g, o, v) => g.clearPending(o - 0x280, v) },
  // GICv1 has only the read-only active bit registers; 0x380 (ICACTIVER) is GICv2.
  { start: 0x300, end: 0x380, name: 'GICD_ISACTIVER', read: (g, o) => g.readActive(o - 0x300) },
  { start: 0x400, end: 0x800, name: 'GICD_IPRIORITYR',
    read: (g, o) => g.readPriority(o - 0x400), write: (g, o, v) => g.writePriority(o - 0x400, v) },
  { start: 0x800, end: 0xc00, name: 'GICD_ITARGETSR',
    read: (g, o) => g.readTarget(o - 0x800), write: (g, o, v) => g.writeTarget(o - 0x800, v) },
  { start: 0xc00, end: 0xf00, name: 'GICD_ICFGR',
    read: (g, o) => g.readConfig(o - 0xc00), write: (g, o, v) => g.writeConfig(o - 0xc00, v) },
  // GICD_SGIR (0xf00) is decoded only as a 32-bit write, see Gic.write.
  { start: 0xf10, end: 0xf20, name: 'GICD_CPENDSGIR',
    read: (g, o) => g.sgiPending[o - 0xf10], write: (g, o, v) => g.clearSgiPending(o - 0xf10, v) },
  { start: 0xf20, end: 0xf30, name: 'GICD_SPENDSGIR',
    read: (g, o) => g.sgiPending[o - 0xf20], write: (g, o, v) => g.setSgiPending(o - 0xf20, v) },
  { start: 0xfd0, end: 0x1000, name: 'GICD_PIDR/CIDR', read: (_g, o) => ((o & 3) ? 0 : GICV1_ID[(o - 0xfd0) >> 2]) },
];

const DIST_BY_BYTE: Array<DistRange | undefined> = (() => {
  const t: Array<DistRange | undefined> = new Array(0x1000).fill(undefined);
  for (const r of DIST_MAP) for (let o = r.start; o < r.end; o++) t[o] = r;
  return t;
})();

class Gic extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    numIrq: 'const', numCpu: 'const', ctlr: 'u32',
    enabled: 'u32[]', pending: 'u32[]', active: 'u32[]', level: 'u32[]', edge: 'u32[]', priority: 'u32[]', target: 'u32[]', sgiPending: 'u32[]',
    cpu: { kind: 'registers', field: 'cpuRegs' }, runningPriority: 'int', apr: 'u32[]', irqOut: 'bool',
  };

  readonly numIrq: number;
  readonly numCpu: number;
  readonly prioBits: number;
  private readonly prioMask: number;

  // Distributor state per interrupt ID; enabled/pending/active/level are CPU masks
  // (banked per CPU for IDs < 32), as in QEMU's irq_state.
  readonly enabled: Uint8Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  readonly level: Uint8Array;
  readonly edge: Uint8Array;
  /** CPU0's banked priorities for IDs < 32, the shared ones above. */
  readonly priority: Uint8Array;
  readonly target: Uint8Array;
  /** For each SGI, the CPUs that have it pending on CPU0 (source mask). */
  readonly sgiPending = new Uint8Array(GIC_NR_SGIS);
  ctlr = 0;

  // CPU interface of CPU0.
  runningPriority = IDLE_PRIORITY;
  currentPending = SPURIOUS;
  readonly apr = new Uint32Array(NR_APRS);
  private readonly cpuRegs: RegisterMap;

  private irqOut = false;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const numIrq = prop(props, 'num-irqs', GIC_PROPS['num-irqs']);
    const numCpu = prop(props, 'cpus', GIC_PROPS.cpus);
    const prioBits = prop(props, 'priority-bits', GIC_PROPS['priority-bits']);
    this.numIrq = numIrq;
    this.numCpu = numCpu;
    this.prioBits = prioBits;
    this.prioMask = (0xff << (8 - prioBits)) & 0xff;
    this.enabled = new Uint8Array(numIrq);
    this.pending = new Uint8Array(numIrq);
    this.active = new Uint8Array(numIrq);
    this.level = new Uint8Array(numIrq);
    this.edge = new Uint8Array(numIrq);
    this.priority = new Uint8Array(numIrq);
    this.target = new Uint8Array(numIrq);

    this.cpuRegs = new RegisterMap(ctx, [
      { offset: 0x00, name: 'GICC_CTLR', access: 'rw', writeMask: 0x1, write: () => this.update() },
      { offset: 0x04, name: 'GICC_PMR', access: 'rw', writeMask: this.prioMask, write: () => this.update() },
      {
        offset: 0x08, name: 'GICC_BPR', access: 'rw', writeMask: 0x7, reset: MIN_BPR,
        write: (v) => { this.cpuRegs.set('GICC_BPR', Math.max(v & 7, MIN_BPR)); this.update(); },
      },
      { offset: 0x0c, name: 'GICC_IAR', access: 'ro', read: () => this.acknowledge() },
      { offset: 0x10, name: 'GICC_EOIR', access: 'wo', write: (v) => { this.complete(v & 0x3ff); this.cpuRegs.set('GICC_EOIR', 0); } },
      {
        offset: 0x14, name: 'GICC_RPR', access: 'ro',
        read: () => (this.runningPriority > 0xff ? 0xff : this.runningPriority),
      },
      { offset: 0x18, name: 'GICC_HPPIR', access: 'ro', read: () => this.currentPending },
      // Aliased BPR and the active priority registers: not implemented without groups / before GICv2.
      { offset: 0x1c, name: 'GICC_ABPR', access: 'rw', writeMask: 0 },
      { offset: 0xd0, name: 'GICC_APR0', access: 'rw', writeMask: 0 },
      { offset: 0xd4, name: 'GICC_APR1', access: 'rw', writeMask: 0 },
      { offset: 0xd8, name: 'GICC_APR2', access: 'rw', writeMask: 0 },
      { offset: 0xdc, name: 'GICC_APR3', access: 'rw', writeMask: 0 },
      { offset: 0xe0, name: 'GICC_NSAPR0', access: 'rw', writeMask: 0 },
      { offset: 0xe4, name: 'GICC_NSAPR1', access: 'rw', writeMask: 0 },
      { offset: 0xe8, name: 'GICC_NSAPR2', access: 'rw', writeMask: 0 },
      { offset: 0xec, name: 'GICC_NSAPR3', access: 'rw', writeMask: 0 },
      // Architecture version 1, ARM implementation.
      { offset: 0xfc, name: 'GICC_IIDR', access: 'ro', reset: (1 << 16) | 0x43b },
    ]);
    this.resetState();
  }

  // ---- distributor helpers (called from DIST_MAP) ----

  typer(): number { return ((this.numIrq / 32) - 1) | ((this.numCpu - 1) << 5); }

  private bad(irq: number): boolean { return irq >= this.numIrq; }

  readEnable(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.enabled[irq + i] & CM) res |= 1 << i;
    return res;
  }

  setEnable(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0xff; // SGIs are always enabled
    for (let i = 0; i < 8; i++) {
      if (value & (1 << i)) this.enabled[irq + i] |= irq < GIC_INTERNAL ? CM : ALL_CPU_MASK;
    }
    return true;
  }

  clearEnable(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0;
    for (let i = 0; i < 8; i++) {
      if (value & (1 << i)) this.enabled[irq + i] &= ~(irq < GIC_INTERNAL ? CM : ALL_CPU_MASK);
    }
    return true;
  }

  readPending(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    const mask = irq < GIC_INTERNAL ? CM : ALL_CPU_MASK;
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.testPending(irq + i, mask)) res |= 1 << i;
    return res;
  }

  setPending(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0; // SGIs are made pending through GICD_SGIR / SPENDSGIR only
    for (let i = 0; i < 8; i++) {
      if (value & (1 << i)) this.pending[irq + i] |= irq < GIC_INTERNAL ? CM : this.target[irq + i];
    }
    return true;
  }

  clearPending(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0;
    for (let i = 0; i < 8; i++) if (value & (1 << i)) this.pending[irq + i] = 0;
    return true;
  }

  readActive(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    const mask = irq < GIC_INTERNAL ? CM : ALL_CPU_MASK;
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.active[irq + i] & mask) res |= 1 << i;
    return res;
  }

  readPriority(irq: number): number | false {
    if (this.bad(irq)) return false;
    return this.priority[irq] & this.prioMask;
  }

  writePriority(irq: number, value: number): boolean {
    if (this.bad(irq)) return false;
    this.priority[irq] = value & this.prioMask;
    return true;
  }

  readTarget(irq: number): number | false {
    // On a uniprocessor GIC every interrupt goes to the one CPU: RAZ/WI.
    if (this.numCpu === 1) return 0;
    if (this.bad(irq)) return false;
    return irq < GIC_INTERNAL ? CM : this.target[irq];
  }

  writeTarget(irq: number, value: number): boolean {
    if (this.numCpu === 1) return true;
    if (this.bad(irq)) return false;
    if (irq < GIC_INTERNAL) value = ALL_CPU_MASK;
    this.target[irq] = value & ALL_CPU_MASK;
    // Retargeting a pending SPI moves its pending state to the new targets.
    if (irq >= GIC_INTERNAL && this.pending[irq]) this.pending[irq] = value & ALL_CPU_MASK;
    return true;
  }

  readConfig(byte: number): number | false {
    const irq = byte * 4;
    if (this.bad(irq)) return false;
    let res = 0;
    for (let i = 0; i < 4; i++) if (this.edge[irq + i]) res |= 2 << (i * 2);
    return res;
  }

  writeConfig(byte: number, value: number): boolean {
    const irq = byte * 4;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value |= 0xaa; // SGIs are always edge-triggered
    for (let i = 0; i < 4; i++) this.edge[irq + i] = value & (2 << (i * 2)) ? 1 : 0;
    return true;
  }

  clearSgiPending(irq: number, value: number): boolean {
    this.sgiPending[irq] &= ~value;
    if (this.sgiPending[irq] === 0) this.pending[irq] &= ~CM;
    return true;
  }

  setSgiPending(irq: number, value: number): boolean {
    this.pending[irq] |= CM;
    this.sgiPending[irq] |= value;
    return true;
  }

  /** An injected lost SGI: the next GICD_SGIR write does not reach these CPUs with this SGI (within one instruction: never in a snapshot). */
  private lostSgi = -1;
  private lostSgiCpus = 0;

  loseNextSgi(sgi: number, cpus: number): void {
    this.lostSgi = sgi;
    this.lostSgiCpus = cpus;
  }

  /** GICD_SGIR: target list filter 0 = list, 1 = all but self, 2 = self. */
  private softwareInterrupt(value: number): void {
    const irq = value & 0xf;
    let mask: number;
    switch ((value >>> 24) & 3) {
      case 0: mask = (value >>> 16) & ALL_CPU_MASK; break;
      case 1: mask = ALL_CPU_MASK ^ CM; break;
      case 2: mask = CM; break;
      default:
        this.ctx.guestError('GICD_SGIR write with the reserved target list filter 3');
        mask = ALL_CPU_MASK;
    }
    if (this.lostSgi === irq) mask &= ~this.lostSgiCpus;
    this.lostSgi = -1;
    this.pending[irq] |= mask;
    if (mask & CM) this.sgiPending[irq] |= CM; // the source is CPU0
    this.update();
  }

  private testPending(irq: number, cm: number): boolean {
    return (this.pending[irq] & cm) !== 0 || (!this.edge[irq] && (this.level[irq] & cm) !== 0);
  }

  // ---- CPU interface ----

  private groupPriority(irq: number): number {
    const bpr = this.cpuRegs.get('GICC_BPR');
    return this.priority[irq] & ((~0 << ((bpr & 7) + 1)) & 0x1ff);
  }

  private acknowledge(): number {
    const irq = this.currentPending;
    if (irq >= GIC_MAXIRQ) return irq;
    if (this.priority[irq] >= this.runningPriority) return SPURIOUS;

    // Activate: record the preemption level and raise the running priority.
    const prio = this.groupPriority(irq);
    const preemptionLevel = prio >> (MIN_BPR + 1);
    this.apr[preemptionLevel >> 5] |= 1 << (preemptionLevel & 31);
    this.runningPriority = prio;
    this.active[irq] |= CM;

    let ret = irq;
    if (irq < GIC_NR_SGIS) {
      const sources = this.sgiPending[irq];
      const src = sources ? ctz(sources) : 0;
      this.sgiPending[irq] &= ~(1 << src);
      if (this.sgiPending[irq] === 0) this.pending[irq] &= ~CM;
      ret = irq | ((src & 7) << 10);
    } else {
      // A level-triggered interrupt whose line is still high stays pending (testPending).
      this.pending[irq] &= ~CM;
    }
    this.update();
    return ret;
  }

  private complete(irq: number): void {
    // EOI of 1023 or of an ID that does not exist is ignored, as is one with nothing active.
    if (irq >= this.numIrq) return;
    if (this.runningPriority === IDLE_PRIORITY) return;
    // Drop the highest active priority: the lowest set APR bit.
    for (let i = 0; i < NR_APRS; i++) {
      if (this.apr[i]) { this.apr[i] &= this.apr[i] - 1; break; }
    }
    this.runningPriority = this.priorityFromApr();
    this.active[irq] &= ~(irq < GIC_INTERNAL ? CM : ALL_CPU_MASK);
    this.update();
  }

  private priorityFromApr(): number {
    for (let i = 0; i < NR_APRS; i++) {
      if (this.apr[i]) return (i * 32 + ctz(this.apr[i])) << (MIN_BPR + 1);
    }
    return IDLE_PRIORITY;
  }

  /** Recomputes the highest pending interrupt and the IRQ output. */
  private update(): void {
    this.currentPending = SPURIOUS;
    let level = false;
    if ((this.ctlr & 1) && (this.cpuRegs.get('GICC_CTLR') & 1)) {
      let bestIrq = SPURIOUS;
      let bestPrio = 0x100;
      for (let irq = 0; irq < this.numIrq; irq++) {
        if ((this.enabled[irq] & CM) && this.testPending(irq, CM) && !(this.active[irq] & CM)
          && (irq < GIC_INTERNAL || (this.target[irq] & CM))) {
          if (this.priority[irq] < bestPrio) { bestPrio = this.priority[irq]; bestIrq = irq; }
        }
      }
      if (bestPrio < this.cpuRegs.get('GICC_PMR')) {
        this.currentPending = bestIrq;
        if (bestPrio < this.runningPriority) level = true;
      }
    }
    if (level !== this.irqOut) {
      this.irqOut = level;
      this.ctx.irq(0).set(level);
    }
  }

  // ---- Device ----

  read(region: number, offset: number, size: number): number {
    if (region === 1) return this.cpuRegs.read(offset, size);
    let v = 0;
    let bad = false;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const r = DIST_BY_BYTE[o];
      const b = r?.read ? r.read(this, o) : false;
      if (b === false) bad = true;
      else v |= (b & 0xff) << (8 * i);
    }
    if (bad) this.ctx.guestError(`distributor read of unknown register at offset 0x${offset.toString(16)}`);
    return v >>> 0;
  }

  write(region: number, offset: number, size: number, value: number): void {
    if (region === 1) {
      this.cpuRegs.write(offset, size, value);
      return;
    }
    if (offset === 0xf00 && size === 4) {
      this.softwareInterrupt(value >>> 0);
      return;
    }
    let bad = false;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const r = DIST_BY_BYTE[o];
      const ok = r?.write ? r.write(this, o, (value >>> (8 * i)) & 0xff) : false;
      if (!ok) bad = true;
    }
    if (bad) this.ctx.guestError(`distributor write of unknown or read-only register at offset 0x${offset.toString(16)}`);
    this.update();
  }

  setInput(line: number, high: boolean): void {
    if (line < GIC_NR_SGIS || line >= this.numIrq) {
      this.ctx.guestError(`interrupt input ${line} does not exist (SGIs have no lines; this GIC has ${this.numIrq} interrupt IDs)`);
      return;
    }
    const cm = line < GIC_INTERNAL ? CM : ALL_CPU_MASK;
    const target = line < GIC_INTERNAL ? CM : this.target[line];
    if (high === ((this.level[line] & cm) !== 0)) return;
    if (high) {
      this.level[line] |= cm;
      if (this.edge[line]) this.pending[line] |= target;
    } else {
      this.level[line] &= ~cm;
    }
    this.update();
  }

  private resetState(): void {
    // Input levels are the state of the wires, not of the GIC: they survive a reset.
    this.enabled.fill(0);
    this.pending.fill(0);
    this.active.fill(0);
    this.edge.fill(0);
    this.priority.fill(0);
    this.target.fill(this.numCpu === 1 ? 1 : 0);
    this.sgiPending.fill(0);
    for (let i = 0; i < GIC_NR_SGIS; i++) {
      this.enabled[i] = ALL_CPU_MASK;
      this.edge[i] = 1;
    }
    this.ctlr = 0;
    this.cpuRegs.reset();
    this.runningPriority = IDLE_PRIORITY;
    this.currentPending = SPURIOUS;
    this.apr.fill(0);
  }

  reset(): void {
    this.resetState();
    this.update();
    this.ctx.irq(1).set(false);
  }

  restored(): void {
    // Drive the outputs from the restored state (the wiring may have been rebuilt).
    this.update();
    this.ctx.irq(0).set(this.irqOut);
    this.ctx.irq(1).set(false);
  }
}

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

const GIC_PROPS = {
  'num-irqs': { default: 160, min: 32, max: 992, multipleOf: 32, description: 'interrupt IDs implemented (ITLinesNumber)' },
  cpus: { default: 2, min: 1, max: 8, description: 'CPU interfaces' },
  'priority-bits': { default: 5, min: 4, max: 8, description: 'implemented priority bits' },
} satisfies Record<string, PropRule>;

export const gic: DeviceType = {
  type: TYPE,
  description: 'ARM GICv1 (Cortex-A9 MPCore interrupt controller, no Security Extensions): distributor and the CPU0 interface',
  capabilities: ['interrupt-controller'],
  regions: ['distributor', 'cpu'],
  regionSizes: [0x1000, 0x100],
  irqOutputs: 2,
  irqInputs: GIC_MAXIRQ,
  irqFirstInput: GIC_NR_SGIS,
  irqInputsFor: (props) => prop(props, 'num-irqs', GIC_PROPS['num-irqs']),
  props: GIC_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new Gic(ctx, props);
  },
};
