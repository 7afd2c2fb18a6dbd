import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

// A chunk well above a socket's write buffer (16 KiB): the HTTP client waits for the socket to
// drain after each one, so a chunk is on its way to the kernel before its buffer comes round again.
const CHUNK = 256 * 1024;
const RING = 4;

/**
 * A file's bytes as an HTTP request body, read through a small ring of reused buffers (constant
 * memory, no garbage however large the file) and hashed on the way with each algorithm asked: as
 * Glance hashes what it receives (`os_hash_value`, sha512 by default), and sha256, the artifact's
 * own record. `sent` is told each time a chunk has gone.
 */
export function hashedFileBody(path: string, algorithms: readonly string[], sent?: () => void) {
  const hashes = algorithms.map((algorithm) => createHash(algorithm));
  let bytes = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const ring = Array.from({ length: RING }, () => Buffer.allocUnsafeSlow(CHUNK));
    const fh = await open(path, 'r');
    try {
      for (let n = 0; ; n++) {
        const buffer = ring[n % RING] as Buffer;
        const { bytesRead } = await fh.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) return;
        const chunk = buffer.subarray(0, bytesRead);
        for (const hash of hashes) hash.update(chunk);
        bytes += bytesRead;
        yield chunk;
        sent?.();
      }
    } finally {
      await fh.close();
    }
  }
  return {
    chunks,
    /** The hex digest of each algorithm, and how many bytes went. Once, after the last chunk. */
    digest: () => ({
      digests: new Map(algorithms.map((a, i) => [a, (hashes[i] as Hash).digest('hex')])),
      bytes,
    }),
  };
}
