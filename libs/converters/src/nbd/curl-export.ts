import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NbdExport } from './nbd-export.ts';

/** A file on an HTTP(S) host as another client reads it (the vSphere session's HostAccess). */
export interface HostFileAccess {
  readonly url: string;
  /** `name=value`; a secret: never on a command line. */
  readonly cookie: string;
  readonly trust: 'insecure' | 'system' | { readonly pinned: string };
}

const READY_MS = 15_000;

/**
 * Whether nbdkit's curl plugin would trust the host exactly as Ferry does. A pinned certificate is
 * given to curl as its only authority, which also checks the host's name against it: a certificate
 * made for another name (an ESXi reached by its address) is not. The system's authorities are
 * Node's own for Ferry and the system's for curl, which may differ: not those either.
 */
export function curlTrusts(file: HostFileAccess): boolean {
  if (file.trust === 'insecure') return true;
  if (file.trust === 'system') return false;
  const host = new URL(file.url).hostname.replace(/^\[|\]$/g, '');
  const certificate = new X509Certificate(file.trust.pinned);
  return (
    (isIP(host) ? certificate.checkIP(host) : certificate.checkHost(host, { subject: 'never' })) !==
    undefined
  );
}

/**
 * Serves a file of an HTTP(S) host over NBD on a Unix socket of its own, read by nbdkit's curl
 * plugin straight from the host, a range per read, each retried after a failure: Node stays out of
 * the data's path (its TLS, streams and socket writes cost 5.4 CPU-s per 2 GiB, CPU that qemu-img
 * needs on a small host). The cookie goes to nbdkit in a file only its user reads, removed once
 * nbdkit has it; nbdkit exits with this process.
 */
export async function serveCurl(file: HostFileAccess): Promise<NbdExport> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-curl-'));
  const socket = join(dir, 'nbd.sock');
  const pidFile = join(dir, 'nbdkit.pid');
  const cookieFile = join(dir, 'cookie');
  let lastError: unknown;
  let nbdkit: ChildProcess | undefined;
  try {
    await writeFile(cookieFile, file.cookie, { mode: 0o600 });
    const trust =
      file.trust === 'insecure'
        ? ['sslverify=false']
        : file.trust === 'system'
          ? []
          : [`cainfo=${await writtenPin(dir, file.trust.pinned)}`];
    const child = spawn(
      'nbdkit',
      [
        '--exit-with-parent',
        '--foreground',
        '--unix',
        socket,
        '--pidfile',
        pidFile,
        '--filter=retry-request',
        'curl',
        `url=${file.url}`,
        `cookie=+${cookieFile}`,
        'protocols=http,https',
        'followlocation=false',
        'timeout=120',
        ...trust,
        'retry-request-retries=5',
        'retry-request-delay=1',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    nbdkit = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-4096);
      const line = text.trim().split('\n').at(-1);
      if (line) lastError = new Error(`nbdkit: ${line}`);
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    await ready(pidFile, exited, () => stderr);
    await rm(cookieFile, { force: true });
    return {
      url: `nbd+unix:///?socket=${socket}`,
      get lastError() {
        return lastError;
      },
      close: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    nbdkit?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function writtenPin(dir: string, pem: string): Promise<string> {
  const path = join(dir, 'pinned.pem');
  await writeFile(path, pem, { mode: 0o600 });
  return path;
}

/** Resolves once nbdkit listens (it writes its pid file then); rejects if it exits first. */
async function ready(
  pidFile: string,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + READY_MS; Date.now() < deadline; await sleep(20)) {
    if (gone) throw new Error(`nbdkit exited before serving: ${stderr().trim()}`);
    if (
      await access(pidFile).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new Error(`nbdkit did not serve within ${READY_MS} ms: ${stderr().trim()}`);
}
