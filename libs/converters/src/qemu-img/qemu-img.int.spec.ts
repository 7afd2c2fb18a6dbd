import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmdkOf, writeDataImage } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionError } from '../errors.ts';
import { runTool } from '../run-tool.ts';
import { qemuImgCheck, qemuImgConvert, qemuImgInfo } from './qemu-img.ts';

const MiB = 1024 * 1024;
const SUBFORMATS = [
  'monolithicSparse',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
  'streamOptimized',
] as const;
const qemuImg = (...args: string[]) =>
  execFileSync('qemu-img', args, { stdio: ['ignore', 'ignore', 'pipe'] });

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.part'));
const running = (needle: string) => {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

describe('qemu-img, for real', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-qemu-'));
    writeDataImage(join(dir, 'base.raw'), 64 * MiB);
    for (const f of SUBFORMATS) vmdkOf(join(dir, 'base.raw'), join(dir, `${f}.vmdk`), f);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const f of SUBFORMATS) {
    it(`converts ${f} to a sound qcow2 (compat 1.1) with progress up to 100%`, async () => {
      const progress: number[] = [];
      const target = join(dir, `${f}.qcow2`);
      const { command } = await qemuImgConvert({
        source: join(dir, `${f}.vmdk`),
        sourceFormat: 'vmdk',
        target,
        onProgress: (p) => progress.push(p),
      });
      expect(command).toEqual([
        'qemu-img',
        'convert',
        '-p',
        '-f',
        'vmdk',
        '-O',
        'qcow2',
        '-o',
        'compat=1.1',
        join(dir, `${f}.vmdk`),
        `${target}.part`,
      ]);
      expect(progress.at(-1)).toBe(100);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      expect(await qemuImgCheck(target)).toEqual({
        exitCode: 0,
        corruptions: 0,
        leaks: 0,
        checkErrors: 0,
      });
      const info = await qemuImgInfo(target, 'qcow2');
      expect(info).toMatchObject({
        format: 'qcow2',
        virtualSize: 64 * MiB,
        detail: { compat: '1.1' },
      });
      expect((await qemuImgInfo(join(dir, `${f}.vmdk`), 'vmdk')).detail['create-type']).toBe(f);
      expect(leftovers(dir)).toEqual([]);
    });
  }

  it('names a missing extent, and leaves no partial image', async () => {
    mkdirSync(join(dir, 'missing'));
    writeDataImage(join(dir, 'missing', 'big.raw'), 8 * MiB);
    qemuImg(
      'convert',
      '-f',
      'raw',
      '-O',
      'vmdk',
      '-o',
      'subformat=twoGbMaxExtentSparse',
      join(dir, 'missing', 'big.raw'),
      join(dir, 'missing', 'split.vmdk'),
    );
    unlinkSync(join(dir, 'missing', 'split-s001.vmdk'));
    const error = await qemuImgConvert({
      source: join(dir, 'missing', 'split.vmdk'),
      sourceFormat: 'vmdk',
      target: join(dir, 'missing', 'out.qcow2'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConversionError);
    expect(error).toMatchObject({ reason: 'missing-disk', retryable: false });
    expect((error as Error).message).toMatch(/split-s001\.vmdk.*No such file or directory/);
    expect(existsSync(join(dir, 'missing', 'out.qcow2'))).toBe(false);
    expect(leftovers(join(dir, 'missing'))).toEqual([]);
  });

  it('an output that cannot be created is not blamed on the source disk', async () => {
    const error = await qemuImgConvert({
      source: join(dir, 'monolithicSparse.vmdk'),
      sourceFormat: 'vmdk',
      target: join(dir, 'no-such-folder', 'out.qcow2'),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'tool-failed' });
    expect((error as Error).message).toMatch(/Could not create/);
  });

  it('check finds a corrupted qcow2', async () => {
    const target = join(dir, 'corrupt.qcow2');
    await qemuImgConvert({
      source: join(dir, 'monolithicSparse.vmdk'),
      sourceFormat: 'vmdk',
      target,
    });
    // Point the first L1 entry somewhere impossible.
    const header = readFileSync(target).subarray(0, 48);
    const l1 = Number(header.readBigUInt64BE(40));
    const fd = openSync(target, 'r+');
    writeSync(fd, Buffer.from('00ffffffffff0000', 'hex'), 0, 8, l1);
    closeSync(fd);
    const result = await qemuImgCheck(target);
    expect(result.exitCode).toBe(2);
    expect(result.corruptions).toBeGreaterThan(0);
  });

  it('says the disk is full when it is (a real 8 MiB tmpfs), and leaves no partial image', async () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', small]);
    try {
      const error = await qemuImgConvert({
        source: join(dir, 'monolithicSparse.vmdk'),
        sourceFormat: 'vmdk',
        target: join(small, 'out.qcow2'),
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'no-space', retryable: true });
      expect(readdirSync(small)).toEqual([]);
    } finally {
      execFileSync('umount', [small]);
    }
  });

  describe('stopping a conversion', () => {
    beforeAll(() => writeDataImage(join(dir, 'large.raw'), 1024 * MiB));

    it('cancel ends the process group mid-way, leaving no process and no partial image', async () => {
      const target = join(dir, 'cancelled.qcow2');
      const abort = new AbortController();
      let seen = 0;
      const error = await qemuImgConvert({
        source: join(dir, 'large.raw'),
        sourceFormat: 'raw',
        target,
        signal: abort.signal,
        onProgress: (p) => {
          seen = p;
          if (p >= 5) abort.abort();
        },
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'cancelled' });
      expect(seen).toBeGreaterThanOrEqual(5);
      expect(seen).toBeLessThan(100);
      expect(running(target)).toBe('');
      expect(existsSync(target)).toBe(false);
      expect(leftovers(dir)).toEqual([]);
    });

    it('a timeout does the same, and says it was a timeout', async () => {
      const target = join(dir, 'slow.qcow2');
      const error = await qemuImgConvert({
        source: join(dir, 'large.raw'),
        sourceFormat: 'raw',
        target,
        timeoutMs: 200,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'timeout', retryable: true });
      expect(running(target)).toBe('');
      expect(leftovers(dir)).toEqual([]);
    });
  });

  it('says plainly when the tool is not installed', async () => {
    const error = await runTool({ command: ['ferry-no-such-tool', '--version'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: 'tool-missing' });
    expect((error as Error).message).toBe(
      'ferry-no-such-tool is not installed (on Debian: apt-get install ferry-no-such-tool)',
    );
  });
});
