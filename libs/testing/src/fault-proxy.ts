import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './free-port.ts';

/**
 * How the proxy treats what passes: `pass` forwards; `html` answers every request itself with a
 * `200 text/html` page (a load balancer's error page); `refuse` listens no more (connection refused,
 * as a stopped service); `stall-upload` forwards, but stops reading a `PUT …/file` request after
 * `stallAfterBytes` of it; `delay` holds each chunk a client sends for `delayMs`; `throttle` lets a
 * client send at most `bytesPerSecond`.
 */
export type FaultMode = 'pass' | 'html' | 'refuse' | 'stall-upload' | 'delay' | 'throttle';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>` with the target URL's path. */
  readonly url: string;
  readonly port: number;
  mode(mode: FaultMode): Promise<void>;
  /** Requests answered with the HTML page, and uploads stalled, so far. */
  readonly counts: { html: number; stalled: number };
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of a real service (a Glance, a Keystone), whose faults a test
 * switches on and off: what Ferry meets when something between it and the cloud misbehaves.
 */
export async function startFaultProxy(
  target: string,
  options: { stallAfterBytes?: number; delayMs?: number; bytesPerSecond?: number } = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  const port = await freePort();
  let current: FaultMode = 'pass';
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const counts = { html: 0, stalled: 0 };

  const handle = (client: Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (current === 'html') return answerHtml(client, counts);
    const mode = current;
    const up = connect(Number(upstream.port), upstream.hostname);
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      client.destroy();
    });
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.pipe(client);
    let uploading = false;
    let sent = 0;
    let allowance = 0;
    const start = Date.now();
    client.on('data', (chunk: Buffer) => {
      if (mode === 'stall-upload') {
        if (!uploading && /^PUT [^ ]*\/file /m.test(chunk.subarray(0, 512).toString('latin1')))
          uploading = true;
        if (uploading) {
          const room = (options.stallAfterBytes ?? 1024 * 1024) - sent;
          if (room <= 0) return;
          sent += chunk.length;
          up.write(chunk.subarray(0, room));
          if (chunk.length >= room) {
            counts.stalled++;
            client.pause(); // reads no more: the sender's window fills, and it waits
          }
          return;
        }
      }
      if (mode === 'delay') {
        client.pause();
        setTimeout(() => {
          up.write(chunk);
          client.resume();
        }, options.delayMs ?? 1_000);
        return;
      }
      if (mode === 'throttle') {
        sent += chunk.length;
        allowance = ((Date.now() - start) / 1000) * (options.bytesPerSecond ?? 1024 * 1024);
        up.write(chunk);
        if (sent > allowance) {
          client.pause();
          setTimeout(
            () => client.resume(),
            ((sent - allowance) / (options.bytesPerSecond ?? 1024 * 1024)) * 1000,
          );
        }
        return;
      }
      up.write(chunk);
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(handle);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });
  const unlisten = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    port,
    counts,
    async mode(mode) {
      const was = current;
      current = mode;
      // Every connection starts over in the new mode (a client's kept-alive one included).
      if (mode === 'refuse') return unlisten();
      if (was === 'refuse') return listen();
      for (const socket of sockets) socket.destroy();
    },
    close: unlisten,
  };
}

function answerHtml(client: Socket, counts: { html: number }): void {
  let head = '';
  client.on('data', (chunk: Buffer) => {
    if (head.includes('\r\n\r\n')) return; // the body of a request already answered
    head += chunk.toString('latin1');
    if (!head.includes('\r\n\r\n')) return;
    counts.html++;
    const body =
      '<html><head><title>502 Bad Gateway</title></head><body><h1>Service unavailable</h1></body></html>';
    client.end(
      `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
}
