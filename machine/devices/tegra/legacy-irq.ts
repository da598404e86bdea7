/**
 * Tegra20 legacy interrupt controller (LIC / ICTLR) at 0x6000_4000: four banks
 * of 32 sources at a 0x100 stride. Input n is SPI n: the board wires every
 * device interrupt to both the GIC and this controller.
 *
 * Per bank: ISR = raw input levels | FIR (forced bits). A source is pending
 * for the CPU when set in ISR and enabled in CPU_IER; CPU_IEP_CLASS picks FIQ
 * (1) or IRQ (0). VIRQ_CPU / VFIQ_CPU read the pending IRQ / FIQ sources of the
 * bank; the COP (AVP) views work the same with COP_IER / COP_IEP_CLASS but
 * drive no output, as no COP is modelled. Enables and forced bits change only
 * through their SET / CLR registers (the base registers are read-only views);
 * the class registers are plain read/write.
 *
 * Interrupt outputs:
 *  0: CPU FIQ: some source pending, enabled and classed FIQ. This is how a FIQ
 *     debugger gets the UART receive interrupt as a FIQ.
 *  1: CPU IRQ: some source pending, enabled and classed IRQ. Tegra boards leave
 *     it unwired because the GIC delivers IRQs (Linux mirrors GIC masking into
 *     the LIC, so wiring it too would signal every interrupt twice).
 */

import type { Device, DeviceContext, DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-ictlr';
const BANKS = 4;
const BANK_STRIDE = 0x100;

const VIRQ_CPU = 0x00, VIRQ_COP = 0x04, VFIQ_CPU = 0x08, VFIQ_COP = 0x0c, ISR = 0x10;
const FIR = 0x14, FIR_SET = 0x18, FIR_CLR = 0x1c;
const CPU_IER = 0x20, CPU_IER_SET = 0x24, CPU_IER_CLR = 0x28, CPU_IEP_CLASS = 0x2c;
const COP_IER = 0x30, COP_IER_SET = 0x34, COP_IER_CLR = 0x38, COP_IEP_CLASS = 0x3c;

export class TegraLic extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' }, inputs: { kind: 'u32[]', field: 'raw' } };
  private readonly regs: RegisterMap;
  /** Raw input levels, one word per bank. */
  private readonly raw = new Uint32Array(BANKS);
  private fiqLevel = false;
  private irqLevel = false;

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
    const defs: RegisterDef[] = [];
    for (let b = 0; b < BANKS; b++) {
      const o = b * BANK_STRIDE;
      const at = (r: number) => this.regs.getAt(o + r);
      const isr = () => (this.raw[b] | at(FIR)) >>> 0;
      // Write-1-to-set / write-1-to-clear views of a base register.
      const setClr = (target: number, set: boolean) => (v: number) => {
        this.regs.setAt(o + (set ? target + 4 : target + 8), 0);
        this.regs.setAt(o + target, set ? at(target) | v : at(target) & ~v);
        this.update();
      };
      const n = b + 1;
      defs.push(
        { offset: o + VIRQ_CPU, name: `VIRQ_CPU_${n}`, access: 'ro', read: () => isr() & at(CPU_IER) & ~at(CPU_IEP_CLASS) },
        { offset: o + VIRQ_COP, name: `VIRQ_COP_${n}`, access: 'ro', read: () => isr() & at(COP_IER) & ~at(COP_IEP_CLASS) },
        { offset: o + VFIQ_CPU, name: `VFIQ_CPU_${n}`, access: 'ro', read: () => isr() & at(CPU_IER) & at(CPU_IEP_CLASS) },
        { offset: o + VFIQ_COP, name: `VFIQ_COP_${n}`, access: 'ro', read: () => isr() & at(COP_IER) & at(COP_IEP_CLASS) },
        { offset: o + ISR, name: `ISR_${n}`, access: 'ro', read: isr },
        { offset: o + FIR, name: `FIR_${n}`, access: 'ro' },
        { offset: o + FIR_SET, name: `FIR_SET_${n}`, access: 'wo', write: setClr(FIR, true) },
        { offset: o + FIR_CLR, name: `FIR_CLR_${n}`, access: 'wo', write: setClr(FIR, false) },
        { offset: o + CPU_IER, name: `CPU_IER_${n}`, access: 'ro' },
        { offset: o + CPU_IER_SET, name: `CPU_IER_SET_${n}`, access: 'wo', write: setClr(CPU_IER, true) },
        { offset: o + CPU_IER_CLR, name: `CPU_IER_CLR_${n}`, access: 'wo', write: setClr(CPU_IER, false) },
        { offset: o + CPU_IEP_CLASS, name: `CPU_IEP_CLASS_${n}`, write: () => this.update() },
        { offset: o + COP_IER, name: `COP_IER_${n}`, access: 'ro' },
        { offset: o + COP_IER_SET, name: `COP_IER_SET_${n}`, access: 'wo', write: setClr(COP_IER, true) },
        { offset: o + COP_IER_CLR, name: `COP_IER_CLR_${n}`, access: 'wo', write: setClr(COP_IER, false) },
        { offset: o + COP_IEP_CLASS, name: `COP_IEP_CLASS_${n}` },
      );
    }
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  setInput(line: number, level: boolean): void {
    if (line < 0 || line >= BANKS * 32) {
      this.ctx.guestError(`interrupt input ${line} out of range`);
      return;
    }
    const b = line >>> 5, bit = 1 << (line & 31);
    this.raw[b] = level ? this.raw[b] | bit : this.raw[b] & ~bit;
    this.update();
  }

  reset(): void {
    // Input levels belong to the sources, which keep driving them.
    this.regs.reset();
    this.update(true);
  }

  private update(force = false): void {
    let fiq = 0, irq = 0;
    for (let b = 0; b < BANKS; b++) {
      const o = b * BANK_STRIDE;
      const pending = (this.raw[b] | this.regs.getAt(o + FIR)) & this.regs.getAt(o + CPU_IER);
      const cls = this.regs.getAt(o + CPU_IEP_CLASS);
      fiq |= pending & cls;
      irq |= pending & ~cls;
    }
    const f = fiq !== 0, i = irq !== 0;
    if (force || f !== this.fiqLevel) { this.fiqLevel = f; this.ctx.irq(0).set(f); }
    if (force || i !== this.irqLevel) { this.irqLevel = i; this.ctx.irq(1).set(i); }
  }

  restored(): void {
    this.update(true);
  }
}

export const tegraLic: DeviceType = {
  type: TYPE,
  description: 'Tegra20 legacy interrupt controller: 4 banks of 32 sources (input n = SPI n); outputs CPU FIQ (0) and CPU IRQ (1)',
  capabilities: ['interrupt-controller'],
  regions: ['registers'],
  regionSizes: [0x400],
  irqOutputs: 2,
  props: {},
  irqInputs: 128,
  create: (ctx) => new TegraLic(ctx),
};
