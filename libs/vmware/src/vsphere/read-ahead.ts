/**
 * One file read front to back over a single transfer, serving the ranges a converter asks for
 * (mostly in order, several at once) from a window of what came: qemu's curl driver asks for
 * 2.25 MiB at a time, and a request of its own each costs a round trip through the host. A range
 * behind the window, or far ahead of it, is not served here (`undefined`): its caller reads it
 * directly. Memory: the window plus what is read ahead, at most.
 */
export class ReadAhead {
  private readonly chunks: Buffer[] = [];
  /** The bytes held: [start, end). */
  private start = 0;
  private end = 0;
  private source: AsyncIterator<Buffer> | undefined;
  private pulling: Promise<boolean> | undefined;
  private wanted = 0;
  private failed = false;

  /** The file's bytes from `start` to its end, as they come. */
  private readonly open: (start: number) => AsyncIterator<Buffer>;
  private readonly window: number;
  private readonly ahead: number;

  constructor(
    open: (start: number) => AsyncIterator<Buffer>,
    window = 32 * 1024 * 1024,
    ahead = 16 * 1024 * 1024,
  ) {
    this.open = open;
    this.window = window;
    this.ahead = ahead;
  }

  /** The bytes `from` to `to` (inclusive), or undefined when they are not this reader's to give. */
  async range(from: number, to: number): Promise<Buffer | undefined> {
    if (!this.source) {
      // A converter reads front to back, its first ranges in parallel, in any order: the transfer
      // starts at the file's start, or where it is asked after one failed.
      const at = this.failed ? from : 0;
      this.source = this.open(at);
      this.start = this.end = at;
    }
    // Ahead of what came, but not beyond what the ranges asked so far lead to expect.
    if (from < this.start || from > Math.max(this.end, this.wanted) + this.ahead) return undefined;
    this.wanted = Math.max(this.wanted, to + 1 + this.ahead);
    try {
      while (this.end <= to) if (!(await this.pull())) return undefined;
    } catch (error) {
      // The transfer failed for good: the next range starts another.
      this.reset();
      throw error;
    }
    // Others' ranges may have moved the window past this one's start while it waited.
    if (from < this.start) return undefined;
    const bytes = this.copy(from, to);
    void this.fill().catch(() => this.reset());
    this.trim();
    return bytes;
  }

  /** Stops the transfer. */
  async close(): Promise<void> {
    const source = this.source;
    this.reset();
    await source?.return?.();
  }

  /** Reads on while the converter will soon want more, so its next ranges are here already. */
  private async fill(): Promise<void> {
    while (this.source && this.end < this.wanted) if (!(await this.pull())) return;
  }

  /** The next chunk of the transfer, one pull at a time; false at its end. */
  private pull(): Promise<boolean> {
    const source = this.source;
    if (!source) return Promise.resolve(false);
    this.pulling ??= source.next().then(
      (next) => {
        this.pulling = undefined;
        if (next.done || source !== this.source) return false;
        this.chunks.push(next.value);
        this.end += next.value.length;
        return true;
      },
      (error: unknown) => {
        this.pulling = undefined;
        throw error;
      },
    );
    return this.pulling;
  }

  private copy(from: number, to: number): Buffer {
    const out = Buffer.allocUnsafe(to - from + 1);
    let at = this.start;
    for (const chunk of this.chunks) {
      const next = at + chunk.length;
      if (next > from && at <= to)
        chunk.copy(
          out,
          Math.max(0, at - from),
          Math.max(0, from - at),
          Math.min(chunk.length, to + 1 - at),
        );
      if (next > to) break;
      at = next;
    }
    return out;
  }

  /** Drops what lies more than a window behind the end. */
  private trim(): void {
    while (
      this.chunks.length > 1 &&
      this.end - this.start - (this.chunks[0]?.length ?? 0) > this.window
    )
      this.start += (this.chunks.shift() as Buffer).length;
  }

  private reset(): void {
    this.failed = true;
    this.source = undefined;
    this.pulling = undefined;
    this.chunks.length = 0;
    this.start = this.end = this.wanted = 0;
  }
}
