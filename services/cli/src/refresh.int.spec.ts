import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JetStreamEventStore } from '@ferry/event-store';
import { createFerryMicroservice } from '@ferry/messaging/nest';
import { createLogger } from '@ferry/observability';
import { DiscoveryModule } from '@ferry/service-discovery/src/discovery.module.ts';
import { rejectionRecorder } from '@ferry/stages';
import { natsWithStreams } from '@ferry/stages/testing';
import { freePort } from '@ferry/testing';
import { vsphereSource, workstationSource } from '@ferry/vmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ferry } from './testing/run-ferry.ts';

interface Answer {
  commandId: string;
  sources: { source: { kind: string; id: string }; recorded: number; error?: string }[];
}

/** `ferry refresh` against the real discovery service: a Workstation folder and an ESXi host that is down. */
describe('ferry refresh', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-cli-refresh-'));
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let app: Awaited<ReturnType<typeof createFerryMicroservice>>;
  let env: Record<string, string>;
  /** An ESXi host nothing listens on, as the inventory names it (host:port). */
  let downHost: string;

  beforeAll(async () => {
    const dir = join(root, 'vms', 'app');
    mkdirSync(dir, { recursive: true });
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', join(dir, 'app.vmdk'), '64M']);
    writeFileSync(
      join(dir, 'app.vmx'),
      'displayName = "app"\nnumvcpus = "2"\nmemsize = "1024"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "app.vmdk"\n',
    );
    downHost = `127.0.0.1:${await freePort()}`;
    nats = await natsWithStreams();
    const nc = await nats.connect();
    const store = new JetStreamEventStore(nc);
    const sources = [
      workstationSource(join(root, 'vms')),
      vsphereSource('esxi', { url: `https://${downHost}/sdk`, username: 'ro', password: 'pw' }),
    ];
    const logger = createLogger({
      service: 'discovery',
      role: 'worker',
      dir: join(root, 'logs'),
      console: false,
    });
    app = await createFerryMicroservice(DiscoveryModule.register({ store, sources, logger }), {
      connection: nc,
      consumer: {
        durable: 'discovery',
        filterSubject: 'ferry.cmd.discovery.>',
        concurrency: 1,
        ackWaitMs: 10_000,
      },
      reject: rejectionRecorder(store),
    });
    await app.listen();
    env = { NATS_URL: nats.server.url };
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await nats?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('waits for every source and shows each in a table; exit 1 when one is unreachable', async () => {
    const run = await ferry(['refresh'], env);
    expect(run.code).toBe(1);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SOURCE\s+ID\s+OUTCOME\s+CHANGES$/);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.startsWith('workstation'))).toMatch(/refreshed\s+2$/);
    expect(rows.find((r) => r.startsWith('esxi'))).toContain('unreachable: ');
  });

  it('refreshes the one source named, as JSON and as YAML; exit 0', async () => {
    const json = await ferry(
      ['refresh', '--source', `workstation:${join(root, 'vms')}`, '-f', 'json'],
      env,
    );
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(json.stdout) as Answer;
    // Nothing changed since the first refresh: it answered, and recorded nothing.
    expect(answer.sources).toEqual([
      { source: { kind: 'workstation', id: join(root, 'vms') }, recorded: 0 },
    ]);
    const yaml = await ferry(['refresh', '--source', `esxi:${downHost}`, '-f', 'yaml'], env);
    expect(yaml.code).toBe(1);
    const [esxi] = (parse(yaml.stdout) as Answer).sources;
    expect(esxi).toMatchObject({ source: { kind: 'esxi', id: downHost } });
    expect(esxi?.error).toBeTruthy();
  });

  it('says a source that is not configured was refused; exit 3', async () => {
    const run = await ferry(['refresh', '--source', 'vcenter:vc.example.com', '--json'], env);
    expect(run).toMatchObject({ code: 3, stdout: '' });
    expect(run.stderr).toMatch(/refused \(not-found\): .*is not a configured source/);
  });

  it('gives up after --timeout when no discovery service answers; exit 3', async () => {
    const alone = await natsWithStreams();
    try {
      const run = await ferry(['refresh', '--timeout', '1'], { NATS_URL: alone.server.url });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/no answer within 1 s: is the discovery service running\?/);
    } finally {
      await alone.close();
    }
  });

  it('refuses a bad command line with exit 2, and an unreachable NATS with exit 3', async () => {
    for (const args of [
      ['refresh', '--source', 'esxi'],
      ['refresh', '--source', 'floppy:a'],
      ['refresh', '--timeout', 'soon'],
      ['refresh', '-f', 'xml'],
      ['refresh', 'extra'],
    ])
      expect((await ferry(args, env)).code, args.join(' ')).toBe(2);
    const port = await freePort();
    expect((await ferry(['refresh'], { NATS_URL: `nats://127.0.0.1:${port}` })).code).toBe(3);
  });
});
