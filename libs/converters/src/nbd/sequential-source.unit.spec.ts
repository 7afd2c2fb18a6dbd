import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sequentialSource, type RemoteFile } from './sequential-source.ts';

const KiB = 1024;

/** A file whose every byte is its offset's low byte, sent in chunks of `chunk`, its use counted. */
function remote(size: number, chunk = 16 * KiB, failAt?: number) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i & 0xff;
  const use = { streams: 0, ranges: 0, sent: 0 };
  const file: RemoteFile = {
    size,
    async *stream(start, signal) {
      use.streams += 1;
      for (let at = start; at < size && !signal.aborted; at += chunk) {
        if (failAt !== undefined && at >= failAt) throw new Error('the host hung up');
        await new Promise((r) => setImmediate(r));
        use.sent += Math.min(chunk, size - at);
        yield bytes.subarray(at, Math.min(size, at + chunk));
      }
    },
    async range(start, end) {
      use.ranges += 1;
      return bytes.subarray(start, end + 1);
    },
  };
  return { file, bytes, use };
}

/** A read's parts, joined. */
const bytesOf = async (parts: Promise<readonly Buffer[]>) => Buffer.concat(await parts);

describe('sequentialSource', () => {
  it('given reads in order, a few at once, then all come from one transfer', async () => {
    const { file, bytes, use } = remote(1024 * KiB);
    const source = sequentialSource(file, 256 * KiB);
    // Three at once, each started as the oldest ends: as a converter's coroutines read.
    const got: Buffer[] = [];
    const inFlight: Promise<Buffer>[] = [];
    for (let at = 0; at < file.size; at += 64 * KiB) {
      inFlight.push(bytesOf(source.read(at, 64 * KiB)));
      if (inFlight.length === 3) got.push(await (inFlight.shift() as Promise<Buffer>));
    }
    got.push(...(await Promise.all(inFlight)));
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    expect([use.streams, use.ranges, source.outOfWindow]).toEqual([1, 0, 0]);
  });

  it('given a read behind the window, then it is served by a range of its own', async () => {
    const { file, bytes } = remote(1024 * KiB);
    const source = sequentialSource(file, 128 * KiB);
    for (let at = 0; at < 512 * KiB; at += 32 * KiB) await source.read(at, 32 * KiB);
    const again = await bytesOf(source.read(4 * KiB, 8 * KiB));
    expect(again.equals(bytes.subarray(4 * KiB, 12 * KiB))).toBe(true);
    expect(source.outOfWindow).toBe(1);
  });

  it('given a region never read, then the transfer goes on past it and memory stays in the window', async () => {
    const { file, bytes, use } = remote(2048 * KiB);
    const source = sequentialSource(file, 128 * KiB);
    await source.read(0, 4 * KiB);
    const late = await bytesOf(source.read(1536 * KiB, 64 * KiB));
    expect(late.equals(bytes.subarray(1536 * KiB, 1600 * KiB))).toBe(true);
    expect(use.streams).toBe(1);
    // The transfer paused once the window was full, after what was asked.
    expect(use.sent).toBeLessThanOrEqual(1600 * KiB + 128 * KiB + 16 * KiB);
    source.close();
  });

  it('given the transfer breaks off, then the reads waiting for it fail with its error', async () => {
    const { file } = remote(1024 * KiB, 16 * KiB, 512 * KiB);
    const source = sequentialSource(file, 1024 * KiB);
    await expect(bytesOf(source.read(0, 64 * KiB))).resolves.toHaveLength(64 * KiB);
    await expect(source.read(768 * KiB, 64 * KiB)).rejects.toThrow('the host hung up');
  });

  it('given any order of reads within a few of each other, then every read gets its own bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 40 }),
        async (jitter, chunkKiB) => {
          const block = 8 * KiB;
          const { file, bytes } = remote(32 * block, chunkKiB * KiB);
          const source = sequentialSource(file, 64 * KiB);
          // Each block asked near its place in order: as a converter's coroutines ask.
          const order = jitter.map((j, i) => ({ i, key: i + j })).sort((a, b) => a.key - b.key);
          const got = await Promise.all(
            order.map(async ({ i }) => ({ i, data: await bytesOf(source.read(i * block, block)) })),
          );
          for (const { i, data } of got)
            expect(data.equals(bytes.subarray(i * block, (i + 1) * block))).toBe(true);
          source.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
