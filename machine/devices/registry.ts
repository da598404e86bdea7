/** Every device type a board file can name, by its type string. */

import type { DeviceType } from './device';
import { gic } from './arm/gic';
import { a9Scu } from './arm/a9-scu';
import { a9GlobalTimer } from './arm/a9-global-timer';
import { a9PrivateTimer } from './arm/a9-private-timer';
import { pl310 } from './arm/pl310';
import { pl011 } from './arm/pl011';
import { sp804 } from './arm/sp804';
import { vexpressSysregs } from './arm/vexpress-sysregs';
import { pl111 } from './arm/pl111';
import { ns16550 } from './ns16550';
import { tegraDisplay } from './tegra/display';
import { tegraTimer } from './tegra/timer';
import { tegraLic } from './tegra/legacy-irq';
import { tegraCar } from './tegra/car';
import { tegraPmc } from './tegra/pmc';
import { tegraApbMisc } from './tegra/apbmisc';
import { tegraFlow } from './tegra/flow';
import { tegraEvp } from './tegra/evp';
import { tegraFuse } from './tegra/fuse';
import { tegraRtc } from './tegra/rtc';
import { tegraGpio } from './tegra/gpio';
import { tegraI2c, tegraDvc } from './tegra/i2c';
import { tegraApbDma } from './tegra/apb-dma';
import { tegraAhb } from './tegra/ahb';
import { tegraSecureBoot } from './tegra/secure-boot';

const ALL: DeviceType[] = [
  gic, a9Scu, a9GlobalTimer, a9PrivateTimer, pl310,
  pl011, sp804, vexpressSysregs, pl111,
  ns16550,
  tegraTimer, tegraLic, tegraCar, tegraPmc, tegraApbMisc, tegraFlow, tegraEvp, tegraFuse, tegraRtc, tegraDisplay,
  tegraGpio, tegraI2c, tegraDvc, tegraApbDma, tegraAhb, tegraSecureBoot,
];

export const DEVICE_TYPES: ReadonlyMap<string, DeviceType> = new Map(ALL.map((t) => [t.type, t]));
