/**
 * Versatile Express motherboard system registers (V2M-P1 "sysregs"), as
 * QEMU 7.2 models them for -M vexpress-a9 (hw/misc/arm_sysctl.c with the
 * sys_id, proc_id, daughterboard voltages and clocks from hw/arm/vexpress.c),
 * because vexpress-a9 outputs are compared byte for byte with QEMU's:
 *
 * - SYS_ID 0x1190f500, SYS_PROCID0 0x0c000191 (CoreTile A9x4), SYS_PROCID1
 *   0xff000000, SYS_PCICTL 1. SYS_SW, SYS_OSCn, SYS_100HZ, SYS_FLASH,
 *   SYS_CLCDSER, SYS_BOOTCS and SYS_MISC read as zero: QEMU does not
 *   implement the 100 Hz counter, it reads 0.
 * - SYS_24MHZ counts at 24 MHz of virtual time from machine start.
 * - SYS_RESETCTL and SYS_CLCD are RAZ/WI on VExpress.
 * - SYS_LOCK keeps 0xA05F when written with it, otherwise the low 15 bits.
 * - SYS_FLAGS (0x30) reads the flags; a write there is SYS_FLAGSSET (sets
 *   the bits written), a write to SYS_FLAGSCLR (0x34) clears them; a reset
 *   clears them. On several cores this is where Linux leaves its secondary
 *   entry point for the boot stub (machine/boot/linux-boot.ts). SYS_NVFLAGS
 *   and SYS_NVFLAGSCLR (0x38, 0x3c) likewise, but they survive a reset.
 * - The configuration bus (SYS_CFGDATA/CFGCTRL/CFGSTAT): a write to CFGCTRL
 *   with the start bit performs the transfer at once and sets CFGSTAT to
 *   complete (1), or complete|error (3). Reads: motherboard oscillators 0-5,
 *   daughterboard oscillators 0-2, motherboard voltage 0, daughterboard
 *   voltages 0-5. Writes: oscillators, MUXFPGA, DVIMODE (accepted and
 *   ignored), SHUTDOWN and REBOOT (site 0, device 0) which request a reset.
 * - A reset keeps NVFLAGS, MCI and the configuration-bus registers, as QEMU's.
 * - Registers are decoded at exact offsets: an unaligned access is a bad
 *   register; a byte or halfword access reads the low bits of the register.
 *
 * No interrupt outputs. Props: 'sys-id', 'proc-id' (defaults above).
 */

import { prop, WORD_RULE, type PropRule, type Device, type DeviceContext, type DeviceProps, type DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';

const TYPE = 'arm,vexpress-sysreg';

const LOCK_VALUE = 0xa05f;

const SYS_CFG_OSC = 1;
const SYS_CFG_VOLT = 2;
const SYS_CFG_MUXFPGA = 7;
const SYS_CFG_SHUTDOWN = 8;
const SYS_CFG_REBOOT = 9;
const SYS_CFG_DVIMODE = 11;
const SITE_MB = 0;
const SITE_DB1 = 1;

/** Motherboard oscillators in Hz: static memory, CLCD, and four 24 MHz clocks. */
const MB_CLOCKS = [50000000, 23750000, 24000000, 24000000, 24000000, 24000000];
/** CoreTile A9x4 oscillators in Hz: AXI ACLK, CLCD, test chip reference. */
const DB_CLOCKS = [45000000, 23750000, 66670000];
/** CoreTile A9x4 voltage sensors in microvolts. */
const DB_VOLTAGES = [1000000, 1000000, 1000000, 1800000, 900000, 3300000];
/** The one motherboard voltage sensor, VIO, in microvolts. */
const MB_VOLTAGE = 3300000;

interface State {
  leds: number;
  lockval: number;
  cfgdata1: number;
  cfgdata2: number;
  flags: number;
  nvflags: number;
  mci: number;
  cfgdata: number;
  cfgctrl: number;
  cfgstat: number;
  mbClock: number[];
  dbClock: number[];
}

function powerOnState(): State {
  return {
    leds: 0, lockval: 0, cfgdata1: 0, cfgdata2: 0, flags: 0, nvflags: 0, mci: 0,
    cfgdata: 0, cfgctrl: 0, cfgstat: 0, mbClock: [...MB_CLOCKS], dbClock: [...DB_CLOCKS],
  };
}

class VexpressSysregs extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    ...Object.fromEntries(['leds', 'lockval', 'cfgdata1', 'cfgdata2', 'flags', 'nvflags', 'mci', 'cfgdata', 'cfgctrl', 'cfgstat'].map((k) => [k, { kind: 'u32', field: `s.${k}` }])),
    mbClock: { kind: 'u32[]', field: 's.mbClock', length: MB_CLOCKS.length },
    dbClock: { kind: 'u32[]', field: 's.dbClock', length: DB_CLOCKS.length },
  };
  private s: State = powerOnState();
  private readonly regs: RegisterMap;

  constructor(private readonly ctx: DeviceContext, private readonly sysId: number, private readonly procId: number) {
    super();
    this.name = ctx.name;
    const s = () => this.s;
    const zero = () => 0;
    const ignore = () => {};
    const defs: RegisterDef[] = [
      { offset: 0x00, name: 'SYS_ID', reset: sysId, access: 'ro', read: () => this.sysId },
      { offset: 0x04, name: 'SYS_SW', access: 'ro', read: zero },
      { offset: 0x08, name: 'SYS_LED', read: () => s().leds, write: (v) => { s().leds = v; } },
      ...[0, 1, 2, 3, 4].map((i): RegisterDef => ({ offset: 0x0c + 4 * i, name: `SYS_OSC${i}`, read: zero, write: ignore })),
      { offset: 0x20, name: 'SYS_LOCK', read: () => s().lockval, write: (v) => { s().lockval = v === LOCK_VALUE ? v : v & 0x7fff; } },
      { offset: 0x24, name: 'SYS_100HZ', access: 'ro', read: zero },
      { offset: 0x28, name: 'SYS_CFGDATA1', read: () => s().cfgdata1, write: (v) => { s().cfgdata1 = v; } },
      { offset: 0x2c, name: 'SYS_CFGDATA2', read: () => s().cfgdata2, write: (v) => { s().cfgdata2 = v; } },
      { offset: 0x30, name: 'SYS_FLAGS', read: () => s().flags, write: (v) => { s().flags = (s().flags | v) >>> 0; } }, // written: SYS_FLAGSSET
      { offset: 0x34, name: 'SYS_FLAGSCLR', access: 'wo', write: (v) => { s().flags = (s().flags & ~v) >>> 0; } },
      { offset: 0x38, name: 'SYS_NVFLAGS', read: () => s().nvflags, write: (v) => { s().nvflags = (s().nvflags | v) >>> 0; } },
      { offset: 0x3c, name: 'SYS_NVFLAGSCLR', access: 'wo', write: (v) => { s().nvflags = (s().nvflags & ~v) >>> 0; } },
      { offset: 0x40, name: 'SYS_RESETCTL', read: zero, write: ignore },
      { offset: 0x44, name: 'SYS_PCICTL', reset: 1, read: () => 1, write: ignore },
      { offset: 0x48, name: 'SYS_MCI', access: 'ro', read: () => s().mci },
      { offset: 0x4c, name: 'SYS_FLASH', read: zero, write: ignore },
      { offset: 0x50, name: 'SYS_CLCD', read: zero, write: ignore },
      { offset: 0x54, name: 'SYS_CLCDSER', read: zero, write: ignore },
      { offset: 0x58, name: 'SYS_BOOTCS', access: 'ro', read: zero },
      { offset: 0x5c, name: 'SYS_24MHZ', access: 'ro', read: () => this.counter24MHz() },
      { offset: 0x60, name: 'SYS_MISC', access: 'ro', read: zero },
      { offset: 0x64, name: 'SYS_DMAPSR0', read: zero, write: ignore },
      { offset: 0x68, name: 'SYS_DMAPSR1', read: zero, write: ignore },
      { offset: 0x6c, name: 'SYS_DMAPSR2', read: zero, write: ignore },
      { offset: 0x70, name: 'SYS_IOSEL', read: zero, write: ignore },
      { offset: 0x74, name: 'SYS_PLDCTL', read: zero, write: ignore },
      { offset: 0x80, name: 'SYS_BUSID', read: zero, write: ignore },
      { offset: 0x84, name: 'SYS_PROCID0', reset: procId, read: () => this.procId, write: ignore },
      { offset: 0x88, name: 'SYS_PROCID1', reset: 0xff000000, read: () => 0xff000000, write: ignore },
      ...[0, 1, 2, 3, 4].map((i): RegisterDef => ({ offset: 0x8c + 4 * i, name: `SYS_OSCRESET${i}`, read: zero, write: ignore })),
      { offset: 0xa0, name: 'SYS_CFGDATA', read: () => s().cfgdata, write: (v) => { s().cfgdata = v; } },
      { offset: 0xa4, name: 'SYS_CFGCTRL', read: () => s().cfgctrl, write: (v) => this.writeCfgCtrl(v) },
      { offset: 0xa8, name: 'SYS_CFGSTAT', read: () => s().cfgstat, write: (v) => { s().cfgstat = v & 3; } },
      ...[0, 1, 2, 3, 4].map((i): RegisterDef => ({ offset: 0xc0 + 4 * i, name: `SYS_TEST_OSC${i}`, access: 'ro', read: zero })),
    ];
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number {
    if (offset & 3) {
      this.ctx.guestError(`read of unknown register at offset 0x${offset.toString(16)}`);
      return 0;
    }
    const v = this.regs.read(offset, 4);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    if (offset & 3) {
      this.ctx.guestError(`write of unknown register at offset 0x${offset.toString(16)}`);
      return;
    }
    this.regs.write(offset, 4, size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff));
  }

  /** Virtual time scaled to 24 MHz, as QEMU's muldiv64(ns, 24000000, 1e9), low 32 bits. */
  private counter24MHz(): number {
    const ticks = BigInt(this.ctx.now());
    const ns = this.ctx.ticksPerSecond === 1e9 ? ticks : (ticks * 1_000_000_000n) / BigInt(this.ctx.ticksPerSecond);
    return Number(((ns * 24_000_000n) / 1_000_000_000n) & 0xffffffffn);
  }

  private writeCfgCtrl(v: number): void {
    const s = this.s;
    // Bits [19:18] are RAZ/WI; the start bit only triggers the transfer and reads as zero.
    s.cfgctrl = (v & ~((3 << 18) | (1 << 31))) >>> 0;
    if (v & (1 << 31)) {
      const dcc = (s.cfgctrl >>> 26) & 0xf;
      const fn = (s.cfgctrl >>> 20) & 0x3f;
      const site = (s.cfgctrl >>> 16) & 0x3;
      const position = (s.cfgctrl >>> 12) & 0xf;
      const device = s.cfgctrl & 0xfff;
      s.cfgstat = 1;
      if (s.cfgctrl & (1 << 30)) {
        if (!this.cfgWrite(dcc, fn, site, position, device, s.cfgdata)) s.cfgstat |= 2;
      } else {
        const val = this.cfgRead(dcc, fn, site, position, device);
        if (val === undefined) s.cfgstat |= 2;
        else s.cfgdata = val;
      }
    }
  }

  private cfgRead(dcc: number, fn: number, site: number, position: number, device: number): number | undefined {
    if (dcc === 0 && position === 0 && (site === SITE_MB || site === SITE_DB1)) {
      if (fn === SYS_CFG_VOLT) {
        if (site === SITE_DB1 && device < DB_VOLTAGES.length) return DB_VOLTAGES[device];
        if (site === SITE_MB && device === 0) return MB_VOLTAGE;
      } else if (fn === SYS_CFG_OSC) {
        if (site === SITE_MB && device < this.s.mbClock.length) return this.s.mbClock[device];
        if (site === SITE_DB1 && device < this.s.dbClock.length) return this.s.dbClock[device];
      }
    }
    this.ctx.guestError(`unimplemented SYS_CFGCTRL read of function 0x${fn.toString(16)} DCC 0x${dcc.toString(16)} site 0x${site.toString(16)} position 0x${position.toString(16)} device 0x${device.toString(16)}`);
    return undefined;
  }

  private cfgWrite(dcc: number, fn: number, site: number, position: number, device: number, val: number): boolean {
    if (dcc === 0 && position === 0 && (site === SITE_MB || site === SITE_DB1)) {
      switch (fn) {
        case SYS_CFG_OSC:
          if (site === SITE_MB && device < this.s.mbClock.length) { this.s.mbClock[device] = val >>> 0; return true; }
          if (site === SITE_DB1 && device < this.s.dbClock.length) { this.s.dbClock[device] = val >>> 0; return true; }
          break;
        case SYS_CFG_MUXFPGA:
          // Selects motherboard or daughterboard video; there is only one picture here.
          if (site === SITE_MB && device === 0) return true;
          break;
        case SYS_CFG_SHUTDOWN:
          // QEMU powers off; the device context offers a machine reset, which stops the run as well.
          if (site === SITE_MB && device === 0) { this.ctx.requestReset(); return true; }
          break;
        case SYS_CFG_REBOOT:
          if (site === SITE_MB && device === 0) { this.ctx.requestReset(); return true; }
          break;
        case SYS_CFG_DVIMODE:
          if (site === SITE_MB && device === 0) return true;
          break;
      }
    }
    this.ctx.guestError(`unimplemented SYS_CFGCTRL write of function 0x${fn.toString(16)} DCC 0x${dcc.toString(16)} site 0x${site.toString(16)} position 0x${position.toString(16)} device 0x${device.toString(16)}`);
    return false;
  }

  /** QEMU's arm_sysctl_reset: NVFLAGS, MCI and the configuration-bus registers survive. */
  reset(): void {
    const s = this.s;
    s.leds = 0;
    s.lockval = 0;
    s.cfgdata1 = 0;
    s.cfgdata2 = 0;
    s.flags = 0;
    s.mbClock = [...MB_CLOCKS];
    s.dbClock = [...DB_CLOCKS];
  }

}

const SYSREG_PROPS = {
  'sys-id': WORD_RULE(0x1190f500, 'SYS_ID'),
  'proc-id': WORD_RULE(0x0c000191, 'SYS_PROCID0'),
} satisfies Record<string, PropRule>;

export const vexpressSysregs: DeviceType = {
  type: TYPE,
  description: 'Versatile Express motherboard system registers (QEMU 7.2 arm_sysctl as on vexpress-a9)',
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 0,
  props: SYSREG_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    const sysId = prop(props, 'sys-id', SYSREG_PROPS['sys-id']) >>> 0;
    const procId = prop(props, 'proc-id', SYSREG_PROPS['proc-id']) >>> 0;
    return new VexpressSysregs(ctx, sysId, procId);
  },
};
