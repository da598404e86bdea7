/** Every device type a board file can name, by its type string. */

import type { DeviceType } from './device';

const ALL: DeviceType[] = [
];

export const DEVICE_TYPES: ReadonlyMap<string, DeviceType> = new Map(ALL.map((t) => [t.type, t]));
