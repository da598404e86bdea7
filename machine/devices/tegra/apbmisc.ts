/**
 * Tegra20 APB_MISC block at 0x7000_0000: chip identification, straps, pin
 * multiplexing and pad control.
 *
 * - HIDREV (+0x804, read-only) = prop 'hidrev' (default 0x0004_2017: Tegra20,
 *   HIDFAM 7, major 1 = silicon, minor 4 = A04). Linux and the IRAM reset
 *   handler read the chip id (0x20) from bits 15:8.
 * - PP_STRAPPING_OPT_A (+0x008, read-only) = prop 'strapping-opt-a' (default 0).
 * - Pin multiplexing and pad control registers are plain read/write storage
 *   that is never logged, since pinctrl drivers sweep all of them:
 *   PP_TRISTATE_REG_A..D (0x014-0x020), PP_CONFIG_CTL (0x024), PP_PIN_MUX_CTL_A..G
 *   (0x080-0x098), PP_PULLUPDOWN_REG_A..E (0x0A0-0x0B0) and the GP pad/drive
 *   group control registers (0x868-0x90C, the pinctrl driver's drive bank).
 * - Any other offset in the 4 KiB window (e.g. DAS at 0xC00) is plain storage
 *   too, logged once per offset.
 * Nothing here changes how any pin behaves in the model.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from '../device';
import { prop, WORD_RULE, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, subword, type RegisterDef } from '../register-map';

const TYPE = 'nvidia,tegra20-apbmisc';
const SIZE = 0x1000;

const letters = 'ABCDEFG';
function bank(prefix: string, offset: number, count: number): RegisterDef[] {
  return Array.from({ length: count }, (_, i) => ({ offset: offset + i * 4, name: `${prefix}${letters[i]}` }));
}

export class TegraApbMisc extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = { registers: { kind: 'registers', field: 'regs' }, other: 'map' };
  private readonly regs: RegisterMap;
  private other = new Map<number, number>();

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    const hidrev = prop(props, 'hidrev', APBMISC_PROPS.hidrev);
    const strap = prop(props, 'strapping-opt-a', APBMISC_PROPS['strapping-opt-a']);
    const defs: RegisterDef[] = [
      { offset: 0x008, name: 'PP_STRAPPING_OPT_A', access: 'ro', reset: strap },
      ...bank('PP_TRISTATE_REG_', 0x014, 4),
      { offset: 0x024, name: 'PP_CONFIG_CTL' },
      ...bank('PP_PIN_MUX_CTL_', 0x080, 7),
      ...bank('PP_PULLUPDOWN_REG_', 0x0a0, 5),
      { offset: 0x804, name: 'GP_HIDREV', access: 'ro', reset: hidrev },
      ...Array.from({ length: (0x90c - 0x868) / 4 + 1 }, (_, i): RegisterDef => {
        const offset = 0x868 + i * 4;
        return { offset, name: `GP_PADCTL_0x${offset.toString(16)}` };
      }),
    ];
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number {
    if (this.regs.has(offset) || offset < 0 || offset >= SIZE) return this.regs.read(offset, size);
    this.ctx.guestError(`access to unnamed APB_MISC register at offset 0x${(offset & ~3).toString(16)}`);
    return subword(this.other.get(offset & ~3) ?? 0, offset, size);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    if (this.regs.has(offset) || offset < 0 || offset >= SIZE) { this.regs.write(offset, size, value); return; }
    const word = offset & ~3;
    this.ctx.guestError(`access to unnamed APB_MISC register at offset 0x${word.toString(16)}`);
    const shift = (offset & 3) * 8;
    const mask = size === 4 ? 0xffffffff : ((size === 2 ? 0xffff : 0xff) << shift) >>> 0;
    const old = this.other.get(word) ?? 0;
    this.other.set(word, ((old & ~mask) | ((value << shift) & mask)) >>> 0);
  }

  reset(): void {
    this.regs.reset();
    this.other = new Map();
  }

}

const APBMISC_PROPS = {
  hidrev: WORD_RULE(0x0004_2017, 'APB_MISC_GP_HIDREV'),
  'strapping-opt-a': WORD_RULE(0, 'PP_STRAPPING_OPT_A'),
} satisfies Record<string, PropRule>;

export const tegraApbMisc: DeviceType = {
  type: TYPE,
  description: 'Tegra20 APB_MISC: HIDREV chip id, strapping options, pinmux and pad control storage',
  regions: ['registers'],
  regionSizes: [SIZE],
  irqOutputs: 0,
  props: APBMISC_PROPS,
  create: (ctx, props) => new TegraApbMisc(ctx, props),
};
