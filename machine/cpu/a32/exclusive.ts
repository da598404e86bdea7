import type { EncodingSpec } from '../encoding';

export const exclusiveRows: EncodingSpec[] = [];
