import type { EncodingSpec } from '../encoding';

export const coprocessorRows: EncodingSpec[] = [];
