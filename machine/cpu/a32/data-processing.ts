import type { EncodingSpec } from '../encoding';

export const dataProcessingRows: EncodingSpec[] = [];
