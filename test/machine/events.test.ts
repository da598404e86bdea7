import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../../machine/events';

test('events run in (time, sequence) order', () => {
  const q = new EventQueue();
  const order: string[] = [];
  q.schedule(30, 'c', () => order.push('c'));
  q.schedule(10, 'a', () => order.push('a'));
  q.schedule(30, 'd', () => order.push('d'));
  q.schedule(20, 'b', () => order.push('b'));
  q.schedule(10, 'a2', () => order.push('a2'));
  assert.equal(q.nextTime(), 10);
  q.runDue(25);
  assert.deepEqual(order, ['a', 'a2', 'b']);
  q.runDue(100);
  assert.deepEqual(order, ['a', 'a2', 'b', 'c', 'd']);
  assert.equal(q.nextTime(), Infinity);
});

test('an event scheduled while running due events at the same time still runs in order', () => {
  const q = new EventQueue();
  const order: number[] = [];
  q.schedule(5, 'first', () => { order.push(1); q.schedule(5, 'nested', () => order.push(3)); });
  q.schedule(5, 'second', () => order.push(2));
  q.runDue(5);
  assert.deepEqual(order, [1, 2, 3]);
});

test('cancelled events do not run', () => {
  const q = new EventQueue();
  const order: number[] = [];
  const e = q.schedule(1, 'x', () => order.push(1));
  q.schedule(2, 'y', () => order.push(2));
  q.schedule(3, 'z', () => order.push(3));
  q.cancel(e);
  q.runDue(10);
  assert.deepEqual(order, [2, 3]);
});

test('within a tick the devices run first, then the input phase, each in scheduling order', () => {
  const q = new EventQueue();
  const order: string[] = [];
  // As a replay schedules the input log: at the boot, before any device event of the tick.
  q.schedule(7, 'input 1', () => order.push('input 1'), 'input');
  q.schedule(7, 'input 2', () => order.push('input 2'), 'input');
  q.schedule(7, 'device a', () => { order.push('device a'); q.schedule(7, 'device c', () => order.push('device c')); });
  q.schedule(6, 'earlier input', () => order.push('earlier input'), 'input');
  q.schedule(7, 'device b', () => order.push('device b'));
  q.runDue(7);
  assert.deepEqual(order, ['earlier input', 'device a', 'device b', 'device c', 'input 1', 'input 2']);
});

test('an input entry made mid-run replays in the same place among its tick\'s device events', () => {
  // Recorded run: a device event for tick 9 exists, then a trigger (mid-run) logs an entry for tick 9.
  const run = (scheduleInputFirst: boolean) => {
    const q = new EventQueue();
    const order: string[] = [];
    const device = () => q.schedule(9, 'timer', () => order.push('timer'));
    const input = () => q.schedule(9, 'typed', () => order.push('typed'), 'input');
    if (scheduleInputFirst) { input(); device(); } else { device(); input(); }
    q.runDue(9);
    return order;
  };
  assert.deepEqual(run(false), run(true), 'the recorded run and its replay agree');
});
