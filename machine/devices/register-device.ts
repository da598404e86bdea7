/**
 * Base of devices whose whole state is one register map: MMIO goes to the map,
 * reset resets it, snapshots carry its registers by name (declared state
 * `registers`). Subclasses override read/write for the offsets that need more
 * than storage, and add to stateFields what else they keep.
 */

import type { Device, DeviceContext } from './device';
import { RegisterMap, type RegisterDef } from './register-map';
import { DeclaredStateDevice, type StateDecl } from './state';

export abstract class RegisterDevice extends DeclaredStateDevice implements Device {
  readonly name: string;
  protected readonly regs: RegisterMap;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' } };

  constructor(protected readonly ctx: DeviceContext, readonly type: string, private readonly version: number, defs: RegisterDef[]) {
    super();
    this.name = ctx.name;
    this.regs = new RegisterMap(ctx, defs);
  }

  override get stateVersion(): number { return this.version; }

  read(_region: number, offset: number, size: number): number { return this.regs.read(offset, size); }

  write(_region: number, offset: number, size: number, value: number): void { this.regs.write(offset, size, value); }

  reset(): void { this.regs.reset(); }
}
