import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** Passes bytes through while hashing them as Glance does (md5 `checksum`, sha512 `os_hash_value`). */
export function hashingStream(): {
  stream: Transform;
  digests: () => { md5: string; sha512: string; bytes: number };
} {
  const md5 = createHash('md5');
  const sha512 = createHash('sha512');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      sha512.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return {
    stream,
    digests: () => ({ md5: md5.digest('hex'), sha512: sha512.digest('hex'), bytes }),
  };
}
