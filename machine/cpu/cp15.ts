/**
 * CP15 system control coprocessor of the Cortex-A9 r1p0 (Tegra20).
 * Register map as data: (opc1, CRn, CRm, opc2) -> name, reset value, access.
 * SKELETON: the full map is filled in together with the MMU.
 */

import type { Cpu } from './cpu';

export class Cp15 {
  sctlr = 0x00c50078;
  vbar = 0;
  dfsr = 0; dfar = 0; ifsr = 0; ifar = 0;
  ttbr0 = 0; ttbr1 = 0; ttbcr = 0; dacr = 0;
  contextidr = 0;
  tpidrurw = 0; tpidruro = 0; tpidrprw = 0;
  prrr = 0x000a81a4; nmrr = 0x44e048e0;
  par = 0;

  constructor(readonly cpu: Cpu) {}

  reset(): void {
    this.sctlr = 0x00c50078;
    this.vbar = 0;
    this.dfsr = this.dfar = this.ifsr = this.ifar = 0;
    this.ttbr0 = this.ttbr1 = this.ttbcr = this.dacr = 0;
    this.contextidr = 0;
    this.tpidrurw = this.tpidruro = this.tpidrprw = 0;
    this.par = 0;
  }

  /** MRC: the register's value, or undefined if the access is UNDEFINED. */
  read(_opc1: number, _crn: number, _crm: number, _opc2: number): number | undefined {
    return undefined;
  }

  /** MCR: false if the access is UNDEFINED. */
  write(_opc1: number, _crn: number, _crm: number, _opc2: number, _value: number): boolean {
    return false;
  }

  snapshot(): Record<string, number> {
    return {
      sctlr: this.sctlr, vbar: this.vbar, dfsr: this.dfsr, dfar: this.dfar, ifsr: this.ifsr, ifar: this.ifar,
      ttbr0: this.ttbr0, ttbr1: this.ttbr1, ttbcr: this.ttbcr, dacr: this.dacr, contextidr: this.contextidr,
      tpidrurw: this.tpidrurw, tpidruro: this.tpidruro, tpidrprw: this.tpidrprw,
      prrr: this.prrr, nmrr: this.nmrr, par: this.par,
    };
  }

  restore(s: Record<string, number>): void {
    for (const [k, v] of Object.entries(s)) (this as unknown as Record<string, number>)[k] = v;
  }
}
