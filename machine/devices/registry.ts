/** Every device type a board file can name, by its type string. */

import type { DeviceType } from './device';
import { gic } from './arm/gic';
import { a9Scu } from './arm/a9-scu';
import { a9GlobalTimer } from './arm/a9-global-timer';
import { a9PrivateTimer } from './arm/a9-private-timer';
import { pl310 } from './arm/pl310';

const ALL: DeviceType[] = [
  gic, a9Scu, a9GlobalTimer, a9PrivateTimer, pl310,
];

export const DEVICE_TYPES: ReadonlyMap<string, DeviceType> = new Map(ALL.map((t) => [t.type, t]));
