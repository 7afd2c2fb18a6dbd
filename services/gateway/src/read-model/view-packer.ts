import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { JobView } from '@ferry/domain';

/**
 * Deflate's window (8 KiB) and memory (the smallest that keeps its speed): a view is a few KiB, and
 * a small window makes each call's set-up cheap.
 */
const DEFLATE = { windowBits: 13, memLevel: 6 } as const;
/** Packed views are copied into shared slabs: one allocation for thousands of views. */
const SLAB = 1 << 20;

/**
 * Job views packed (serialized, then compressed against the first one packed) and read back.
 * Views share most of their bytes (field names, stage names, the shape of a VM), so each keeps
 * little more than what is its own: about a tenth of its serialized size.
 */
export class ViewPacker {
  /** What views are compressed against: the first view packed, or a save's. */
  dictionary: Buffer | null;
  private slab = Buffer.allocUnsafeSlow(SLAB);
  private used = 0;

  constructor(dictionary: Buffer | null = null) {
    this.dictionary = dictionary;
  }

  pack(view: JobView): Buffer {
    const serialized = serialize(view);
    this.dictionary ??= serialized;
    // zlib's answer is a slice of a larger buffer of its own: copied out, that one is let go.
    const packed = deflateRawSync(serialized, { ...DEFLATE, dictionary: this.dictionary });
    if (packed.length > SLAB / 8) return Buffer.from(packed);
    if (this.used + packed.length > SLAB) {
      this.slab = Buffer.allocUnsafeSlow(SLAB);
      this.used = 0;
    }
    packed.copy(this.slab, this.used);
    this.used += packed.length;
    return this.slab.subarray(this.used - packed.length, this.used);
  }

  unpack(packed: Buffer): JobView {
    const dictionary = this.dictionary;
    if (!dictionary) throw new Error('a packed view without the dictionary it was packed with');
    return deserialize(
      inflateRawSync(packed, { windowBits: DEFLATE.windowBits, dictionary }),
    ) as JobView;
  }
}
