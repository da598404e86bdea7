import type { EncodingSpec } from '../encoding';

export const loadStoreMultipleRows: EncodingSpec[] = [];
