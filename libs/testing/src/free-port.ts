import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768-60999): a port chosen here is never one the kernel hands to an
// outgoing connection, nor to another test's listen(0), between this check and its use. Test files
// run side by side, each starting servers on ports chosen this way.
const LOW = 20_000;
const HIGH = 32_767;

const listensOn = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await listensOn(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 100 tries`);
}
