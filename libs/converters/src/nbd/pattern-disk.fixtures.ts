const MiB = 1024 * 1024;

/** A disk of `mib` MiB: a pattern where each 4 KiB block says where it is, every fourth MiB zeros. */
export function disk(mib: number): Buffer {
  const bytes = Buffer.alloc(mib * MiB);
  for (let at = 0; at < bytes.length; at += 4096)
    if (Math.floor(at / MiB) % 4 !== 3)
      bytes.write(`block at ${at};`.repeat(200).slice(0, 4096), at);
  return bytes;
}
