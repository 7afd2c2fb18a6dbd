import { open, rename, stat, truncate } from 'node:fs/promises';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VsphereError } from './faults.ts';
import type { SoapTransport } from './soap.ts';

/** A file on a datastore: `[datastore1] web01/web01.vmdk`. */
export interface DatastorePath {
  readonly datastore: string;
  /** Relative to the datastore's top, normalised; never climbs out of it. */
  readonly path: string;
}

/** Parses `[ds] dir/file`; refuses paths that leave the datastore. */
export function parseDatastorePath(text: string): DatastorePath {
  const match = /^\[([^\]]+)\]\s*(.+)$/.exec(text.trim());
  if (!match) throw new VsphereError('BadPath', `${JSON.stringify(text)} is not a datastore path`);
  return datastorePath(match[1] as string, match[2] as string, text);
}

/** A path beside another on the same datastore (`hint` as a descriptor names it). */
export function besides(file: DatastorePath, relative: string): DatastorePath {
  return datastorePath(file.datastore, posix.join(posix.dirname(file.path), relative), relative);
}

export const formatDatastorePath = (p: DatastorePath) => `[${p.datastore}] ${p.path}`;

function datastorePath(datastore: string, path: string, asGiven: string): DatastorePath {
  const normal = posix.normalize(path);
  if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../'))
    throw new VsphereError('BadPath', `${asGiven} leaves datastore ${datastore}`);
  return { datastore, path: normal };
}

const RETRIES = 5;

/**
 * Files of one datacenter's datastores over the host's HTTP access (`/folder/...`), with the
 * session's cookie: sizes, and downloads that resume with Range where a transfer broke off.
 */
export class DatastoreFiles {
  private readonly soap: SoapTransport;
  private readonly datacenter: string;

  constructor(soap: SoapTransport, datacenter: string) {
    this.soap = soap;
    this.datacenter = datacenter;
  }

  async size(file: DatastorePath, signal?: AbortSignal): Promise<number> {
    const response = await this.soap.get(this.url(file), {
      method: 'HEAD',
      ...(signal ? { signal } : {}),
    });
    await response.body.dump();
    this.refuse(file, response.statusCode);
    const length = Number(response.headers['content-length']);
    if (!Number.isSafeInteger(length))
      throw new VsphereError('BadResponse', `${formatDatastorePath(file)}: no Content-Length`);
    return length;
  }

  /**
   * Streams a file to `local` (through `local.part`, renamed when whole). A transfer that breaks
   * off resumes from the bytes already written, here or in an earlier attempt; a file already
   * complete is not fetched again.
   */
  async download(
    file: DatastorePath,
    local: string,
    options: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void } = {},
  ): Promise<void> {
    const { signal, onBytes } = options;
    const total = await this.size(file, signal);
    if ((await sizeOf(local)) === total) return onBytes?.(total, total);
    const part = `${local}.part`;
    let have = await sizeOf(part);
    if (have > total) await truncate(part, (have = 0));
    const fh = await open(part, have === 0 ? 'w' : 'r+');
    try {
      let at = have;
      for await (const chunk of this.read(file, { start: at }, signal)) {
        await fh.write(chunk, 0, chunk.length, at);
        at += chunk.length;
        onBytes?.(at, total);
        if (at > total) break;
      }
      if (at !== total)
        throw new VsphereError(
          'Truncated',
          `${formatDatastorePath(file)}: ${at} bytes came of ${total}: the file changed meanwhile`,
        );
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(part, local);
  }

  /**
   * The bytes `start` to `end` (inclusive; the file's end when not given) of a file, as they come.
   * A transfer that breaks off (or a host briefly away) is taken up again from the next byte owed,
   * up to RETRIES times; a host that ignores Range has the bytes before `start` skipped.
   */
  async *read(
    file: DatastorePath,
    range: { readonly start: number; readonly end?: number },
    signal?: AbortSignal,
  ): AsyncGenerator<Buffer> {
    let at = range.start;
    const last = range.end ?? Infinity;
    for (let attempt = 1; at <= last; attempt++) {
      try {
        const response = await this.soap.get(this.url(file), {
          // The whole file is asked for plainly, as a browser would.
          ...(at > 0 || range.end !== undefined ? { range: { ...range, start: at } } : {}),
          ...(signal ? { signal } : {}),
        });
        let offset = at;
        if (response.statusCode !== 206 || !contentRangeStartsAt(response.headers, at)) {
          this.refuse(file, response.statusCode);
          offset = 0; // the server sent the whole file
        }
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          const from = Math.max(0, at - offset);
          const to = Math.min(chunk.length, last + 1 - offset);
          offset += chunk.length;
          if (to > from) {
            at += to - from;
            yield from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
          }
          if (at > last) return;
        }
        // To the file's end: the body ended where the file does (a break-off is an error above).
        if (range.end === undefined) return;
        throw new VsphereError(
          'Truncated',
          `${formatDatastorePath(file)}: the transfer ended at byte ${at} of ${range.start}-${last}`,
        );
      } catch (error) {
        if (signal?.aborted || attempt > RETRIES || !isTransient(error)) throw error;
        await sleep(200 * attempt, undefined, signal ? { signal } : {});
      }
    }
  }

  private refuse(file: DatastorePath, status: number): void {
    const name = formatDatastorePath(file);
    if (status === 404) throw new VsphereError('FileNotFound', `${name} is not on the datastore`);
    if (status === 401 || status === 403)
      throw new VsphereError(
        'NotAuthenticated',
        `${name}: the host refused the session (${status})`,
      );
    if (status >= 500) throw new VsphereError('ServerError', `${name}: HTTP ${status}`);
    if (status >= 400) throw new VsphereError('HttpError', `${name}: HTTP ${status}`);
  }

  /** How another client reads the file in this session (see SoapTransport.access). */
  access(file: DatastorePath) {
    return this.soap.access(this.url(file));
  }

  private url(file: DatastorePath): string {
    const path = file.path.split('/').map(encodeURIComponent).join('/');
    const query = new URLSearchParams({ dcPath: this.datacenter, dsName: file.datastore });
    return `/folder/${path}?${query.toString()}`;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

const contentRangeStartsAt = (headers: Record<string, unknown>, start: number) =>
  new RegExp(`^bytes ${start}-`).test(String(headers['content-range'] ?? ''));

/** A broken transfer or a host briefly away: worth resuming. A refusal, a missing file or a full disk is not. */
const isTransient = (error: unknown) =>
  error instanceof VsphereError
    ? ['Unreachable', 'Timeout', 'Truncated', 'ServerError'].includes(error.fault)
    : !/^E(NOSPC|DQUOT|ACCES|PERM|ROFS|NOENT)$/.test((error as { code?: string }).code ?? '');
