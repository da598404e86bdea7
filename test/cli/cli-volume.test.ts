import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readVolume, volumeImage } from '../../machine/boot/volume';
import { ROOT as root } from '../support/environment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bringup-volume-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bringup(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'bin', 'bringup'), ...args], { encoding: 'utf8', cwd: tmp });
}

fs.writeFileSync(path.join(tmp, 'dom0.bin'), Buffer.alloc(5000, 1));
fs.writeFileSync(path.join(tmp, 'guest.bin'), Buffer.alloc(100, 2));

test('volume pack builds a volume with the domain configuration; list and extract read it back', () => {
  fs.writeFileSync(path.join(tmp, 'vol.yaml'), `images:
  - { name: dom0, role: dom0, file: dom0.bin }
  - { name: guest, role: domu, file: guest.bin }
domains:
  - { name: dom0, image: dom0, memory: 4MiB, priority: 10, console: true, on-fault: restart }
  - { name: guest1, image: guest, memory: 2MiB, priority: 5, on-fault: kill }
events:
  - [dom0:1, guest1:1]
`);
  const pack = bringup('volume', 'pack', 'vol.yaml', '-o', 'boot.vol');
  assert.equal(pack.status, 0, pack.stderr);
  const blob = fs.readFileSync(path.join(tmp, 'boot.vol'));
  assert.deepEqual(readVolume(blob).map((e) => `${e.name}:${e.role}`), ['dom0:dom0', 'guest:domu', 'domains:config']);
  assert.equal(Buffer.from(volumeImage(blob, 'domains')).toString(), [
    '# bringup domain configuration v1',
    'domain dom0 image=dom0 memory=4194304 priority=10 console=on on-fault=restart',
    'domain guest1 image=guest memory=2097152 priority=5 on-fault=kill',
    'event dom0:1 guest1:1', ''].join('\n'));
  const list = bringup('volume', 'list', 'boot.vol');
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^guest\s+domu\s+0x00003000\s+100 /m);
  const ex = bringup('volume', 'extract', 'boot.vol', 'guest', '-o', 'out');
  assert.equal(ex.status, 0, ex.stderr);
  assert.deepEqual(fs.readFileSync(path.join(tmp, 'out', 'guest')), Buffer.alloc(100, 2));
});

test('a manifest naming a missing file or an unknown image is refused with file:line:column', () => {
  fs.writeFileSync(path.join(tmp, 'bad.yaml'), 'images:\n  - { name: dom0, role: dom0, file: nope.bin }\n');
  const r = bringup('volume', 'pack', 'bad.yaml', '-o', 'x.vol');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /bad\.yaml:2:37: image file nope\.bin does not exist/);
  fs.writeFileSync(path.join(tmp, 'bad2.yaml'), 'images:\n  - { name: dom0, role: dom0, file: dom0.bin }\ndomains:\n  - { name: d, image: missing }\n');
  const r2 = bringup('volume', 'pack', 'bad2.yaml', '-o', 'x.vol');
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /bad2\.yaml:4:23: domain d runs image 'missing', which is not in this volume/);
});

test('a corrupted volume is reported, exit 2', () => {
  const blob = fs.readFileSync(path.join(tmp, 'boot.vol'));
  blob[4096 + 10] ^= 0xff;
  fs.writeFileSync(path.join(tmp, 'broken.vol'), blob);
  const r = bringup('volume', 'list', 'broken.vol');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.vol: image dom0 is corrupted/);
});
