/**
 * How Linux 6.1 ends a Tegra20 board: `reboot` writes PMC_CNTRL MAIN_RST
 * (tegra_pmc_restart), `poweroff` asks the TPS6586x on the DVC bus to sleep
 * (tps6586x_power_off: SLEEP_MODE in SUPPLYENE). Both end a run with a stop
 * that names the device.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootMachine } from '../../machine/boot/boot-machine';
import { boardSpec } from '../../scenario/boards';
import { describeStopReason } from '../../machine/stop-reason';
import type { BoardSpec } from '../../machine/boards/board-spec';

const DVC = 0x7000d000;
const PMC = 0x7000e400;
const LOOP = 0x00100000;
/** The DVC's TX_FIFO and INT_STATUS (the I2C block's 0x50 / 0x68, 0x10 further in the DVC). */
const TX_FIFO = DVC + 0x60;
const INT_STATUS = DVC + 0x78;

/** tegra2-xoom with a TPS6586x at 0x34 on the DVC, as the reference boards have it. */
function withPmu(): BoardSpec {
  const xoom = boardSpec('tegra2-xoom');
  return { ...xoom, name: 'tegra2-xoom-tps6586x', devices: xoom.devices.map((d) => (d.name === 'dvc' ? { ...d, props: { ...d.props, 'tps6586x-address': 0x34 } } : d)) };
}

/** A machine whose CPU0 spins at LOOP (CPU1 stays in reset). */
function spinning(board: BoardSpec) {
  const { machine } = bootMachine({ board, cores: 2 });
  machine.bus.write32(LOOP, 0xeafffffe); // b .
  machine.cpus[0].pc = LOOP;
  return machine;
}

/** One I2C write packet of `bytes` to `addr` on the DVC, as i2c-tegra pushes it. */
function dvcWrite(machine: ReturnType<typeof spinning>, addr: number, bytes: number[]): void {
  const bus = machine.bus;
  bus.write32(TX_FIFO, (1 << 4) | (1 << 16));
  bus.write32(TX_FIFO, bytes.length - 1);
  bus.write32(TX_FIFO, (1 << 17) | (addr << 1));
  for (let i = 0; i < bytes.length; i += 4) bus.write32(TX_FIFO, bytes.slice(i, i + 4).reduce((w, b, j) => w | (b << (8 * j)), 0));
}

test('poweroff: the TPS6586x on the DVC cuts the power when SUPPLYENE gets SLEEP_MODE, and the run stops there', () => {
  const machine = spinning(withPmu());
  dvcWrite(machine, 0x34, [0x14, 0x00]); // clear EXITSLREQ
  let stop = machine.run(1_000_000);
  assert.equal(stop.kind, 'limit');
  assert.equal(machine.bus.read32(INT_STATUS) & (1 << 7), 1 << 7, 'the PMU acknowledged the write');
  machine.bus.write32(INT_STATUS, 0xff);
  dvcWrite(machine, 0x34, [0x14, 0x08]); // SLEEP_MODE
  stop = machine.run(1_000_000);
  assert.deepEqual(stop, { kind: 'poweroff', by: 'dvc' });
  assert.equal(describeStopReason(stop), 'a power-off by dvc');
});

test('poweroff: on tegra2-xoom nothing answers at 0x34 on the DVC; the write NACKs and the machine runs on', () => {
  const machine = spinning(boardSpec('tegra2-xoom'));
  dvcWrite(machine, 0x34, [0x14, 0x08]);
  const stop = machine.run(1_000_000);
  assert.equal(stop.kind, 'limit');
  assert.equal(machine.bus.read32(INT_STATUS) & (1 << 3), 1 << 3, 'NO_ACK');
});

test('reboot: PMC_CNTRL MAIN_RST resets the machine and the run stops with a reset by pmc', () => {
  const machine = spinning(boardSpec('tegra2-xoom'));
  machine.bus.write32(PMC, machine.bus.read32(PMC) | (1 << 4));
  const stop = machine.run(1_000_000);
  assert.deepEqual(stop, { kind: 'reset', by: 'pmc' });
});
