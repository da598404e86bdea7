/**
 * ARM PrimeCell PL011 UART, as QEMU 7.2 models it (hw/char/pl011.c), because
 * vexpress-a9 outputs are compared byte for byte with QEMU's:
 *
 * - Transmit is immediate: a write to UARTDR goes straight to the console and
 *   sets the TX interrupt; the transmit FIFO is never full or busy (UARTFR
 *   reads TXFE=1, TXFF=0, BUSY=0 always).
 * - The receive FIFO is 16 entries with LCR_H.FEN set, 1 without. The RX
 *   interrupt is raised when the FIFO fill level reaches the read trigger,
 *   which QEMU fixes at 1 (UARTIFLS is stored but ignored), and cleared when
 *   a read brings it back below.
 * - Changing FEN empties the receive FIFO without updating RXFE/RXFF (QEMU 7.2
 *   does the same; later versions fixed it).
 * - Loopback (CR.LBE), the enable bits and the baud rate are not modelled,
 *   as in QEMU 7.2. IBRD/FBRD keep all 32 written bits.
 * - A byte or halfword access reads or writes the low bits of the register
 *   the offset falls in (QEMU's PL011 does not shift by the byte lane).
 * - Typed input crosses the line at the board's 'baud' property (default
 *   115200, 10 bits per character: lineTicks, machine/serial-line.ts), one
 *   byte per character time. Bytes arriving while the FIFO is full wait in a
 *   backlog (QEMU's character backend holds them until the guest reads
 *   UARTDR), so none are lost: unlike the 16550's, this line waits for the
 *   receiver, as QEMU's does (the baud rate registers IBRD/FBRD do not set it).
 *
 * One interrupt output: UARTINTR, the OR of all masked interrupt sources.
 */

import type { Device, DeviceContext, DeviceProps, DeviceType, IrqOutput } from '../device';
import { prop, type PropRule } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';
import { RegisterMap, type RegisterDef } from '../register-map';
import { lineTicks } from '../../serial-line';

const TYPE = 'arm,pl011';

const FR_TXFE = 0x80;
const FR_RXFF = 0x40;
const FR_RXFE = 0x10;
const INT_TX = 0x20;
const INT_RX = 0x10;
/** Sources that reach the combined UARTINTR line (OE BE PE FE RT TX RX DSR DCD CTS RI). */
const INT_ALL = 0x7ff;
const LCR_FEN = 0x10;
const FIFO_SLOTS = 16;

/** UARTPeriphID0-3, UARTPCellID0-3 of QEMU's "pl011" (ARM) variant. */
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

interface State {
  flags: number;
  lcr: number;
  rsr: number;
  cr: number;
  dmacr: number;
  intEnabled: number;
  intLevel: number;
  ilpr: number;
  ibrd: number;
  fbrd: number;
  ifl: number;
  readFifo: number[];
  readPos: number;
  readCount: number;
  readTrigger: number;
  /** Received bytes waiting for room in the FIFO. */
  backlog: number[];
}

function powerOnState(): State {
  return {
    flags: FR_TXFE | FR_RXFE, lcr: 0, rsr: 0, cr: 0x300, dmacr: 0, intEnabled: 0, intLevel: 0,
    ilpr: 0, ibrd: 0, fbrd: 0, ifl: 0x12, readFifo: new Array(FIFO_SLOTS).fill(0),
    readPos: 0, readCount: 0, readTrigger: 1, backlog: [],
  };
}

class Pl011 extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    ...Object.fromEntries(['flags', 'lcr', 'rsr', 'cr', 'dmacr', 'intEnabled', 'intLevel', 'ilpr', 'ibrd', 'fbrd', 'ifl'].map((k) => [k, { kind: 'u32', field: `s.${k}` }])),
    readFifo: { kind: 'u32[]', field: 's.readFifo', length: FIFO_SLOTS },
    readPos: { kind: 'u32', field: 's.readPos' }, readCount: { kind: 'u32', field: 's.readCount' }, readTrigger: { kind: 'u32', field: 's.readTrigger' },
    backlog: { kind: 'u32[]', field: 's.backlog' },
  };
  private s: State = powerOnState();
  private readonly regs: RegisterMap;
  private readonly irq: IrqOutput;

  constructor(private readonly ctx: DeviceContext, private readonly baud: number) {
    super();
    this.name = ctx.name;
    this.irq = ctx.irq(0);
    const s = () => this.s;
    const defs: RegisterDef[] = [
      { offset: 0x00, name: 'UARTDR', read: () => this.readData(), write: (v) => this.transmit(v) },
      // Any write to UARTECR clears the receive status.
      { offset: 0x04, name: 'UARTRSR', read: () => s().rsr, write: () => { s().rsr = 0; } },
      // Writes to the flag register are ignored without complaint.
      { offset: 0x18, name: 'UARTFR', reset: FR_TXFE | FR_RXFE, read: () => s().flags, write: () => {} },
      { offset: 0x20, name: 'UARTILPR', read: () => s().ilpr, write: (v) => { s().ilpr = v; } },
      { offset: 0x24, name: 'UARTIBRD', read: () => s().ibrd, write: (v) => { s().ibrd = v; } },
      { offset: 0x28, name: 'UARTFBRD', read: () => s().fbrd, write: (v) => { s().fbrd = v; } },
      { offset: 0x2c, name: 'UARTLCR_H', read: () => s().lcr, write: (v) => this.writeLcr(v) },
      { offset: 0x30, name: 'UARTCR', reset: 0x300, read: () => s().cr, write: (v) => { s().cr = v; } },
      { offset: 0x34, name: 'UARTIFLS', reset: 0x12, read: () => s().ifl, write: (v) => { s().ifl = v; s().readTrigger = 1; } },
      { offset: 0x38, name: 'UARTIMSC', read: () => s().intEnabled, write: (v) => { s().intEnabled = v; this.update(); } },
      { offset: 0x3c, name: 'UARTRIS', access: 'ro', read: () => s().intLevel },
      { offset: 0x40, name: 'UARTMIS', access: 'ro', read: () => (s().intLevel & s().intEnabled) >>> 0 },
      { offset: 0x44, name: 'UARTICR', access: 'wo', write: (v) => { s().intLevel = (s().intLevel & ~v) >>> 0; this.update(); } },
      { offset: 0x48, name: 'UARTDMACR', read: () => s().dmacr, write: (v) => this.writeDmacr(v) },
      ...['UARTPeriphID0', 'UARTPeriphID1', 'UARTPeriphID2', 'UARTPeriphID3', 'UARTPCellID0', 'UARTPCellID1', 'UARTPCellID2', 'UARTPCellID3']
        .map((name, i): RegisterDef => ({ offset: 0xfe0 + 4 * i, name, reset: ID[i], access: 'ro', read: () => ID[i] })),
    ];
    this.regs = new RegisterMap(ctx, defs);
  }

  read(_region: number, offset: number, size: number): number {
    const v = this.regs.read(offset & ~3, 4);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const v = size === 4 ? value >>> 0 : value & (size === 2 ? 0xffff : 0xff);
    this.regs.write(offset & ~3, 4, v);
  }

  lineTicks(characters: number): number {
    return lineTicks(characters, this.baud, this.ctx.ticksPerSecond);
  }

  receive(data: Uint8Array): void {
    for (const b of data) this.s.backlog.push(b);
    this.drainBacklog();
  }

  reset(): void {
    this.s = powerOnState();
    this.update();
  }

  restored(): void {
    this.update();
  }

  private depth(): number { return this.s.lcr & LCR_FEN ? FIFO_SLOTS : 1; }

  private transmit(v: number): void {
    this.ctx.console(Uint8Array.of(v & 0xff));
    this.s.intLevel = (this.s.intLevel | INT_TX) >>> 0;
    this.update();
  }

  private readData(): number {
    const s = this.s;
    s.flags &= ~FR_RXFF;
    const c = s.readFifo[s.readPos];
    if (s.readCount > 0) {
      s.readCount--;
      s.readPos = (s.readPos + 1) % FIFO_SLOTS;
    }
    if (s.readCount === 0) s.flags |= FR_RXFE;
    if (s.readCount === s.readTrigger - 1) s.intLevel = (s.intLevel & ~INT_RX) >>> 0;
    s.rsr = c >>> 8;
    this.update();
    this.drainBacklog();
    return c;
  }

  private putFifo(value: number): void {
    const s = this.s;
    const slot = (s.readPos + s.readCount) % FIFO_SLOTS;
    s.readFifo[slot] = value;
    s.readCount++;
    s.flags &= ~FR_RXFE;
    if (!(s.lcr & LCR_FEN) || s.readCount === FIFO_SLOTS) s.flags |= FR_RXFF;
    if (s.readCount === s.readTrigger) {
      s.intLevel = (s.intLevel | INT_RX) >>> 0;
      this.update();
    }
  }

  private drainBacklog(): void {
    const s = this.s;
    while (s.backlog.length && s.readCount < this.depth()) this.putFifo(s.backlog.shift()!);
  }

  private writeLcr(v: number): void {
    const s = this.s;
    if ((s.lcr ^ v) & LCR_FEN) {
      s.readCount = 0;
      s.readPos = 0;
    }
    s.lcr = v;
    s.readTrigger = 1;
    // A wider FIFO may take bytes that were waiting.
    this.drainBacklog();
  }

  private writeDmacr(v: number): void {
    this.s.dmacr = v;
    if (v & 3) this.ctx.guestError('DMA not implemented');
  }

  private update(): void {
    this.irq.set((this.s.intLevel & this.s.intEnabled & INT_ALL) !== 0);
  }
}

const PL011_PROPS = {
  baud: { default: 115_200, min: 50, max: 4_000_000, description: 'line rate of console input (bits per second, 10 bits per character)' },
} satisfies Record<string, PropRule>;

export const pl011: DeviceType = {
  type: TYPE,
  description: 'ARM PrimeCell PL011 UART (QEMU 7.2 model: immediate transmit, 16-entry receive FIFO)',
  capabilities: ['console'],
  regions: ['registers'],
  regionSizes: [0x1000],
  irqOutputs: 1,
  props: PL011_PROPS,
  create(ctx: DeviceContext, props: DeviceProps): Device {
    return new Pl011(ctx, prop(props, 'baud', PL011_PROPS.baud));
  },
};
