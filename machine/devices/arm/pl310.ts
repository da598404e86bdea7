/**
 * ARM PL310 (L2C-310) level-2 cache controller, as a register file: there is
 * no cache to model, so every maintenance operation (sync, by PA, by set/way,
 * by way, unlock) completes at once and its register reads back 0, which is
 * what drivers poll for. Event counters hold what is written (no events are
 * counted), so the interrupt sources never fire by themselves.
 *
 * CACHE_TYPE reflects the way size and associativity programmed in the
 * auxiliary control register, as QEMU's l2x0 does. The auxiliary control and
 * RAM latency registers can only be written while the cache is disabled (the
 * PL310 answers such writes with SLVERR; here they are a guest error).
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, WORD_RULE, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'arm,pl310';

/** Way-size and associativity fields of CACHE_TYPE, for data (22:20, 18) and instructions (10:8, 6). */
const TYPE_GEOMETRY_FIELDS = 0x00740740;

class Pl310 extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' } };
  private readonly regs: RegisterMap;
  private readonly cacheTypeBase: number;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const cacheId = prop(props, 'cache-id', PL310_PROPS['cache-id']);
    this.cacheTypeBase = prop(props, 'cache-type', PL310_PROPS['cache-type']) & ~TYPE_GEOMETRY_FIELDS;
    const auxReset = prop(props, 'aux-control', PL310_PROPS['aux-control']);

    const whileDisabled = (name: string) => (_v: number, previous: number): void => {
      if (this.regs.get('Control') & 1) {
        this.ctx.guestError(`write to ${name} while the L2 cache is enabled ignored`);
        this.regs.set(name, previous);
      }
    };
    // Maintenance operations: done as soon as they are written.
    const op = (offset: number, name: string): RegisterDef => ({ offset, name, access: 'rw', writeMask: 0 });

    const defs: RegisterDef[] = [
      { offset: 0x000, name: 'Cache ID', access: 'ro', reset: cacheId },
      { offset: 0x004, name: 'Cache Type', access: 'ro', read: () => this.cacheType() },
      { offset: 0x100, name: 'Control', access: 'rw', writeMask: 0x1 },
      { offset: 0x104, name: 'Auxiliary Control', access: 'rw', writeMask: 0x7fff3c01, reset: auxReset, write: whileDisabled('Auxiliary Control') },
      { offset: 0x108, name: 'Tag RAM Latency Control', access: 'rw', writeMask: 0x777, write: whileDisabled('Tag RAM Latency Control') },
      { offset: 0x10c, name: 'Data RAM Latency Control', access: 'rw', writeMask: 0x777, write: whileDisabled('Data RAM Latency Control') },
      {
        // Bits 2:1 reset counter 1 / counter 0 and read as zero.
        offset: 0x200, name: 'Event Counter Control', access: 'rw', writeMask: 0x7,
        write: (v) => {
          if (v & 2) this.regs.set('Event Counter 0 Value', 0);
          if (v & 4) this.regs.set('Event Counter 1 Value', 0);
          this.regs.set('Event Counter Control', v & 1);
        },
      },
      { offset: 0x204, name: 'Event Counter 1 Configuration', access: 'rw', writeMask: 0x3f },
      { offset: 0x208, name: 'Event Counter 0 Configuration', access: 'rw', writeMask: 0x3f },
      { offset: 0x20c, name: 'Event Counter 1 Value', access: 'rw' },
      { offset: 0x210, name: 'Event Counter 0 Value', access: 'rw' },
      { offset: 0x214, name: 'Interrupt Mask', access: 'rw', writeMask: 0x1ff, write: () => this.updateIrq() },
      {
        offset: 0x218, name: 'Masked Interrupt Status', access: 'ro',
        read: () => this.regs.get('Raw Interrupt Status') & this.regs.get('Interrupt Mask'),
      },
      { offset: 0x21c, name: 'Raw Interrupt Status', access: 'ro' },
      {
        offset: 0x220, name: 'Interrupt Clear', access: 'wo', writeMask: 0x1ff,
        write: (v) => {
          this.regs.set('Raw Interrupt Status', this.regs.get('Raw Interrupt Status') & ~v);
          this.regs.set('Interrupt Clear', 0);
          this.updateIrq();
        },
      },
      op(0x730, 'Cache Sync'),
      op(0x770, 'Invalidate Line by PA'),
      op(0x77c, 'Invalidate by Way'),
      op(0x7b0, 'Clean Line by PA'),
      op(0x7b8, 'Clean Line by Set/Way'),
      op(0x7bc, 'Clean by Way'),
      op(0x7f0, 'Clean and Invalidate Line by PA'),
      op(0x7f8, 'Clean and Invalidate Line by Set/Way'),
      op(0x7fc, 'Clean and Invalidate by Way'),
    ];
    for (let n = 0; n < 8; n++) {
      defs.push({ offset: 0x900 + 8 * n, name: `Data Lockdown ${n}`, access: 'rw', writeMask: 0xffff });
      defs.push({ offset: 0x904 + 8 * n, name: `Instruction Lockdown ${n}`, access: 'rw', writeMask: 0xffff });
    }
    defs.push(
      { offset: 0x950, name: 'Lockdown by Line Enable', access: 'rw', writeMask: 0x1 },
      op(0x954, 'Unlock All Lines by Way'),
      { offset: 0xc00, name: 'Address Filtering Start', access: 'rw', writeMask: 0xfff00001 },
      { offset: 0xc04, name: 'Address Filtering End', access: 'rw', writeMask: 0xfff00000 },
      { offset: 0xf40, name: 'Debug Control', access: 'rw', writeMask: 0x7 },
      { offset: 0xf60, name: 'Prefetch Control', access: 'rw', writeMask: 0x79a0001f },
      { offset: 0xf80, name: 'Power Control', access: 'rw', writeMask: 0x3 },
    );
    this.regs = new RegisterMap(ctx, defs);
  }

  private cacheType(): number {
    const aux = this.regs.get('Auxiliary Control');
    const geometry = ((aux >>> 15) & 0x1c) | ((aux >>> 16) & 1); // way size 19:17 -> 4:2, associativity 16 -> 0
    return (this.cacheTypeBase | (geometry << 18) | (geometry << 6)) >>> 0;
  }

  private updateIrq(): void {
    this.ctx.irq(0).set((this.regs.get('Raw Interrupt Status') & this.regs.get('Interrupt Mask')) !== 0);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }
  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  reset(): void {
    this.regs.reset();
    this.updateIrq();
  }

  restored(): void {
    this.updateIrq();
  }
}

const PL310_PROPS = {
  'cache-id': WORD_RULE(0x410000c4, 'Cache ID register'),
  'cache-type': WORD_RULE(0x1c100100, 'Cache Type register (geometry fields follow aux-control)'),
  'aux-control': WORD_RULE(0x02020000, 'Auxiliary Control reset value'),
} satisfies Record<string, PropRule>;

export const pl310: DeviceType = {
  type: TYPE,
  description: 'ARM PL310 L2 cache controller (register file; maintenance operations complete at once)',
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 1,
  props: PL310_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new Pl310(ctx, props);
  },
};
