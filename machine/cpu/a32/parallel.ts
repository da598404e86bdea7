import type { EncodingSpec } from '../encoding';

export const parallelRows: EncodingSpec[] = [];
