import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlTrusts, serveCurl, type HostFileAccess } from './curl-export.ts';
import { disk } from './pattern-disk.fixtures.ts';

const MiB = 1024 * 1024;
const COOKIE = 'vmware_soap_session="52a01262-bf93"';

/** A self-signed certificate for 127.0.0.1 only, made by openssl. */
async function selfSigned(dir: string, name: string) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key: readFileSync(key), cert: readFileSync(cert, 'utf8') };
}

/**
 * A datastore's file access as ESXi has it: HTTPS, the session cookie required, Range. The first
 * request from byte 0 for more than 1 MiB breaks off after 1 MiB, as a dropped transfer would.
 */
function host(bytes: Buffer, tls: { key: Buffer; cert: string }, requests: string[]): Server {
  let cut = false;
  return createServer(tls, (req, res) => {
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    requests.push(`${req.method} ${req.headers.range ?? 'whole'}`);
    if (req.headers.cookie !== COOKIE) return void res.writeHead(403).end();
    // Clamped to the file, as HTTP servers do (nbdkit 1.32 asks one byte past a read's end).
    const [start, end] = range
      ? [Number(range[1]), Math.min(Number(range[2]), bytes.length - 1)]
      : [0, bytes.length - 1];
    res.writeHead(range ? 206 : 200, {
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${bytes.length}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    if (!cut && start === 0 && end - start + 1 > MiB) {
      cut = true;
      return void res.write(bytes.subarray(0, MiB), () => res.destroy());
    }
    res.end(bytes.subarray(start, end + 1));
  });
}

describe('serveCurl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-curl-test-'));
  const bytes = disk(24);
  const requests: string[] = [];
  let tls: { key: Buffer; cert: string };
  let other: { key: Buffer; cert: string };
  let server: Server;
  let url = '';
  beforeAll(async () => {
    tls = await selfSigned(dir, 'esx01');
    other = await selfSigned(dir, 'someone-else');
    server = host(bytes, tls, requests);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/folder/esx01/esx01_0-flat.vmdk?dcPath=ha-datacenter&dsName=ds1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (over: Partial<HostFileAccess> = {}): HostFileAccess => ({
    url,
    cookie: COOKIE,
    trust: { pinned: tls.cert },
    ...over,
  });

  it('qemu-img reads the file byte for byte from the host it pins, a broken read asked again', async () => {
    const nbd = await serveCurl(file());
    const folder = dirname(nbd.url.replace('nbd+unix:///?socket=', ''));
    try {
      expect(nbd.url).toMatch(/^nbd\+unix:\/\/\/\?socket=\/.+\/nbd\.sock$/);
      // nbdkit has the cookie: its file is gone, and it was never on a command line.
      expect(readdirSync(folder)).not.toContain('cookie');
      const out = join(dir, 'whole.raw');
      await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'raw', nbd.url, out]);
      expect(readFileSync(out).equals(bytes)).toBe(true);
      const reads = requests.filter((r) => r.startsWith('GET bytes='));
      expect(reads.filter((r) => r === reads[0])).toHaveLength(2);
      expect(reads[0]).toMatch(/^GET bytes=0-\d+$/);
    } finally {
      await nbd.close();
    }
    expect(existsSync(folder)).toBe(false);
  });

  it('reads nothing from a host showing another certificate than the pinned one', async () => {
    const nbd = await serveCurl(file({ trust: { pinned: other.cert } }));
    try {
      const refused = await execa('qemu-img', ['info', '-f', 'raw', nbd.url], { reject: false });
      expect(refused.exitCode).not.toBe(0);
      expect(String(nbd.lastError)).toMatch(/certificate|SSL/i);
    } finally {
      await nbd.close();
    }
  });

  it('reads nothing without the session', async () => {
    const before = requests.length;
    const nbd = await serveCurl(file({ cookie: 'vmware_soap_session="expired"' }));
    try {
      const refused = await execa('qemu-img', ['info', '-f', 'raw', nbd.url], { reject: false });
      expect(refused.exitCode).not.toBe(0);
      expect(requests.length).toBeGreaterThan(before);
      expect(String(nbd.lastError)).toMatch(/403/);
    } finally {
      await nbd.close();
    }
  });

  it('is trusted to read as Ferry does: a pin made for the host, or no checks when so configured', () => {
    expect(curlTrusts(file())).toBe(true);
    // The same certificate, the host named otherwise: curl would refuse it, Ferry's stream reads it.
    expect(curlTrusts(file({ url: url.replace('127.0.0.1', 'localhost') }))).toBe(false);
    expect(curlTrusts(file({ trust: 'system' }))).toBe(false);
    expect(curlTrusts(file({ trust: 'insecure' }))).toBe(true);
  });
});
