/**
 * NS16550A UART (Tegra20 UARTA..E; any board's 8250-compatible console).
 *
 * Registers sit on a (1 << reg-shift)-byte stride; only the low byte of each
 * slot is a register, so byte, halfword and word accesses to the slot base all
 * reach it and the other bytes of the slot read as zero.
 *
 * Simplifications (deterministic by construction):
 * - Transmission takes no virtual time: a byte written to THR goes straight to
 *   the console (or, in loopback, to the receive FIFO), so THR and the shifter
 *   are empty again at once (LSR THRE and TEMT always set). The THRE interrupt
 *   is therefore re-armed by every THR write, as it would be the moment a real
 *   16550 finished sending the byte.
 * - Character timeout (IIR 0xC): a real 16550 waits four character times
 *   before reporting data below the trigger level. Here the indication is
 *   given immediately whenever data is pending below the trigger level, so the
 *   guest sees every received byte without a timer.
 * - The line rate is the board's 'baud' property (default 115200), the rate
 *   of the terminal on the other end: typed input crosses the line one
 *   character (10 bits, 8N1) at a time (lineTicks, machine/serial-line.ts),
 *   about 86.8 us per byte at 115200, and the wire keeps pace whether or not
 *   the guest reads. The guest's divisor (DLL/DLM), word length and parity
 *   (LCR) are stored and read back only, never compared with it; 'clock-hz'
 *   is informational.
 * - No break, parity or framing errors are ever received; only overrun (a byte
 *   arriving with the receive FIFO full is dropped and LSR OE is set), which a
 *   guest reading at the line rate never sees.
 * - Modem inputs outside loopback read as CTS, DSR and DCD asserted, RI off.
 * - In loopback (MCR bit 4) the serial input is disconnected: bytes from the
 *   input log that arrive meanwhile are dropped, as the real receiver would.
 * - FIFO trigger levels are 1, 4, 8 and 14 bytes (FCR bits 7:6), the values
 *   Linux uses for PORT_TEGRA; 'fifo-size' is the receive FIFO capacity.
 *
 * Interrupt output 0: level, high while IIR reports a pending interrupt.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType } from './device';
import { prop, type PropRule } from './device';
import { DeclaredStateDevice, type StateDecl } from './state';
import { lineTicks } from '../serial-line';

const TYPE = 'ns16550a';

/** The register file as data: slot index, datasheet names (read / write / with LCR.DLAB = 1), reset value. */
export const NS16550_REGISTERS: ReadonlyArray<{ index: number; read: string; write: string; dlab?: string; reset: number }> = [
  { index: 0, read: 'RBR', write: 'THR', dlab: 'DLL', reset: 0x00 },
  { index: 1, read: 'IER', write: 'IER', dlab: 'DLM', reset: 0x00 },
  { index: 2, read: 'IIR', write: 'FCR', reset: 0x01 },
  { index: 3, read: 'LCR', write: 'LCR', reset: 0x00 },
  { index: 4, read: 'MCR', write: 'MCR', reset: 0x00 },
  { index: 5, read: 'LSR', write: 'LSR (factory test)', reset: 0x60 },
  { index: 6, read: 'MSR', write: 'MSR', reset: 0xb0 },
  { index: 7, read: 'SCR', write: 'SCR', reset: 0x00 },
];

const IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
const IER_MASK = 0x0f;
const IIR_NONE = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06, IIR_TIMEOUT = 0x0c, IIR_FIFO = 0xc0;
const FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10, MCR_MASK = 0x1f;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
const LSR_ERRORS = 0x1e; // OE, PE, FE, BI
const MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
const MSR_DCTS = 0x01, MSR_DDSR = 0x02, MSR_TERI = 0x04, MSR_DDCD = 0x08;
/** Modem inputs of a console with nothing attached: clear to send, data set ready, carrier. */
const MSR_EXTERNAL = MSR_CTS | MSR_DSR | MSR_DCD;
const RX_TRIGGER = [1, 4, 8, 14];

export class Ns16550 extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    ier: 'u32', lcr: 'u32', mcr: 'u32', lsrErrors: 'u32', msr: 'u32', scr: 'u32', dll: 'u32', dlm: 'u32',
    fifoEnabled: 'bool', triggerSel: 'u32', rx: 'u32[]', thrPending: 'bool',
  };
  private readonly shift: number;
  private readonly fifoSize: number;
  readonly clockHz: number;
  /** Bits per second on the receive line (configuration, not state). */
  readonly baud: number;

  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  /** LSR error bits (OE); DR, THRE and TEMT are derived. */
  private lsrErrors = 0;
  /** MSR: line states in 7:4, delta bits in 3:0. */
  private msr = MSR_EXTERNAL;
  private scr = 0;
  private dll = 0;
  private dlm = 0;
  private fifoEnabled = false;
  private triggerSel = 0;
  private rx: number[] = [];
  private thrPending = false;
  private irqLevel = false;

  constructor(private readonly ctx: DeviceContext, props: DeviceProps) {
    super();
    this.name = ctx.name;
    this.shift = prop(props, 'reg-shift', NS16550_PROPS['reg-shift']);
    this.fifoSize = prop(props, 'fifo-size', NS16550_PROPS['fifo-size']);
    this.clockHz = prop(props, 'clock-hz', NS16550_PROPS['clock-hz']);
    this.baud = prop(props, 'baud', NS16550_PROPS.baud);
    this.reset();
  }

  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.msr = MSR_EXTERNAL;
    this.scr = 0;
    this.dll = 0;
    this.dlm = 0;
    this.fifoEnabled = false;
    this.triggerSel = 0;
    this.rx = [];
    this.thrPending = false;
    this.irqLevel = false;
    this.ctx.irq(0).set(false);
  }

  private slot(offset: number): number {
    // Bytes above the register's low byte within its slot are not registers.
    if ((offset & ((1 << this.shift) - 1)) !== 0) return -1;
    const index = offset >>> this.shift;
    if (index > 7) {
      this.ctx.guestError(`access to unknown UART register at offset 0x${offset.toString(16)}`);
      return -1;
    }
    return index;
  }

  read(_region: number, offset: number, _size: number): number {
    const index = this.slot(offset);
    if (index < 0) return 0;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (index) {
      case 0: {
        if (dlab) return this.dll;
        const b = this.rx.length ? this.rx.shift()! : 0;
        this.update();
        return b;
      }
      case 1: return dlab ? this.dlm : this.ier;
      case 2: {
        const iir = this.iir();
        // Reading IIR while it reports THRE acknowledges that interrupt.
        if ((iir & 0x0f) === IIR_THRI) {
          this.thrPending = false;
          this.update();
        }
        return iir;
      }
      case 3: return this.lcr;
      case 4: return this.mcr;
      case 5: {
        const lsr = this.lsr();
        if (this.lsrErrors) {
          this.lsrErrors = 0;
          this.update();
        }
        return lsr;
      }
      case 6: {
        const msr = this.msr;
        if (msr & 0x0f) {
          this.msr &= 0xf0;
          this.update();
        }
        return msr;
      }
      default: return this.scr;
    }
  }

  write(_region: number, offset: number, _size: number, value: number): void {
    const index = this.slot(offset);
    if (index < 0) return;
    const v = value & 0xff;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (index) {
      case 0:
        if (dlab) { this.dll = v; return; }
        this.transmit(v);
        return;
      case 1: {
        if (dlab) { this.dlm = v; return; }
        const old = this.ier;
        this.ier = v & IER_MASK;
        // Enabling THRE interrupts while THR is empty raises one at once; disabling drops it.
        if (this.ier & IER_THRI) { if (!(old & IER_THRI)) this.thrPending = true; }
        else this.thrPending = false;
        this.update();
        return;
      }
      case 2: this.writeFcr(v); return;
      case 3: this.lcr = v; return;
      case 4: this.mcr = v & MCR_MASK; this.updateModemLines(); return;
      case 5: this.ctx.guestError('write to LSR ignored'); return;
      case 6: this.ctx.guestError('write to MSR ignored'); return;
      default: this.scr = v; return;
    }
  }

  lineTicks(characters: number): number {
    return lineTicks(characters, this.baud, this.ctx.ticksPerSecond);
  }

  /** Bytes from the input log arriving on the serial line. */
  receive(data: Uint8Array): void {
    if (this.mcr & MCR_LOOP) return;
    for (const b of data) this.pushRx(b);
    this.update();
  }

  private transmit(b: number): void {
    if (this.mcr & MCR_LOOP) this.pushRx(b);
    else this.ctx.console(Uint8Array.of(b));
    // The byte left THR immediately: THR is empty again and THRE re-arms.
    this.thrPending = true;
    this.update();
  }

  private pushRx(b: number): void {
    const capacity = this.fifoEnabled ? this.fifoSize : 1;
    if (this.rx.length >= capacity) this.lsrErrors |= LSR_OE;
    else this.rx.push(b);
  }

  private writeFcr(v: number): void {
    const enable = (v & FCR_ENABLE) !== 0;
    // Changing the FIFO enable clears the FIFOs.
    if (enable !== this.fifoEnabled) this.rx = [];
    this.fifoEnabled = enable;
    if (enable) {
      if (v & FCR_CLEAR_RX) this.rx = [];
      this.triggerSel = v >>> 6;
    }
    this.update();
  }

  private modemInputs(): number {
    if (!(this.mcr & MCR_LOOP)) return MSR_EXTERNAL;
    // Loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
    const m = this.mcr;
    return ((m & 0x02) ? MSR_CTS : 0) | ((m & 0x01) ? MSR_DSR : 0) | ((m & 0x04) ? MSR_RI : 0) | ((m & 0x08) ? MSR_DCD : 0);
  }

  private updateModemLines(): void {
    const old = this.msr & 0xf0;
    const now = this.modemInputs();
    const changed = old ^ now;
    let delta = this.msr & 0x0f;
    if (changed & MSR_CTS) delta |= MSR_DCTS;
    if (changed & MSR_DSR) delta |= MSR_DDSR;
    if ((old & MSR_RI) && !(now & MSR_RI)) delta |= MSR_TERI;
    if (changed & MSR_DCD) delta |= MSR_DDCD;
    this.msr = now | delta;
    this.update();
  }

  private lsr(): number {
    return (this.rx.length ? LSR_DR : 0) | this.lsrErrors | LSR_THRE | LSR_TEMT;
  }

  /** IIR with the 16550 priority order: line status > received data / timeout > THRE > modem status. */
  private iir(): number {
    let id = IIR_NONE;
    if ((this.ier & IER_RLSI) && (this.lsrErrors & LSR_ERRORS)) id = IIR_RLSI;
    else if ((this.ier & IER_RDI) && this.rx.length) {
      id = this.fifoEnabled && this.rx.length < RX_TRIGGER[this.triggerSel] ? IIR_TIMEOUT : IIR_RDI;
    } else if ((this.ier & IER_THRI) && this.thrPending) id = IIR_THRI;
    else if ((this.ier & IER_MSI) && (this.msr & 0x0f)) id = IIR_MSI;
    return id | (this.fifoEnabled ? IIR_FIFO : 0);
  }

  private update(): void {
    const level = (this.iir() & 0x0f) !== IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.ctx.irq(0).set(level);
    }
  }

  /** After a restore: the interrupt output follows the restored registers. */
  restored(): void {
    this.irqLevel = (this.iir() & 0x0f) !== IIR_NONE;
    this.ctx.irq(0).set(this.irqLevel);
  }
}

const NS16550_PROPS = {
  'reg-shift': { default: 2, min: 0, max: 2, description: 'register spacing: 1 << reg-shift bytes' },
  'fifo-size': { default: 32, min: 1, max: 65536, description: 'receive and transmit FIFO depth' },
  'clock-hz': { default: 216_000_000, min: 1, max: 0xffffffff, description: 'UART clock' },
  baud: { default: 115_200, min: 50, max: 4_000_000, description: 'line rate of console input (bits per second, 10 bits per character)' },
} satisfies Record<string, PropRule>;

export const ns16550: DeviceType = {
  type: TYPE,
  description: 'NS16550A-compatible UART (reg-shift stride, receive FIFO, loopback); transmit goes to the console',
  capabilities: ['console'],
  regions: ['registers'],
  regionSizes: [0x100],
  irqOutputs: 1,
  props: NS16550_PROPS,
  create: (ctx, props) => new Ns16550(ctx, props),
};
