/**
 * A scenario as a boot description (machine/boot/boot-machine.ts): what the
 * runner boots and what a recording's header and image records are built
 * from. The board is the one the scenario loaded; nothing is read again.
 */

import type { BootDescription } from '../../machine/boot/boot-machine';
import type { Scenario } from '../file/scenario-file';

export function scenarioBoot(s: Scenario): BootDescription {
  const file = (image: { file: string; data: Uint8Array } | undefined) => image && { name: image.file, file: image.file, data: image.data };
  return {
    board: s.board,
    kernel: file(s.kernel),
    dtb: file(s.dtb),
    initrd: file(s.initrd),
    volume: s.volume && { name: 'boot volume', data: s.volume },
    cmdline: s.cmdline,
    // Semihosting output is console output of the device 'semihosting' (the default host).
    semihosting: s.semihosting ? {} : undefined,
    // Always said: left out, a run has the board's cpu.count cores (two on tegra2-xoom), so smp: 1 must be
    // passed on. A schedule only with several cores (a one-core recording header is as it always was).
    cores: s.cores,
    ...(s.cores > 1 ? { schedule: s.schedule } : {}),
  };
}
