import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ByteReader } from './byte-reader.ts';
import {
  blockSizeInfo,
  ERRNO,
  exportInfo,
  exportNameReply,
  greeting,
  HANDSHAKE_FLAGS,
  IHAVEOPT,
  judgeRequest,
  MAX_OPTION_DATA,
  OPT,
  optionReply,
  parseGoName,
  parseRequest,
  REP,
  REQUEST_BYTES,
  simpleReply,
} from './protocol.ts';

/** The bytes an export serves: its size, and any range of it (in parts: they are sent, not joined). */
export interface ExportSource {
  readonly size: number;
  read(offset: number, length: number): Promise<readonly Buffer[]>;
}

export interface NbdExport {
  /** Where qemu reads it: `nbd://127.0.0.1:<port>/<name>`. */
  readonly url: string;
  /** The last read that failed (the client only sees EIO). */
  readonly lastError: unknown;
  close(): Promise<void>;
}

/**
 * Serves `source` read-only over NBD on 127.0.0.1, under `name`: the export's only name, kept
 * secret (it is not listed), so that only who was given the URL reads the disk.
 */
export async function serveNbd(source: ExportSource, name: string): Promise<NbdExport> {
  let lastError: unknown;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    session(socket, source, name, (error) => (lastError = error)).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `nbd://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    get lastError() {
      return lastError;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function session(
  socket: Socket,
  source: ExportSource,
  name: string,
  failed: (error: unknown) => void,
): Promise<void> {
  const reader = new ByteReader(socket);
  socket.write(greeting());
  const clientFlags = (await reader.take(4)).readUInt32BE(0);
  if ((clientFlags & HANDSHAKE_FLAGS.fixedNewstyle) === 0) return void socket.destroy();
  const zeroes = (clientFlags & HANDSHAKE_FLAGS.noZeroes) === 0;
  if (!(await haggle(socket, reader, source.size, name, zeroes))) return void socket.end();
  for (;;) {
    const request = parseRequest(await reader.take(REQUEST_BYTES));
    const verdict = judgeRequest(request, source.size);
    if (verdict.kind === 'disconnect') return void socket.end();
    if (verdict.kind === 'reply') {
      socket.write(simpleReply(verdict.error, request.handle));
      continue;
    }
    // Reads are answered as they complete, not in order: qemu keeps several in flight.
    source.read(verdict.offset, verdict.length).then(
      (data) => {
        socket.cork();
        socket.write(simpleReply(0, request.handle));
        for (const part of data) socket.write(part);
        socket.uncork();
      },
      (error: unknown) => {
        failed(error);
        if (!socket.destroyed) socket.write(simpleReply(ERRNO.eio, request.handle));
      },
    );
  }
}

/**
 * The options phase: answers what the client asks until it names this export (go on, true) or
 * leaves (false). Only `name` is served; every option but naming the export is declined.
 */
async function haggle(
  socket: Socket,
  reader: ByteReader,
  size: number,
  name: string,
  zeroes: boolean,
): Promise<boolean> {
  for (;;) {
    const header = await reader.take(16);
    const option = header.readUInt32BE(8);
    const length = header.readUInt32BE(12);
    if (header.readBigUInt64BE(0) !== IHAVEOPT || length > MAX_OPTION_DATA) return false;
    const data = await reader.take(length);
    switch (option) {
      case OPT.exportName:
        // No error reply exists for this old option: a wrong name is answered by hanging up.
        if (data.toString('utf8') !== name) return false;
        socket.write(exportNameReply(size, zeroes));
        return true;
      case OPT.abort:
        socket.write(optionReply(option, REP.ack));
        return false;
      case OPT.info:
      case OPT.go: {
        const asked = parseGoName(data);
        if (asked === undefined) {
          socket.write(optionReply(option, REP.errInvalid));
          break;
        }
        if (asked !== name) {
          socket.write(optionReply(option, REP.errUnknown));
          break;
        }
        socket.write(optionReply(option, REP.info, exportInfo(size)));
        socket.write(optionReply(option, REP.info, blockSizeInfo()));
        socket.write(optionReply(option, REP.ack));
        if (option === OPT.go) return true;
        break;
      }
      case OPT.list:
        socket.write(optionReply(option, REP.errPolicy));
        break;
      default:
        socket.write(optionReply(option, REP.errUnsup));
    }
  }
}
