import type { EncodingSpec } from '../encoding';

export const systemRows: EncodingSpec[] = [];
