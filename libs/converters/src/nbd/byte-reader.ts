import type { Socket } from 'node:net';

/** A socket's bytes, taken in the sizes a protocol asks: `take(n)` waits until n bytes have come. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private wanted:
    { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private ended: Error | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      this.serve();
    });
    const end = () => this.fail(new Error('the client hung up'));
    socket.once('end', end);
    socket.once('close', end);
    socket.once('error', (error) => this.fail(error));
  }

  /** The next n bytes; rejects once the client is gone. One take at a time. */
  take(n: number): Promise<Buffer> {
    if (this.wanted) throw new Error('one take at a time');
    return new Promise((resolve, reject) => {
      this.wanted = { n, resolve, reject };
      this.serve();
    });
  }

  private serve(): void {
    const wanted = this.wanted;
    if (!wanted) return;
    if (this.buffered >= wanted.n) {
      this.wanted = undefined;
      const all =
        this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      this.chunks = all.length > wanted.n ? [all.subarray(wanted.n)] : [];
      this.buffered -= wanted.n;
      wanted.resolve(all.subarray(0, wanted.n));
    } else if (this.ended) {
      this.wanted = undefined;
      wanted.reject(this.ended);
    }
  }

  private fail(error: Error): void {
    this.ended ??= error;
    this.serve();
  }
}
