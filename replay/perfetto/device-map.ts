/**
 * Names MMIO addresses by the board's devices: the device (a device with
 * several register regions as DEVICE.REGION) and the offset in its region.
 */

import type { DeviceSpec } from '../../machine/boards/board-spec';

export interface DeviceRegion { lo: number; hi: number; name: string }

export class DeviceMap {
  private readonly regions: DeviceRegion[];

  constructor(devices: readonly DeviceSpec[]) {
    this.regions = devices.flatMap((d) => Object.entries(d.regions).map(([region, r]) => {
      const name = Object.keys(d.regions).length > 1 ? `${d.name}.${region}` : d.name;
      return { lo: r.base >>> 0, hi: (r.base + (r.size ?? 0x1000) - 1) >>> 0, name };
    })).sort((a, b) => a.lo - b.lo);
  }

  /** The region holding physical address pa, if a device has one there. */
  at(pa: number): DeviceRegion | undefined {
    const a = pa >>> 0;
    for (const r of this.regions) if (a >= r.lo && a <= r.hi) return r;
    return undefined;
  }
}

/** The physical address of GICC_IAR (interrupt acknowledge, offset 0x0c of the GIC's CPU interface), if the board has a GIC. */
export function gicAcknowledgeRegister(devices: readonly DeviceSpec[]): number | undefined {
  const gic = devices.find((d) => /gic/i.test(d.type) && d.regions.cpu);
  return gic ? (gic.regions.cpu.base + 0x0c) >>> 0 : undefined;
}
