/**
 * Tegra20 APB DMA controller at 0x6000_A000 (linux drivers/dma/tegra20-apb-dma.c,
 * tegra20.dtsi `dma@6000a000`): 16 channels moving words between memory (the
 * AHB side) and a device register (the APB side).
 *
 * Controller registers: 0x000 GENERAL (bit 31 ENABLE), 0x010 CNTRL,
 * 0x014 IRQ_STA_CPU (read-only: bit n is channel n's end-of-count status),
 * 0x01C IRQ_MASK (read-only), 0x020 IRQ_MASK_SET / 0x024 IRQ_MASK_CLR (write 1
 * to set / clear IRQ_MASK bits). Channel n at 0x1000 + n * 0x20:
 *   0x00 CSR: bit 31 ENB, 30 IE_EOC, 29 HOLD, 28 DIR (1: memory to device),
 *        27 ONCE, 21 FLOW, 20:16 REQ_SEL, 15:2 WCOUNT (words - 1);
 *   0x04 STATUS: bit 31 BUSY, 30 ISE_EOC (write 1 to clear), 15:2 COUNT;
 *   0x0C CSRE, 0x10 AHB_PTR, 0x14 AHB_SEQ, 0x18 APB_PTR, 0x1C APB_SEQ
 *        (APB_SEQ bits 18:16 = 1: the device address stays put, a FIFO).
 *
 * A channel starts when ENB is set with GENERAL enabled. Without FLOW it runs
 * at once: after 100 ns per word it has copied WCOUNT + 1 words (in order,
 * through ctx.dmaRead32/dmaWrite32), sets ISE_EOC, clears BUSY, and clears ENB
 * if ONCE (otherwise it starts over, as a continuous transfer does). Its
 * interrupt (output n: SPI 104 + n) is high while ISE_EOC, IE_EOC and its
 * IRQ_MASK bit are set. A transfer paced by a device's requests (FLOW) is
 * not modelled: it is logged as a guest error and stays BUSY until ENB is
 * cleared. A word nothing answers for ends the transfer like a completed one
 * and is logged. Only 32-bit buses are modelled (what Linux programs).
 */

import type { ScheduledEvent } from '../../events';
import type { Device, DeviceContext, DeviceType } from '../device';
import { DeclaredStateDevice, type StateDecl } from '../state';

const TYPE = 'nvidia,tegra20-apbdma';
export const APB_DMA_CHANNELS = 16;
const CHANNEL_BASE = 0x1000;
const CHANNEL_SIZE = 0x20;
const WORD_NS = 100;

const GENERAL = 0x000, CNTRL = 0x010, IRQ_STA_CPU = 0x014, IRQ_MASK = 0x01c, IRQ_MASK_SET = 0x020, IRQ_MASK_CLR = 0x024;
const GENERAL_ENABLE = 1 << 31;
const CSR = 0x00, STATUS = 0x04, CSRE = 0x0c, AHB_PTR = 0x10, AHB_SEQ = 0x14, APB_PTR = 0x18, APB_SEQ = 0x1c;
const CSR_ENB = 1 << 31, CSR_IE_EOC = 1 << 30, CSR_DIR = 1 << 28, CSR_ONCE = 1 << 27, CSR_FLOW = 1 << 21;
const STATUS_BUSY = 1 << 31, STATUS_ISE_EOC = 1 << 30;
const CHANNEL_REGS: Record<number, string> = { [CSR]: 'CSR', [STATUS]: 'STATUS', [CSRE]: 'CSRE', [AHB_PTR]: 'AHB_PTR', [AHB_SEQ]: 'AHB_SEQ', [APB_PTR]: 'APB_PTR', [APB_SEQ]: 'APB_SEQ' };

interface Channel {
  csr: number; status: number; csre: number; ahbPtr: number; ahbSeq: number; apbPtr: number; apbSeq: number;
  /** When the running transfer ends (null: none running). */
  doneAt: number | null;
  ev: ScheduledEvent | null;
}

const CHANNEL_FIELDS: StateDecl = {
  csr: 'u32', status: 'u32', csre: 'u32', ahbPtr: 'u32', ahbSeq: 'u32', apbPtr: 'u32', apbSeq: 'u32', doneAt: 'int?',
};

export class TegraApbDma extends DeclaredStateDevice implements Device {
  readonly type = TYPE;
  readonly name: string;
  readonly stateFields: StateDecl = {
    general: 'u32', cntrl: 'u32', irqMask: 'u32',
    channels: { kind: 'group', field: 'ch', each: true, fields: CHANNEL_FIELDS },
  };
  private general = 0;
  private cntrl = 0;
  private irqMask = 0;
  private readonly ch: Channel[] = [];

  constructor(private readonly ctx: DeviceContext) {
    super();
    this.name = ctx.name;
    for (let i = 0; i < APB_DMA_CHANNELS; i++) {
      this.ch.push({ csr: 0, status: 0, csre: 0, ahbPtr: 0, ahbSeq: 0, apbPtr: 0, apbSeq: 0, doneAt: null, ev: null });
    }
  }

  read(_region: number, offset: number, size: number): number {
    if (size !== 4 || (offset & 3)) { this.ctx.guestError(`read of size ${size} at offset 0x${offset.toString(16)} (the registers are words)`); return 0; }
    const at = this.channelAt(offset);
    if (at) {
      const c = this.ch[at.n];
      switch (at.reg) {
        case CSR: return c.csr;
        case STATUS: return c.status;
        case CSRE: return c.csre;
        case AHB_PTR: return c.ahbPtr;
        case AHB_SEQ: return c.ahbSeq;
        case APB_PTR: return c.apbPtr;
        case APB_SEQ: return c.apbSeq;
      }
    }
    switch (offset) {
      case GENERAL: return this.general;
      case CNTRL: return this.cntrl;
      case IRQ_STA_CPU: return this.ch.reduce((s, c, i) => (c.status & STATUS_ISE_EOC ? s | (1 << i) : s), 0) >>> 0;
      case IRQ_MASK: return this.irqMask;
      case IRQ_MASK_SET: case IRQ_MASK_CLR: this.ctx.guestError(`read of write-only register at offset 0x${offset.toString(16)}`); return 0;
    }
    this.ctx.guestError(`read of unknown register at offset 0x${offset.toString(16)}`);
    return 0;
  }

  write(_region: number, offset: number, size: number, value: number): void {
    const v = value >>> 0;
    if (size !== 4 || (offset & 3)) { this.ctx.guestError(`write of size ${size} at offset 0x${offset.toString(16)} (the registers are words)`); return; }
    const at = this.channelAt(offset);
    if (at) { this.writeChannel(at.n, at.reg, v); return; }
    switch (offset) {
      case GENERAL: this.general = v & GENERAL_ENABLE; return;
      case CNTRL: this.cntrl = v; return;
      case IRQ_MASK_SET: this.irqMask = (this.irqMask | v) >>> 0; this.driveAll(); return;
      case IRQ_MASK_CLR: this.irqMask = (this.irqMask & ~v) >>> 0; this.driveAll(); return;
      case IRQ_STA_CPU: case IRQ_MASK: this.ctx.guestError(`write to read-only register at offset 0x${offset.toString(16)}`); return;
    }
    this.ctx.guestError(`write to unknown register at offset 0x${offset.toString(16)}`);
  }

  reset(): void {
    this.general = 0; this.cntrl = 0; this.irqMask = 0;
    this.ch.forEach((c, n) => {
      this.stop(c);
      Object.assign(c, { csr: 0, status: 0, csre: 0, ahbPtr: 0, ahbSeq: 0, apbPtr: 0, apbSeq: 0 });
      this.ctx.irq(n).set(false);
    });
  }

  restored(): void {
    this.ch.forEach((c, n) => {
      if (c.ev) this.ctx.cancel(c.ev);
      c.ev = c.doneAt === null ? null : this.ctx.schedule(c.doneAt, `${this.name}.ch${n}`, () => this.finish(n));
      this.drive(n);
    });
  }

  private channelAt(offset: number): { n: number; reg: number } | undefined {
    if (offset < CHANNEL_BASE) return undefined;
    const n = Math.floor((offset - CHANNEL_BASE) / CHANNEL_SIZE);
    const reg = (offset - CHANNEL_BASE) % CHANNEL_SIZE;
    return n < APB_DMA_CHANNELS && CHANNEL_REGS[reg] !== undefined ? { n, reg } : undefined;
  }

  private writeChannel(n: number, reg: number, v: number): void {
    const c = this.ch[n];
    switch (reg) {
      case CSR: {
        const starting = (v & CSR_ENB) !== 0 && (c.csr & CSR_ENB) === 0;
        c.csr = v;
        if (!(v & CSR_ENB)) this.stop(c);
        else if (starting) this.start(n);
        break;
      }
      case STATUS: c.status = (c.status & ~(v & STATUS_ISE_EOC)) >>> 0; break;
      case CSRE: c.csre = v; break;
      case AHB_PTR: c.ahbPtr = v; break;
      case AHB_SEQ: c.ahbSeq = v; break;
      case APB_PTR: c.apbPtr = v; break;
      case APB_SEQ: c.apbSeq = v; break;
    }
    this.drive(n);
  }

  private words(c: Channel): number { return ((c.csr & 0xfffc) >>> 2) + 1; }

  private start(n: number): void {
    const c = this.ch[n];
    if (!(this.general & GENERAL_ENABLE)) { this.ctx.guestError(`channel ${n} enabled while the controller is disabled (GENERAL bit 31 clear): nothing moves`); return; }
    c.status = ((c.status | STATUS_BUSY) & ~0xfffc | (c.csr & 0xfffc)) >>> 0;
    if (c.csr & CSR_FLOW) {
      this.ctx.guestError(`channel ${n}: transfers paced by device requests (FLOW, REQ_SEL ${(c.csr >>> 16) & 0x1f}) are not modelled; the channel stays busy`);
      return;
    }
    c.doneAt = this.ctx.now() + this.words(c) * WORD_NS;
    c.ev = this.ctx.schedule(c.doneAt, `${this.name}.ch${n}`, () => this.finish(n));
  }

  private stop(c: Channel): void {
    if (c.ev) this.ctx.cancel(c.ev);
    c.ev = null;
    c.doneAt = null;
    c.status = (c.status & ~STATUS_BUSY) >>> 0;
  }

  /** The end of a transfer: the words move, the end-of-count status is raised. */
  private finish(n: number): void {
    const c = this.ch[n];
    c.ev = null;
    c.doneAt = null;
    const toDevice = (c.csr & CSR_DIR) !== 0;
    const apbFixed = ((c.apbSeq >>> 16) & 7) === 1;
    for (let i = 0; i < this.words(c); i++) {
      const mem = (c.ahbPtr + 4 * i) >>> 0;
      const dev = apbFixed ? c.apbPtr : (c.apbPtr + 4 * i) >>> 0;
      const [from, to] = toDevice ? [mem, dev] : [dev, mem];
      const word = this.ctx.dmaRead32(from);
      if (word === undefined || !this.ctx.dmaWrite32(to, word)) {
        this.ctx.guestError(`channel ${n}: nothing answers at 0x${(word === undefined ? from : to).toString(16)}; the transfer ends there`);
        break;
      }
    }
    c.status = ((c.status | STATUS_ISE_EOC) & ~STATUS_BUSY & ~0xfffc) >>> 0;
    if (c.csr & CSR_ONCE) c.csr = (c.csr & ~CSR_ENB) >>> 0;
    else this.start(n);
    this.drive(n);
  }

  private drive(n: number): void {
    const c = this.ch[n];
    this.ctx.irq(n).set((c.status & STATUS_ISE_EOC) !== 0 && (c.csr & CSR_IE_EOC) !== 0 && (this.irqMask & (1 << n)) !== 0);
  }

  private driveAll(): void { for (let n = 0; n < APB_DMA_CHANNELS; n++) this.drive(n); }
}

export const tegraApbDma: DeviceType = {
  type: TYPE,
  description: 'Tegra20 APB DMA: 16 channels copying words between memory and device registers, end-of-count interrupts',
  regions: ['registers'],
  regionSizes: [0x1200],
  irqOutputs: APB_DMA_CHANNELS,
  props: {},
  create: (ctx) => new TegraApbDma(ctx),
};
