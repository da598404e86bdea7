/**
 * Base of devices whose whole state is one register map: MMIO goes to the map,
 * reset resets it, snapshots carry its registers by name. Subclasses override
 * read/write for the offsets that need more than storage.
 */

import type { Device, DeviceContext, DeviceSnapshot } from './device';
import { checkSnapshot } from './device';
import { RegisterMap, type RegisterDef } from './register-map';

export abstract class RegisterDevice implements Device {
  readonly name: string;
  protected readonly regs: RegisterMap;

  constructor(protected readonly ctx: DeviceContext, readonly type: string, private readonly version: number, defs: RegisterDef[]) {
    this.name = ctx.name;
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }

  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  reset(): void { this.regs.reset(); }

  snapshot(): DeviceSnapshot {
    return { type: this.type, version: this.version, state: { registers: this.regs.snapshot() } };
  }

  restore(s: DeviceSnapshot): void {
    checkSnapshot(s, this.type, this.version, this.name);
    const st = s.state as { registers?: Record<string, unknown> };
    if (!st.registers) throw new Error(`device ${this.name}: snapshot lacks registers`);
    this.regs.restore(st.registers);
  }
}
