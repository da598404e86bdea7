import type { EncodingSpec } from '../encoding';

export const multiplyRows: EncodingSpec[] = [];
