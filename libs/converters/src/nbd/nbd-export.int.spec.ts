import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { serveNbd, type ExportSource } from './nbd-export.ts';
import { disk } from './pattern-disk.fixtures.ts';

const MiB = 1024 * 1024;

const fromBuffer = (bytes: Buffer, reads: number[] = []): ExportSource => ({
  size: bytes.length,
  read: async (offset, length) => {
    reads.push(length);
    return [bytes.subarray(offset, offset + length)];
  },
});

describe('serveNbd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-nbd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('qemu-img reads the export whole, byte for byte, as a raw disk', async () => {
    const bytes = disk(24);
    const reads: number[] = [];
    const nbd = await serveNbd(fromBuffer(bytes, reads), 'a-secret-name');
    try {
      const info = JSON.parse(
        (await execa('qemu-img', ['info', '--output=json', '-f', 'raw', nbd.url])).stdout,
      ) as { 'virtual-size': number };
      expect(info['virtual-size']).toBe(bytes.length);
      const out = join(dir, 'whole.raw');
      await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'raw', nbd.url, out]);
      expect(readFileSync(out).equals(bytes)).toBe(true);
      expect(Math.max(...reads)).toBeLessThanOrEqual(32 * MiB);
    } finally {
      await nbd.close();
    }
  });

  it('refuses another export name, and says nothing of its own', async () => {
    const nbd = await serveNbd(fromBuffer(disk(1)), 'a-secret-name');
    try {
      const other = nbd.url.replace('a-secret-name', 'guess');
      const refused = await execa('qemu-img', ['info', '-f', 'raw', other], { reject: false });
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/export|not available|unknown/i);
      const listed = await execa(
        'qemu-img',
        ['info', '-f', 'raw', nbd.url.replace(/\/[^/]*$/, '/')],
        {
          reject: false,
        },
      );
      expect(listed.exitCode).not.toBe(0);
    } finally {
      await nbd.close();
    }
  });

  it("a read that fails fails the converter, and the export keeps the read's error", async () => {
    const broken: ExportSource = {
      size: 8 * MiB,
      read: async (offset, length) => {
        if (offset >= 4 * MiB) throw new Error('the datastore hung up');
        return [Buffer.alloc(length)];
      },
    };
    const nbd = await serveNbd(broken, 'n');
    try {
      const run = await execa(
        'qemu-img',
        ['convert', '-f', 'raw', '-O', 'raw', nbd.url, join(dir, 'broken.raw')],
        { reject: false },
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.stderr).toMatch(/error while reading|Input\/output error/i);
      expect((nbd.lastError as Error).message).toBe('the datastore hung up');
    } finally {
      await nbd.close();
    }
  });

  it('refuses writes: the export is read-only', async () => {
    const nbd = await serveNbd(fromBuffer(disk(1)), 'ro');
    try {
      const write = await execa('qemu-io', ['-f', 'raw', '-c', 'write 0 4k', nbd.url], {
        reject: false,
      });
      expect(`${write.stdout}${write.stderr}`).toMatch(
        /read.only|Operation not permitted|permission/i,
      );
    } finally {
      await nbd.close();
    }
  });
});
