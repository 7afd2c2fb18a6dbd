import type { ExportSource } from './nbd-export.ts';

/** A remote file read two ways: one transfer from a place to its end, or one range. */
export interface RemoteFile {
  readonly size: number;
  /** The bytes from `start` to the file's end, in order, as they come. */
  stream(start: number, signal: AbortSignal): AsyncIterable<Buffer>;
  /** The bytes `start` to `end` inclusive. */
  range(start: number, end: number, signal: AbortSignal): Promise<Buffer>;
}

export interface SequentialSource extends ExportSource {
  /** Reads served by a range request of their own: behind the window, or far ahead of it. */
  readonly outOfWindow: number;
  close(): void;
}

/** How much of the transfer is held: what a converter reads ahead, and some. */
const WINDOW = 64 * 1024 * 1024;

interface Waiter {
  readonly offset: number;
  readonly length: number;
  resolve(data: readonly Buffer[]): void;
  reject(error: unknown): void;
}

/**
 * Serves a converter's reads of a remote file from one sequential transfer of it: the transfer
 * runs at the network's pace while the converter reads, in the order it reads (roughly from the
 * start, a few reads at once), out of a window of `window` bytes. A read behind the window (data
 * already let go) or far ahead of it gets a range request of its own: slower, never wrong. What
 * nobody has read is let go when the window is full and a read waits for what is ahead.
 */
export function sequentialSource(file: RemoteFile, window = WINDOW): SequentialSource {
  const aborter = new AbortController();
  const chunks: Buffer[] = [];
  /** The file's offset of chunks[0]'s first byte, and just past the last byte received. */
  let base = 0;
  let head = 0;
  /** Everything below `consumed` was read or let go; `served` holds what was read above it. */
  let consumed = 0;
  let served: [number, number][] = [];
  const waiters = new Set<Waiter>();
  let failure: unknown;
  let started = false;
  let outOfWindow = 0;
  let room: (() => void) | undefined;

  const wake = () => {
    room?.();
    room = undefined;
  };

  const letGo = (upTo: number) => {
    consumed = Math.max(consumed, upTo);
    served = served.filter(([, end]) => end > consumed);
    for (let first = chunks[0]; first && base + first.length <= consumed; first = chunks[0]) {
      base += first.length;
      chunks.shift();
    }
  };

  const take = (offset: number, length: number): Buffer[] => {
    const parts: Buffer[] = [];
    let at = base;
    for (const chunk of chunks) {
      const end = at + chunk.length;
      if (end > offset && at < offset + length)
        parts.push(
          chunk.subarray(Math.max(0, offset - at), Math.min(chunk.length, offset + length - at)),
        );
      if (end >= offset + length) break;
      at = end;
    }
    served.push([offset, offset + length]);
    served.sort((a, b) => a[0] - b[0]);
    let upTo = consumed;
    for (const [start, end] of served) if (start <= upTo) upTo = Math.max(upTo, end);
    letGo(upTo);
    wake();
    return parts;
  };

  const pump = async () => {
    try {
      for await (const chunk of file.stream(0, aborter.signal)) {
        chunks.push(chunk);
        head += chunk.length;
        for (const w of waiters)
          if (w.offset + w.length <= head) {
            waiters.delete(w);
            w.resolve(take(w.offset, w.length));
          }
        while (head - base > window) {
          if (waiters.size === 0) await new Promise<void>((r) => (room = r));
          else letGo(Math.min(...[...waiters].map((w) => w.offset)));
          if (aborter.signal.aborted) return;
        }
      }
    } catch (error) {
      failure = error;
      for (const w of waiters) w.reject(error);
      waiters.clear();
    }
  };

  return {
    size: file.size,
    get outOfWindow() {
      return outOfWindow;
    },
    read: async (offset, length) => {
      if (length === 0) return [];
      if (offset < base || offset >= head + window) {
        outOfWindow += 1;
        return [await file.range(offset, offset + length - 1, aborter.signal)];
      }
      if (offset + length <= head) return take(offset, length);
      if (failure !== undefined) throw failure;
      if (!started) {
        started = true;
        void pump();
      }
      return new Promise<readonly Buffer[]>((resolve, reject) => {
        waiters.add({ offset, length, resolve, reject });
        wake();
      });
    },
    close: () => {
      aborter.abort();
      wake();
      for (const w of waiters) w.reject(new Error('the export was closed'));
      waiters.clear();
      chunks.length = 0;
    },
  };
}
