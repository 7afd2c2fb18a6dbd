import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuImgCheck, qemuImgInfo } from '../qemu-img/qemu-img.ts';
import { virtV2vConvert } from './virt-v2v.ts';

const BUILD_GUEST = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  'deploy',
  'guest',
  'build-debian-guest.sh',
);
const MINUTE = 60_000;

// The slow tier: a real Debian guest (built once and cached) through the whole of virt-v2v. Under
// software emulation the in-guest conversion alone takes about a quarter of an hour.
describe('virt-v2v converts a real guest', () => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-v2v-full-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it(
    'to a qcow2 that qemu-img check accepts, with progress and the libvirt description',
    async () => {
      const guest = execFileSync('bash', [BUILD_GUEST], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 20 * MINUTE,
      }).trim();
      const messages: string[] = [];
      const progress: number[] = [];
      await virtV2vConvert({
        vmx: join(guest, 'guest.vmx'),
        outputDir: join(out, 'disks'),
        tmpDir: join(out, 'tmp'),
        timeoutMs: 40 * MINUTE,
        onMessage: (m) => messages.push(m.message),
        onProgress: (_disk, percent) => progress.push(percent),
      });
      const files = readdirSync(join(out, 'disks'));
      const disk = files.find((f) => f.endsWith('-sda'));
      expect(disk, `output: ${files.join(', ')}`).toBeDefined();
      const path = join(out, 'disks', disk as string);
      expect(await qemuImgCheck(path, 'qcow2')).toMatchObject({ exitCode: 0, corruptions: 0 });
      expect((await qemuImgInfo(path, 'qcow2')).virtualSize).toBe(2 * 1024 ** 3);
      const xml = readFileSync(
        join(out, 'disks', files.find((f) => f.endsWith('.xml')) as string),
        'utf8',
      );
      expect(xml).toMatch(/<target dev=['"]vda['"] bus=['"]virtio['"]/);
      expect(messages.some((m) => /Converting .* to run on KVM/.test(m))).toBe(true);
      expect(progress.at(-1)).toBe(100);
    },
    60 * MINUTE,
  );
});
