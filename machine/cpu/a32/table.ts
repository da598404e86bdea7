/**
 * The A32 encoding table: every family's rows in one decoder. The same rows
 * drive the disassembler and the differential tests' random generator.
 */

import { Decoder, type EncodingSpec } from '../encoding';
import { branchRows } from './branch';
import { dataProcessingRows } from './data-processing';
import { multiplyRows } from './multiply';
import { parallelRows } from './parallel';
import { miscArithmeticRows } from './misc-arithmetic';
import { loadStoreRows } from './load-store';
import { loadStoreMultipleRows } from './load-store-multiple';
import { exclusiveRows } from './exclusive';
import { systemRows } from './system';
import { coprocessorRows } from './coprocessor';
import { vfpRows } from '../vfp/rows';

export function a32Specs(): EncodingSpec[] {
  return [
    ...branchRows,
    ...dataProcessingRows,
    ...multiplyRows,
    ...parallelRows,
    ...miscArithmeticRows,
    ...loadStoreRows,
    ...loadStoreMultipleRows,
    ...exclusiveRows,
    ...systemRows,
    ...coprocessorRows,
    ...vfpRows,
  ];
}

let shared: Decoder | undefined;

/** The decoder is immutable; every CPU shares one. */
export function a32Decoder(): Decoder {
  if (!shared) shared = new Decoder(a32Specs());
  return shared;
}

/** UAL text of one instruction word at address pc. */
export function disassemble(insn: number, pc: number): string {
  const d = a32Decoder().decode(insn >>> 0);
  if (d.kind === 'undefined') return `udf\t; 0x${(insn >>> 0).toString(16).padStart(8, '0')} (undefined)`;
  const text = d.row.disasm(insn >>> 0, pc >>> 0);
  return d.kind === 'unpredictable' ? `${text}\t; unpredictable` : text;
}
