import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  DatastoreFiles,
  formatDatastorePath,
  parseDatastorePath,
  type DatastorePath,
} from './datastore.ts';
import type { VsphereSourceOptions } from './discover-vsphere.ts';
import { VsphereError } from './faults.ts';
import { openSession } from './session.ts';
import type { HostAccess } from './soap.ts';
import { streamSource } from './streamable.ts';

/** A VM's datastore files, served to a converter on loopback while it reads them. */
export interface DatastoreStream {
  /**
   * Where and as what a converter reads a disk (`[ds] dir/file.vmdk`) over this stream; undefined
   * when the disk's layout does not stream (see streamSource): it is copied first.
   */
  source(disk: string): Promise<
    | {
        url: string;
        format: 'vmdk' | 'raw';
        file: DatastoreFile;
        /** The data file at the host itself, for a reader of its own (see HostAccess). */
        access: HostAccess | undefined;
      }
    | undefined
  >;
  /** What went wrong upstream, the last time (a converter only sees that a read failed). */
  readonly lastError: unknown;
  /** Stops serving and logs out. */
  close(): Promise<void>;
}

/** A datastore file read directly, in one transfer or by ranges, in this stream's session. */
export interface DatastoreFile {
  readonly size: number;
  stream(start: number, signal: AbortSignal): AsyncIterable<Buffer>;
  range(start: number, end: number, signal: AbortSignal): Promise<Buffer>;
}

/**
 * Serves a vSphere host's datastore files over plain HTTP on 127.0.0.1, with Range, under a random
 * path: so qemu-img reads a disk where it lies (its curl driver, extents and snapshot parents by
 * relative name) with no local copy, while the session cookie, certificate pinning and resuming a
 * broken transfer stay Ferry's. Only this process's converter knows the path. Each source also
 * gives its data file for direct reads (`file`): a flat extent is served to qemu-img over NBD from
 * one transfer of it (see the conversion service's fetch-source).
 */
export async function serveDatastore(
  options: VsphereSourceOptions,
  datacenter: string,
  signal?: AbortSignal,
): Promise<DatastoreStream> {
  const session = await openSession(options);
  const files = new DatastoreFiles(session.soap, datacenter);
  const token = randomBytes(16).toString('hex');
  // A converter asks for a file's ranges by the thousand: its size is asked of the host once.
  const sizes = new Map<string, Promise<number>>();
  const sizeOf = (file: DatastorePath) => {
    const key = formatDatastorePath(file);
    let size = sizes.get(key);
    if (!size) {
      size = files.size(file, signal);
      size.catch(() => sizes.delete(key));
      sizes.set(key, size);
    }
    return size;
  };
  let lastError: unknown;
  const server = createServer((req, res) => {
    serve(files, sizeOf, token, req, res, signal).catch((error: unknown) => {
      lastError = error;
      if (!res.headersSent) {
        res.statusCode = statusOf(error);
        res.end();
      } else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await session.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    source: async (disk) => {
      const path = parseDatastorePath(disk);
      const range = async (file: DatastorePath, start: number, end: number, stop?: AbortSignal) => {
        const chunks: Buffer[] = [];
        for await (const chunk of files.read(file, { start, end }, stop)) chunks.push(chunk);
        return Buffer.concat(chunks);
      };
      const found = await streamSource(path, await sizeOf(path), (start, end) =>
        range(path, start, end, signal),
      );
      if (!found) return undefined;
      const either = (stop: AbortSignal) => (signal ? AbortSignal.any([signal, stop]) : stop);
      return {
        url: streamUrl(`http://127.0.0.1:${port}`, token, formatDatastorePath(found.file)),
        format: found.format,
        file: {
          size: await sizeOf(found.file),
          stream: (start, stop) => files.read(found.file, { start }, either(stop)),
          range: (start, end, stop) => range(found.file, start, end, either(stop)),
        },
        access: files.access(found.file),
      };
    },
    get lastError() {
      return lastError;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await session.close();
    },
  };
}

async function serve(
  files: DatastoreFiles,
  sizeOf: (file: DatastorePath) => Promise<number>,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal | undefined,
): Promise<void> {
  const file = fileOf(req.url ?? '', token);
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const total = await sizeOf(file);
  res.setHeader('accept-ranges', 'bytes');
  const range = rangeOf(req.headers.range, total);
  if (range === 'unsatisfiable') {
    res.statusCode = 416;
    res.setHeader('content-range', `bytes */${total}`);
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: total - 1 };
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('content-range', `bytes ${start}-${end}/${total}`);
  res.setHeader('content-length', String(end - start + 1));
  if (req.method === 'HEAD' || end < start) {
    res.end();
    return;
  }
  // The converter hanging up (it has what it wanted) stops the transfer upstream too.
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const stop = signal ? AbortSignal.any([signal, gone.signal]) : gone.signal;
  await pipeline(Readable.from(files.read(file, { start, end }, stop)), res);
}

/** Where a stream at `origin` serves a datastore file (`[ds] dir/file.vmdk`). */
function streamUrl(origin: string, token: string, file: string): string {
  const p = parseDatastorePath(file);
  return `${origin}/${token}/${[p.datastore, ...p.path.split('/')].map(encodeURIComponent).join('/')}`;
}

/** The datastore file a request's path names, or undefined for any other path. */
function fileOf(url: string, token: string): DatastorePath | undefined {
  const [, first, datastore, ...rest] = url.split('?')[0]?.split('/') ?? [];
  if (first !== token || !datastore || rest.length === 0) return undefined;
  try {
    return parseDatastorePath(
      `[${decodeURIComponent(datastore)}] ${rest.map(decodeURIComponent).join('/')}`,
    );
  } catch {
    return undefined;
  }
}

/** One `bytes=a-b` range (what qemu's curl driver sends for a sparse VMDK), clamped to the file; none for another form. */
function rangeOf(
  header: string | undefined,
  total: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [start, end] =
    match[1] === ''
      ? [Math.max(0, total - Number(match[2])), total - 1]
      : [Number(match[1]), match[2] === '' ? total - 1 : Math.min(Number(match[2]), total - 1)];
  return start >= total || end < start ? 'unsatisfiable' : { start, end };
}

const statusOf = (error: unknown) =>
  error instanceof VsphereError && error.fault === 'FileNotFound'
    ? 404
    : error instanceof VsphereError && error.fault === 'NotAuthenticated'
      ? 403
      : 502;
