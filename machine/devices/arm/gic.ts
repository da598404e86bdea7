/**
 * ARM Generic Interrupt Controller, architecture v1 without the Security
 * Extensions, as in the Cortex-A9 MPCore: one distributor and one CPU
 * interface per core.
 *
 * Behaviour follows QEMU's hw/intc/arm_gic.c (revision 1, no security
 * extensions, as QEMU's a9mpcore builds it with secure=off) closely, because
 * bare-metal programs compare their output on this model with QEMU's:
 * per-byte distributor decoding, 1023 from GICC_IAR when nothing can be
 * acknowledged, level-triggered interrupts pending while their line is high,
 * the running priority kept as active-priority bits, ITARGETSR RAZ/WI on a
 * uniprocessor GIC, GICC_BPR minimum 0.
 *
 * Banked by the core whose access the GIC serves (DeviceContext.currentCore):
 * the CPU interface registers (GICC_*), and in the distributor the enable,
 * pending and active bits and the priorities of IDs 0-31 (SGIs and PPIs),
 * GICD_ITARGETSR0-7 (read-only: each core reads its own bit) and
 * GICD_SPENDSGIR/CPENDSGIR. SGIs remember their source cores per target
 * core, as QEMU's sgi_pending: GICC_IAR returns the lowest pending source
 * in bits 12:10 and the SGI stays pending while other sources remain.
 * SPIs go to the cores their ITARGETSR names; an SPI targeting several cores
 * is pending on each and can be taken by each, as in QEMU.
 *
 * Input line n is interrupt ID n: 16-31 are PPIs, one line per core (the
 * board's wiring of a per-core device such as the private timer delivers
 * core k's level as setInput(id, level, k)), 32 and up the SPIs. Outputs are
 * per core: output 0 the core's IRQ line, output 1 its FIQ, which stays low
 * because GICv1 without groups signals only IRQ.
 *
 * The number of CPU interfaces (GICD_TYPER.CPUNumber + 1) is the number of
 * cores of the cluster (the board's cpu.count, or the cores run if a run
 * selects more, as QEMU's num-cpu follows -smp); a run may keep to fewer
 * cores than that (the Tegra2's CPU1 while a run keeps to CPU0): the
 * interfaces of cores not run exist only as bits in the CPU masks.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { coresProp, prop, type PropRule } from '../device';
import { DeclaredStateDevice, type FieldKind, type FieldSpec, type StateDecl, type Stateful } from '../state';
import { RegisterMap } from '../register-map';

const TYPE = 'arm,gic-v1';

const GIC_MAXIRQ = 1020;
const GIC_INTERNAL = 32;
const GIC_NR_SGIS = 16;
/** Masks of CPUs as the distributor stores them: one bit per possible CPU interface. */
const ALL_CPU_MASK = 0xff;
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
  // GICv1 has only the read-only active bit registers; 0x380 (ICACTIVER) is GICv2, see below.
  { start: 0x300, end: 0x380, name: 'GICD_ISACTIVER', read: (g, o) => g.readActive(o - 0x300) },
  // Reserved in GICv1 (the Cortex-A9 MPCore TRM's distributor map), so RAZ/WI as the
  // hardware treats it. GICv2 puts GICD_ICACTIVER here, and drivers written for both
  // (Linux's gic_dist_config and gic_cpu_config) write all-ones to it at every boot to
  // deactivate interrupts: normal on a Tegra2, not a guest error.
  { start: 0x380, end: 0x400, name: 'reserved (GICv2 GICD_ICACTIVER)', read: () => 0, write: () => true },
  { start: 0x400, end: 0x800, name: 'GICD_IPRIORITYR',
    read: (g, o) => g.readPriority(o - 0x400), write: (g, o, v) => g.writePriority(o - 0x400, v) },
  { start: 0x800, end: 0xc00, name: 'GICD_ITARGETSR',
    read: (g, o) => g.readTarget(o - 0x800), write: (g, o, v) => g.writeTarget(o - 0x800, v) },
  { start: 0xc00, end: 0xf00, name: 'GICD_ICFGR',
    read: (g, o) => g.readConfig(o - 0xc00), write: (g, o, v) => g.writeConfig(o - 0xc00, v) },
  // GICD_SGIR (0xf00) is decoded only as a 32-bit write, see Gic.write.
  { start: 0xf10, end: 0xf20, name: 'GICD_CPENDSGIR',
    read: (g, o) => g.readSgiPending(o - 0xf10), write: (g, o, v) => g.clearSgiPending(o - 0xf10, v) },
  { start: 0xf20, end: 0xf30, name: 'GICD_SPENDSGIR',
    read: (g, o) => g.readSgiPending(o - 0xf20), write: (g, o, v) => g.setSgiPending(o - 0xf20, v) },
  { start: 0xfd0, end: 0x1000, name: 'GICD_PIDR/CIDR', read: (_g, o) => ((o & 3) ? 0 : GICV1_ID[(o - 0xfd0) >> 2]) },
];

const DIST_BY_BYTE: Array<DistRange | undefined> = (() => {
  const t: Array<DistRange | undefined> = new Array(0x1000).fill(undefined);
  for (const r of DIST_MAP) for (let o = r.start; o < r.end; o++) t[o] = r;
  return t;
})();

/** One core's CPU interface and its bank of the distributor (priorities of IDs 0-31, SGI sources). */
class CpuInterface implements Stateful {
  /** The state of the interfaces of cores 1 and up (core 0's are the GIC's top-level fields). */
  readonly stateFields: StateDecl = {
    priority: 'u32[]', sgiPending: 'u32[]', cpu: { kind: 'registers', field: 'regs' }, runningPriority: 'int', apr: 'u32[]', irqOut: 'bool',
  };
  runningPriority = IDLE_PRIORITY;
  currentPending = SPURIOUS;
  readonly apr = new Uint32Array(NR_APRS);
  /** For each SGI, the cores it is pending from on this core (source mask). */
  readonly sgiPending = new Uint8Array(GIC_NR_SGIS);
  irqOut = false;
  readonly regs: RegisterMap;

  /** `priority` holds this core's priorities of IDs 0-31 (core 0's is a view of the GIC's priority array). */
  constructor(readonly priority: Uint8Array, regs: (iface: CpuInterface) => RegisterMap) {
    this.regs = regs(this);
  }

  reset(): void {
    this.priority.fill(0);
    this.sgiPending.fill(0);
    this.regs.reset();
    this.runningPriority = IDLE_PRIORITY;
    this.currentPending = SPURIOUS;
    this.apr.fill(0);
  }
}

class Gic extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl;

  readonly numIrq: number;
  /** CPU interfaces (GICD_TYPER.CPUNumber + 1): the cluster's cores (at least the cores run). */
  readonly numCpu: number;
  /** Cores the machine runs: one CPU interface bank each. */
  private readonly cores: number;
  readonly prioBits: number;
  private readonly prioMask: number;

  // Distributor state per interrupt ID; enabled/pending/active/level are CPU masks
  // (banked per CPU for IDs < 32), as in QEMU's irq_state.
  readonly enabled: Uint8Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  readonly level: Uint8Array;
  readonly edge: Uint8Array;
  /** Core 0's banked priorities for IDs < 32, the shared ones above (other cores' banks are in their interfaces). */
  readonly priority: Uint8Array;
  readonly target: Uint8Array;
  /**
   * With several cores: for each SPI, the cores whose bank of a per-core
   * device drives its line high (the line is the OR of them, as a wire).
   */
  readonly spiDrive: Uint8Array;
  ctlr = 0;

  /** One per core; ifaces[k] serves core k's accesses. */
  readonly ifaces: CpuInterface[];
  /** The interfaces of cores 1 and up (their snapshot bank). */
  private readonly otherIfaces: CpuInterface[];

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const numIrq = prop(props, 'num-irqs', GIC_PROPS['num-irqs']);
    const numCpu = coresProp(props, 'cpus', GIC_PROPS.cpus, ctx);
    const prioBits = prop(props, 'priority-bits', GIC_PROPS['priority-bits']);
    this.numIrq = numIrq;
    this.numCpu = numCpu;
    this.cores = ctx.cores;
    this.prioBits = prioBits;
    this.prioMask = (0xff << (8 - prioBits)) & 0xff;
    this.enabled = new Uint8Array(numIrq);
    this.pending = new Uint8Array(numIrq);
    this.active = new Uint8Array(numIrq);
    this.level = new Uint8Array(numIrq);
    this.edge = new Uint8Array(numIrq);
    this.priority = new Uint8Array(numIrq);
    this.target = new Uint8Array(numIrq);
    this.spiDrive = new Uint8Array(this.cores > 1 ? numIrq : 0);

    this.ifaces = Array.from({ length: this.cores }, (_, k) =>
      new CpuInterface(k === 0 ? this.priority.subarray(0, GIC_INTERNAL) : new Uint8Array(GIC_INTERNAL), (f) => this.cpuRegisters(f, k)));
    this.otherIfaces = this.ifaces.slice(1);

    // Core 0's interface keeps the field names of a one-core GIC, so one-core
    // snapshots (and the state hashes of recordings) are unchanged; the other
    // cores' interfaces are a bank by core number that exists only with several cores.
    const decl: Record<string, FieldKind | FieldSpec> = {
      numIrq: 'const', numCpu: 'const', ctlr: 'u32',
      enabled: 'u32[]', pending: 'u32[]', active: 'u32[]', level: 'u32[]', edge: 'u32[]', priority: 'u32[]', target: 'u32[]',
      sgiPending: { kind: 'u32[]', field: 'ifaces.0.sgiPending' },
      cpu: { kind: 'registers', field: 'ifaces.0.regs' },
      runningPriority: { kind: 'int', field: 'ifaces.0.runningPriority' },
      apr: { kind: 'u32[]', field: 'ifaces.0.apr' },
      irqOut: { kind: 'bool', field: 'ifaces.0.irqOut' },
    };
    if (this.cores > 1) {
      decl.cores = { kind: 'group', field: 'otherIfaces', each: this.otherIfaces.map((_, i) => String(i + 1)) };
      decl.spiDrive = 'u32[]';
    }
    this.stateFields = decl;
    this.resetState();
  }

  /** Core k's CPU interface registers. */
  private cpuRegisters(f: CpuInterface, k: number): RegisterMap {
    const regs: RegisterMap = new RegisterMap(this.ctx, [
      { offset: 0x00, name: 'GICC_CTLR', access: 'rw', writeMask: 0x1, write: () => this.update() },
      { offset: 0x04, name: 'GICC_PMR', access: 'rw', writeMask: this.prioMask, write: () => this.update() },
      {
        offset: 0x08, name: 'GICC_BPR', access: 'rw', writeMask: 0x7, reset: MIN_BPR,
        write: (v) => { regs.set('GICC_BPR', Math.max(v & 7, MIN_BPR)); this.update(); },
      },
      { offset: 0x0c, name: 'GICC_IAR', access: 'ro', read: () => this.acknowledge(k) },
      { offset: 0x10, name: 'GICC_EOIR', access: 'wo', write: (v) => { this.complete(k, v & 0x3ff); regs.set('GICC_EOIR', 0); } },
      {
        offset: 0x14, name: 'GICC_RPR', access: 'ro',
        read: () => (f.runningPriority > 0xff ? 0xff : f.runningPriority),
      },
      { offset: 0x18, name: 'GICC_HPPIR', access: 'ro', read: () => f.currentPending },
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
    return regs;
  }

  /** The core whose access is being served (QEMU: 0 on a one-interface GIC). */
  private cpu(): number {
    return this.cores > 1 ? this.ctx.currentCore() : 0;
  }

  /** Priority of `irq` as core `cpu` sees it (IDs 0-31 are banked). */
  private prio(irq: number, cpu: number): number {
    return irq < GIC_INTERNAL ? this.ifaces[cpu].priority[irq] : this.priority[irq];
  }

  // ---- distributor helpers (called from DIST_MAP) ----

  typer(): number { return ((this.numIrq / 32) - 1) | ((this.numCpu - 1) << 5); }

  private bad(irq: number): boolean { return irq >= this.numIrq; }

  readEnable(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    const cm = 1 << this.cpu();
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.enabled[irq + i] & cm) res |= 1 << i;
    return res;
  }

  setEnable(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0xff; // SGIs are always enabled
    const cm = irq < GIC_INTERNAL ? 1 << this.cpu() : ALL_CPU_MASK;
    for (let i = 0; i < 8; i++) if (value & (1 << i)) this.enabled[irq + i] |= cm;
    return true;
  }

  clearEnable(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0;
    const cm = irq < GIC_INTERNAL ? 1 << this.cpu() : ALL_CPU_MASK;
    for (let i = 0; i < 8; i++) if (value & (1 << i)) this.enabled[irq + i] &= ~cm;
    return true;
  }

  readPending(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    const mask = irq < GIC_INTERNAL ? 1 << this.cpu() : ALL_CPU_MASK;
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.testPending(irq + i, mask)) res |= 1 << i;
    return res;
  }

  setPending(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0; // SGIs are made pending through GICD_SGIR / SPENDSGIR only
    const cm = 1 << this.cpu();
    for (let i = 0; i < 8; i++) {
      if (value & (1 << i)) this.pending[irq + i] |= irq < GIC_INTERNAL ? cm : this.target[irq + i];
    }
    return true;
  }

  clearPending(byte: number, value: number): boolean {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    if (irq < GIC_NR_SGIS) value = 0;
    // As QEMU: clears the pending state on every core, also of a PPI.
    for (let i = 0; i < 8; i++) if (value & (1 << i)) this.pending[irq + i] = 0;
    return true;
  }

  readActive(byte: number): number | false {
    const irq = byte * 8;
    if (this.bad(irq)) return false;
    const mask = irq < GIC_INTERNAL ? 1 << this.cpu() : ALL_CPU_MASK;
    let res = 0;
    for (let i = 0; i < 8; i++) if (this.active[irq + i] & mask) res |= 1 << i;
    return res;
  }

  readPriority(irq: number): number | false {
    if (this.bad(irq)) return false;
    return this.prio(irq, this.cpu()) & this.prioMask;
  }

  writePriority(irq: number, value: number): boolean {
    if (this.bad(irq)) return false;
    if (irq < GIC_INTERNAL) this.ifaces[this.cpu()].priority[irq] = value & this.prioMask;
    else this.priority[irq] = value & this.prioMask;
    return true;
  }

  readTarget(irq: number): number | false {
    // On a uniprocessor GIC every interrupt goes to the one CPU: RAZ/WI.
    if (this.numCpu === 1) return 0;
    if (this.bad(irq)) return false;
    // SGIs and PPIs go to the core itself: each core reads its own bit.
    return irq < GIC_INTERNAL ? 1 << this.cpu() : this.target[irq];
  }

  writeTarget(irq: number, value: number): boolean {
    if (this.numCpu === 1) return true;
    if (this.bad(irq)) return false;
    if (irq < GIC_INTERNAL) value = ALL_CPU_MASK; // read-only: reads do not show it
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

  readSgiPending(irq: number): number {
    return this.ifaces[this.cpu()].sgiPending[irq];
  }

  clearSgiPending(irq: number, value: number): boolean {
    const cpu = this.cpu();
    const f = this.ifaces[cpu];
    f.sgiPending[irq] &= ~value;
    if (f.sgiPending[irq] === 0) this.pending[irq] &= ~(1 << cpu);
    return true;
  }

  setSgiPending(irq: number, value: number): boolean {
    const cpu = this.cpu();
    this.pending[irq] |= 1 << cpu;
    this.ifaces[cpu].sgiPending[irq] |= value;
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
    const cpu = this.cpu();
    const self = 1 << cpu;
    let mask: number;
    switch ((value >>> 24) & 3) {
      case 0: mask = (value >>> 16) & ALL_CPU_MASK; break;
      case 1: mask = ALL_CPU_MASK ^ self; break;
      case 2: mask = self; break;
      default:
        this.ctx.guestError('GICD_SGIR write with the reserved target list filter 3');
        mask = ALL_CPU_MASK;
    }
    if (this.lostSgi === irq) mask &= ~this.lostSgiCpus;
    this.lostSgi = -1;
    this.pending[irq] |= mask;
    // Each target core remembers this core as a source (cores not run have no interface to take it).
    for (let t = 0; t < this.cores; t++) if (mask & (1 << t)) this.ifaces[t].sgiPending[irq] |= self;
    this.update();
  }

  private testPending(irq: number, cm: number): boolean {
    return (this.pending[irq] & cm) !== 0 || (!this.edge[irq] && (this.level[irq] & cm) !== 0);
  }

  // ---- CPU interface ----

  private groupPriority(irq: number, cpu: number): number {
    const bpr = this.ifaces[cpu].regs.get('GICC_BPR');
    return this.prio(irq, cpu) & ((~0 << ((bpr & 7) + 1)) & 0x1ff);
  }

  private acknowledge(cpu: number): number {
    const f = this.ifaces[cpu];
    const cm = 1 << cpu;
    const irq = f.currentPending;
    if (irq >= GIC_MAXIRQ) return irq;
    if (this.prio(irq, cpu) >= f.runningPriority) return SPURIOUS;

    // Activate: record the preemption level and raise the running priority.
    const prio = this.groupPriority(irq, cpu);
    const preemptionLevel = prio >> (MIN_BPR + 1);
    f.apr[preemptionLevel >> 5] |= 1 << (preemptionLevel & 31);
    f.runningPriority = prio;
    this.active[irq] |= cm;

    let ret = irq;
    if (irq < GIC_NR_SGIS) {
      const sources = f.sgiPending[irq];
      const src = sources ? ctz(sources) : 0;
      f.sgiPending[irq] &= ~(1 << src);
      if (f.sgiPending[irq] === 0) this.pending[irq] &= ~cm;
      ret = irq | ((src & 7) << 10);
    } else {
      // A level-triggered interrupt whose line is still high stays pending (testPending).
      this.pending[irq] &= ~cm;
    }
    this.update();
    return ret;
  }

  private complete(cpu: number, irq: number): void {
    const f = this.ifaces[cpu];
    // EOI of 1023 or of an ID that does not exist is ignored, as is one with nothing active.
    if (irq >= this.numIrq) return;
    if (f.runningPriority === IDLE_PRIORITY) return;
    // Drop the highest active priority: the lowest set APR bit.
    for (let i = 0; i < NR_APRS; i++) {
      if (f.apr[i]) { f.apr[i] &= f.apr[i] - 1; break; }
    }
    f.runningPriority = priorityFromApr(f.apr);
    this.active[irq] &= ~(1 << cpu);
    this.update();
  }

  /** Recomputes each core's highest pending interrupt and its IRQ output. */
  private update(): void {
    for (let cpu = 0; cpu < this.cores; cpu++) {
      const f = this.ifaces[cpu];
      const cm = 1 << cpu;
      f.currentPending = SPURIOUS;
      let level = false;
      if ((this.ctlr & 1) && (f.regs.get('GICC_CTLR') & 1)) {
        const banked = f.priority;
        let bestIrq = SPURIOUS;
        let bestPrio = 0x100;
        for (let irq = 0; irq < this.numIrq; irq++) {
          if ((this.enabled[irq] & cm) && this.testPending(irq, cm) && !(this.active[irq] & cm)
            && (irq < GIC_INTERNAL || (this.target[irq] & cm))) {
            const p = irq < GIC_INTERNAL ? banked[irq] : this.priority[irq];
            if (p < bestPrio) { bestPrio = p; bestIrq = irq; }
          }
        }
        if (bestPrio < f.regs.get('GICC_PMR')) {
          f.currentPending = bestIrq;
          if (bestPrio < f.runningPriority) level = true;
        }
      }
      if (level !== f.irqOut) {
        f.irqOut = level;
        this.ctx.coreIrq(cpu, 0).set(level);
      }
    }
  }

  // ---- Device ----

  read(region: number, offset: number, size: number): number {
    if (region === 1) return this.ifaces[this.cpu()].regs.read(offset, size);
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
      this.ifaces[this.cpu()].regs.write(offset, size, value);
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

  /**
   * Input `line` changed level; `core` is the bank of a PPI (16-31). An SPI
   * is one line: banks of a per-core device that drive it are OR-ed.
   */
  setInput(line: number, high: boolean, core = 0): void {
    if (line < GIC_NR_SGIS || line >= this.numIrq) {
      this.ctx.guestError(`interrupt input ${line} does not exist (SGIs have no lines; this GIC has ${this.numIrq} interrupt IDs)`);
      return;
    }
    if (line < GIC_INTERNAL && !(core >= 0 && core < this.cores)) {
      this.ctx.guestError(`PPI ${line} of core ${core} does not exist (this GIC serves ${this.cores} core${this.cores === 1 ? '' : 's'})`);
      return;
    }
    if (line >= GIC_INTERNAL && this.cores > 1) {
      // Each core's bank of a per-core device may drive an SPI: the line is high while any does.
      const bit = 1 << Math.max(0, Math.min(core, this.cores - 1));
      if (high) this.spiDrive[line] |= bit; else this.spiDrive[line] &= ~bit;
      high = this.spiDrive[line] !== 0;
    }
    const cm = line < GIC_INTERNAL ? 1 << core : ALL_CPU_MASK;
    const target = line < GIC_INTERNAL ? cm : this.target[line];
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
    for (let i = 0; i < GIC_NR_SGIS; i++) {
      this.enabled[i] = ALL_CPU_MASK;
      this.edge[i] = 1;
    }
    this.ctlr = 0;
    for (const f of this.ifaces) f.reset();
  }

  reset(): void {
    this.resetState();
    this.update();
    for (let k = 0; k < this.cores; k++) this.ctx.coreIrq(k, 1).set(false);
  }

  restored(): void {
    // Drive the outputs from the restored state (the wiring may have been rebuilt).
    this.update();
    for (let k = 0; k < this.cores; k++) {
      this.ctx.coreIrq(k, 0).set(this.ifaces[k].irqOut);
      this.ctx.coreIrq(k, 1).set(false);
    }
  }
}

function priorityFromApr(apr: Uint32Array): number {
  for (let i = 0; i < NR_APRS; i++) {
    if (apr[i]) return (i * 32 + ctz(apr[i])) << (MIN_BPR + 1);
  }
  return IDLE_PRIORITY;
}

function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

const GIC_PROPS = {
  'num-irqs': { default: 160, min: 32, max: 992, multipleOf: 32, description: 'interrupt IDs implemented (ITLinesNumber)' },
  cpus: { default: 1, min: 1, max: 8, atLeastCores: true, description: "CPU interfaces (default: the cluster's cores; at least the cores run)" },
  'priority-bits': { default: 5, min: 4, max: 8, description: 'implemented priority bits' },
} satisfies Record<string, PropRule>;

export const gic: DeviceType = {
  type: TYPE,
  description: 'ARM GICv1 (Cortex-A9 MPCore interrupt controller, no Security Extensions): distributor and one CPU interface per core',
  capabilities: ['interrupt-controller'],
  regions: ['distributor', 'cpu'],
  regionSizes: [0x1000, 0x100],
  irqOutputs: 2,
  perCoreOutputs: true,
  irqInputs: GIC_MAXIRQ,
  irqFirstInput: GIC_NR_SGIS,
  irqInputsFor: (props) => prop(props, 'num-irqs', GIC_PROPS['num-irqs']),
  props: GIC_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new Gic(ctx, props);
  },
};
