import type { EncodingSpec } from '../encoding';

export const miscArithmeticRows: EncodingSpec[] = [];
