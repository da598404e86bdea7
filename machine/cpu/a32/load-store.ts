import type { EncodingSpec } from '../encoding';

export const loadStoreRows: EncodingSpec[] = [];
