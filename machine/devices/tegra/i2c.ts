/**
 * Tegra20 I2C controllers (I2C1..3 at 0x7000_C000, C400, C500) and the DVC
 * (0x7000_D000, the I2C controller of the PMU's bus) in packet mode, as
 * linux drivers/i2c/busses/i2c-tegra.c drives them.
 *
 * Registers of the I2C block (the DVC has them too, moved: those below 0x50
 * at + 0x40, the FIFO registers from 0x50 on at + 0x10, before them its own
 * DVC_CTRL_REG1..3 at 0x00..0x08 and DVC_STATUS at 0x0C):
 *   0x00 CNFG, 0x04..0x10 CMD_ADDR0/1, CMD_DATA1/2, 0x1C STATUS (reads 0: the
 *   bus is idle), 0x20..0x48 the slave registers (storage), 0x50 TX_FIFO
 *   (write-only), 0x54 RX_FIFO (read-only), 0x58 PACKET_TRANSFER_STATUS,
 *   0x5C FIFO_CONTROL (bit 0 RX_FLUSH, bit 1 TX_FLUSH: the FIFO empties and
 *   the bit reads back 0 at once, which Linux polls for; trigger levels
 *   stored), 0x60 FIFO_STATUS (bits 7:4 free TX words, 3:0 full RX words),
 *   0x64 INT_MASK, 0x68 INT_STATUS, 0x6C CLK_DIVISOR.
 *
 * A packet written to TX_FIFO is three header words (protocol and packet id;
 * payload size - 1; the I2C header: 7-bit address in bits 7:1, READ bit 19,
 * IE_ENABLE bit 17, REPEAT_START 16, CONTINUE_XFER 15) and, for a write, the
 * payload packed four bytes a word, low byte first. Once a packet is whole the
 * transfer takes 9 bit times per byte at 400 kHz (address byte included),
 * then: a target attached at the address takes the bytes or gives them (into
 * the RX FIFO, 8 words deep, refilled as it is read) and INT_STATUS bit 7
 * (PACKET_XFER_COMPLETE) and bit 6 (ALL_PACKETS_XFER_COMPLETE) are set; with
 * no target there the address byte is not acknowledged, as on the bus:
 * INT_STATUS bit 3 (NO_ACK). Bits 7, 6, 3 and 2 are write-1-to-clear; bit 1
 * (TX_FIFO_DATA_REQ: the TX FIFO has room) and bit 0 (RX_FIFO_DATA_REQ: the RX
 * FIFO holds at least its trigger level) follow the FIFOs. The interrupt is
 * high while INT_STATUS & INT_MASK is not 0, or a packet sent with IE_ENABLE
 * has completed and bit 7 is not yet cleared (the Tegra20 completes packets
 * that way: Linux leaves bit 7 masked). The DVC also sets DVC_STATUS bit 30
 * (I2C_DONE_INTR, write-1-to-clear) when a packet ends.
 *
 * Targets are attached by the code that builds a machine (attach()), or by
 * the props: 'tps6586x-address' puts a TPS6586x power management unit
 * (tps6586x.ts) at that 7-bit address, 'tps6586x-version' its VERSIONCRC.
 * tegra2-xoom attaches none (the Xoom's power IC is elsewhere), so every
 * address NACKs and Linux reports no device rather than a timeout.
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceProps, DeviceType, PropRule } from '../device';
import { checkProps, prop } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { Tps6586x, TPS6586X_DEFAULT_VERSION } from './tps6586x';

/** A device on the bus: takes written bytes and gives read ones; false / undefined is a NACK. */
export interface I2cTarget {
  write(bytes: readonly number[]): boolean;
  read(count: number): number[] | undefined;
}

const I2C_TYPE = 'nvidia,tegra20-i2c';
const DVC_TYPE = 'nvidia,tegra20-i2c-dvc';

// Offsets in the I2C block (before the DVC's move).
const CNFG = 0x00, STATUS = 0x1c, TX_FIFO = 0x50, RX_FIFO = 0x54, PACKET_STATUS = 0x58;
const FIFO_CONTROL = 0x5c, FIFO_STATUS = 0x60, INT_MASK = 0x64, INT_STATUS = 0x68, CLK_DIVISOR = 0x6c;
const STORAGE: Array<[number, string]> = [
  [CNFG, 'CNFG'], [0x04, 'CMD_ADDR0'], [0x08, 'CMD_ADDR1'], [0x0c, 'CMD_DATA1'], [0x10, 'CMD_DATA2'],
  [0x20, 'SL_CNFG'], [0x24, 'SL_RCVD'], [0x28, 'SL_STATUS'], [0x2c, 'SL_ADDR1'], [0x30, 'SL_ADDR2'],
  [0x34, 'TLOW_SEXT'], [0x3c, 'SL_DELAY_COUNT'], [0x40, 'SL_INT_MASK'], [0x44, 'SL_INT_SOURCE'], [0x48, 'SL_INT_SET'],
  [INT_MASK, 'INT_MASK'], [CLK_DIVISOR, 'CLK_DIVISOR'],
];
const DVC_CTRL: Array<[number, string]> = [[0x00, 'DVC_CTRL_REG1'], [0x04, 'DVC_CTRL_REG2'], [0x08, 'DVC_CTRL_REG3']];
const DVC_STATUS = 0x0c;
const DVC_I2C_DONE = 1 << 30;

const INT_RX_REQ = 1 << 0, INT_TX_REQ = 1 << 1, INT_ARB_LOST = 1 << 2, INT_NO_ACK = 1 << 3;
const INT_ALL_DONE = 1 << 6, INT_PACKET_DONE = 1 << 7;
const INT_W1C = INT_ARB_LOST | INT_NO_ACK | INT_ALL_DONE | INT_PACKET_DONE;
const HDR_READ = 1 << 19, HDR_IE = 1 << 17;
const FIFO_WORDS = 8;
/** One byte on the bus: 8 data bits and the acknowledge, at 400 kHz. */
const BYTE_NS = 9 * 2500;

export class TegraI2c extends DeclaredStateDevice implements Device {
  readonly name: string;
  readonly stateFields: StateDecl;
  /** The power management unit the props put on the bus, if any. */
  private readonly pmu: Tps6586x | undefined;
  /** Plain storage registers by offset in the I2C block (and the DVC's control registers by their own offset + 0x1000). */
  private regs = new Map<number, number>();
  /** Words of the packet being written (headers and payload). */
  private tx: number[] = [];
  private rx: number[] = [];
  /** Read words that do not fit the RX FIFO yet. */
  private rxPending: number[] = [];
  private intStatus = 0;
  private ieComplete = false;
  /** A read's words wait in rxPending: it completes when they have been read. */
  private completeWhenDrained = false;
  private dvcStatus = 0;
  private fifoControl = 0;
  /** When the packet on the bus ends (null: the bus is idle). */
  private doneAt: number | null = null;
  private doneEvent: ScheduledEvent | null = null;
  private readonly targets = new Map<number, I2cTarget>();

  constructor(private readonly ctx: DeviceContext, readonly type: string, props: DeviceProps = {}) {
    super();
    this.name = ctx.name;
    const pmuAddress = prop(props, 'tps6586x-address', I2C_PROPS['tps6586x-address']);
    const state: Record<string, StateDecl[string]> = {
      regs: 'map', tx: 'u32[]', rx: 'u32[]', rxPending: 'u32[]', intStatus: 'u32', ieComplete: 'bool',
      dvcStatus: 'u32', doneAt: 'int?', fifoControl: 'u32', completeWhenDrained: 'bool',
    };
    if (pmuAddress !== 0) {
      this.pmu = new Tps6586x(prop(props, 'tps6586x-version', I2C_PROPS['tps6586x-version']), () => ctx.requestPowerOff());
      this.attach(pmuAddress, this.pmu);
      state.pmu = { kind: 'group', fields: { regs: 'u32[]', pointer: 'int' } };
    }
    this.stateFields = state;
    this.reset();
  }

  private get dvc(): boolean { return this.type === DVC_TYPE; }

  /** Puts a device on the bus at a 7-bit address. */
  attach(address: number, target: I2cTarget): void { this.targets.set(address & 0x7f, target); }

  read(_region: number, offset: number, size: number): number {
    const off = this.logical(offset, size);
    if (off === undefined) { this.unknown('read', offset); return 0; }
    if (off >= 0x1000) return off === 0x1000 + DVC_STATUS ? this.dvcStatus : this.regs.get(off) ?? 0;
    switch (off) {
      case STATUS: return 0;
      case TX_FIFO: this.ctx.guestError('read of write-only register TX_FIFO'); return 0;
      case RX_FIFO: return this.popRx();
      case PACKET_STATUS: return 0;
      case FIFO_CONTROL: return this.fifoControl;
      case FIFO_STATUS: return (FIFO_WORDS << 4) | Math.min(this.rx.length, 0xf);
      case INT_STATUS: return this.status();
      default:
        if (this.regs.has(off)) return this.regs.get(off)!;
        this.unknown('read', offset);
        return 0;
    }
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const off = this.logical(offset, size);
    const v = value >>> 0;
    if (off === undefined) { this.unknown('write', offset); return; }
    if (off >= 0x1000) {
      if (off === 0x1000 + DVC_STATUS) this.dvcStatus &= ~(v & DVC_I2C_DONE);
      else this.regs.set(off, v);
      return;
    }
    switch (off) {
      case STATUS: case PACKET_STATUS: case FIFO_STATUS: this.ctx.guestError(`write to read-only register at offset 0x${offset.toString(16)}`); return;
      case RX_FIFO: this.ctx.guestError('write to read-only register RX_FIFO'); return;
      case TX_FIFO: this.pushTx(v); break;
      case FIFO_CONTROL:
        if (v & 1) { this.rx = []; this.rxPending = []; this.completeWhenDrained = false; }
        if (v & 2) this.tx = [];
        this.fifoControl = v & ~3;
        break;
      case INT_STATUS:
        this.intStatus &= ~(v & INT_W1C);
        if (v & INT_PACKET_DONE) this.ieComplete = false;
        break;
      default:
        if (!this.regs.has(off)) { this.unknown('write', offset); return; }
        this.regs.set(off, v);
    }
    this.drive();
  }

  reset(): void {
    if (this.doneEvent) this.ctx.cancel(this.doneEvent);
    this.doneEvent = null;
    this.doneAt = null;
    this.regs = new Map(STORAGE.filter(([o]) => !this.dvc || this.dvcOffset(o) !== undefined).map(([o]) => [o, 0]));
    if (this.dvc) for (const [o] of DVC_CTRL) this.regs.set(0x1000 + o, 0);
    this.tx = []; this.rx = []; this.rxPending = [];
    this.intStatus = 0; this.ieComplete = false; this.completeWhenDrained = false; this.dvcStatus = 0;
    this.fifoControl = 0;
    this.pmu?.reset();
    this.ctx.irq(0).set(false);
  }

  restored(): void {
    if (this.doneEvent) this.ctx.cancel(this.doneEvent);
    this.doneEvent = null;
    if (this.doneAt !== null) this.doneEvent = this.ctx.schedule(this.doneAt, `${this.name}.transfer`, () => this.finish());
    this.drive();
  }

  /** Offset in the I2C block for an access (DVC control registers: 0x1000 + their offset), or undefined. */
  private logical(offset: number, size: number): number | undefined {
    if (size !== 4 || (offset & 3) !== 0) return undefined;
    if (!this.dvc) return offset < 0x100 ? offset : undefined;
    if (offset <= DVC_STATUS) return 0x1000 + offset;
    if (offset >= 0x40 && offset < 0x60) return offset - 0x40;
    if (offset >= 0x60 && offset < 0x80) return offset - 0x10;
    return undefined;
  }

  /** Where an I2C-block register sits in the DVC, if it has room for it. */
  private dvcOffset(off: number): number | undefined {
    const o = off < TX_FIFO ? off + 0x40 : off + 0x10;
    return off < TX_FIFO && o >= 0x60 ? undefined : o;
  }

  private unknown(what: 'read' | 'write', offset: number): void {
    this.ctx.guestError(`${what} of unknown register at offset 0x${offset.toString(16)}`);
  }

  private status(): number {
    let s = this.intStatus;
    if (this.doneAt === null) s |= INT_TX_REQ; // the TX FIFO takes words
    const trigger = ((this.fifoControl >>> 2) & 7) + 1;
    if (this.rx.length >= trigger || (this.rx.length > 0 && this.rxPending.length === 0 && this.doneAt === null)) s |= INT_RX_REQ;
    return s >>> 0;
  }

  private drive(): void {
    const s = this.status();
    const mask = this.regs.get(INT_MASK) ?? 0;
    this.ctx.irq(0).set((s & mask) !== 0 || (this.ieComplete && (s & INT_PACKET_DONE) !== 0));
  }

  private popRx(): number {
    if (this.rx.length === 0) { this.ctx.guestError('read of RX_FIFO while it is empty'); return 0; }
    const word = this.rx.shift()!;
    if (this.rxPending.length) this.rx.push(this.rxPending.shift()!);
    if (this.completeWhenDrained && this.rxPending.length === 0) {
      this.completeWhenDrained = false;
      this.intStatus |= INT_PACKET_DONE | INT_ALL_DONE;
    }
    this.drive();
    return word;
  }

  /** A word for the packet being written; a whole packet goes on the bus. */
  private pushTx(word: number): void {
    if (this.doneAt !== null) { this.ctx.guestError('TX_FIFO written while a packet is on the bus (ignored)'); return; }
    this.tx.push(word);
    if (this.tx.length < 3) return;
    const length = (this.tx[1] & 0xfff) + 1;
    const reading = (this.tx[2] & HDR_READ) !== 0;
    if (!reading && this.tx.length < 3 + Math.ceil(length / 4)) return;
    this.doneAt = this.ctx.now() + (length + 1) * BYTE_NS;
    this.doneEvent = this.ctx.schedule(this.doneAt, `${this.name}.transfer`, () => this.finish());
  }

  /** The packet's end on the bus: acknowledged by a target, or not. */
  private finish(): void {
    this.doneEvent = null;
    this.doneAt = null;
    const [, sizeWord, header] = this.tx;
    const payload = this.tx.slice(3);
    this.tx = [];
    const length = (sizeWord & 0xfff) + 1;
    const target = this.targets.get((header >>> 1) & 0x7f);
    let acked = false;
    if (target && (header & HDR_READ)) {
      const bytes = target.read(length);
      if (bytes) {
        acked = true;
        const words: number[] = [];
        for (let i = 0; i < length; i += 4) {
          words.push((((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0));
        }
        const room = FIFO_WORDS - this.rx.length;
        this.rx.push(...words.slice(0, room));
        this.rxPending.push(...words.slice(room));
      }
    } else if (target) {
      const bytes = payload.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]).slice(0, length);
      acked = target.write(bytes);
    }
    if (acked) {
      // A read longer than the RX FIFO completes once the rest has been taken (Linux checks it has every byte).
      this.ieComplete = (header & HDR_IE) !== 0;
      if (this.rxPending.length) this.completeWhenDrained = true;
      else this.intStatus |= INT_PACKET_DONE | INT_ALL_DONE;
    } else {
      this.intStatus |= INT_NO_ACK;
    }
    if (this.dvc) this.dvcStatus |= DVC_I2C_DONE;
    this.drive();
  }
}

const I2C_PROPS = {
  'tps6586x-address': { default: 0, min: 0, max: 0x77, description: '7-bit address of a TPS6586x power management unit on this bus (0: none)' },
  'tps6586x-version': { default: TPS6586X_DEFAULT_VERSION, min: 0, max: 0xff, description: 'the TPS6586x VERSIONCRC register (0x15 TPS658621A, 0x2c TPS658621C/D, ...)' },
} satisfies Record<string, PropRule>;

function i2cType(type: string, description: string, size: number): DeviceType {
  const t: DeviceType = {
    type, description, regions: ['registers'], regionSizes: [size], irqOutputs: 1, props: I2C_PROPS,
    create: (ctx, props) => {
      const bad = checkProps(t, props);
      if (bad) throw bad;
      return new TegraI2c(ctx, type, props);
    },
  };
  return t;
}

export const tegraI2c = i2cType(I2C_TYPE, 'Tegra20 I2C controller in packet mode: TX/RX FIFOs, transfers to attached targets, NACK where none answers', 0x100);
export const tegraDvc = i2cType(DVC_TYPE, 'Tegra20 DVC: the I2C controller of the PMU bus, I2C registers moved behind the DVC control registers', 0x200);
