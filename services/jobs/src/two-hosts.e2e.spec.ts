import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventOf, MigrationEvent } from '@ferry/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '@ferry/pipeline-testing';

const HOSTS = ['conv-a', 'conv-b'] as const;
const VMS = 4;

/** The process (its pid, in the holder's name) that held a stage of the job. */
const holderPid = (events: readonly MigrationEvent[], stage: string): number | undefined => {
  const claim = events.find(
    (e): e is EventOf<'StageClaimed'> => e.type === 'StageClaimed' && e.data.stage === stage,
  );
  // `<service>-<hostname>-<pid>-<random>`: the host name may hold dashes itself.
  return claim ? Number(claim.data.holder.split('-').at(-2)) : undefined;
};

/**
 * Two conversion hosts, each a conversion and an image service with its own output folder and
 * FERRY_HOST, sharing no folder: each job's disks are uploaded by the image service of the host that
 * converted them (its upload routed there), and every job ends VERIFIED. Secure, so the image
 * services pull their hosts' uploads as the `image` identity the deployments give them.
 */
describe('many conversion hosts, no shared folder', () => {
  let p: Pipeline;
  const folders = new Map<string, string>();
  const jobs: string[] = [];

  beforeAll(async () => {
    p = await startPipeline({ CONVERSION_CONCURRENCY: '1' }, { secure: true });
    for (const name of ['discovery', 'jobs', 'compute', 'rollback'] as const) p.start(name);
    for (const host of HOSTS) {
      const folder = mkdtempSync(join(tmpdir(), `ferry-${host}-`));
      folders.set(host, folder);
      const env = { FERRY_HOST: host, MIGRATION_OUTPUT_DIR: folder };
      p.start('conversion', `conversion-${host}`, env);
      p.start('image', `image-${host}`, env);
    }
  }, 600_000);
  afterAll(async () => {
    p?.removeResourcesOf(jobs);
    await p?.close();
    for (const folder of folders.values()) rmSync(folder, { recursive: true, force: true });
  });

  it('uploads each job from the host that converted it, and every job ends VERIFIED', async () => {
    const names = Array.from({ length: VMS }, (_, i) => `host-vm-${i}`);
    for (const name of names) p.writeVm(name, { mib: 32 });
    const keys = await Promise.all(names.map((n) => p.discovered(n)));
    const { jobs: created } = await p.migrate('two-hosts', keys, { strategy: 'qemu-img' });
    jobs.push(...created.map((j) => j.jobId));
    expect(created).toHaveLength(VMS);
    const histories = await Promise.all(created.map((j) => p.ended(j.jobId)));

    const pidOf = (key: string) => p.services.get(key)?.process.pid;
    const convertedOn = new Map<string, number>();
    for (const [i, events] of histories.entries()) {
      const jobId = created[i]?.jobId as string;
      expect(events.at(-1)?.type, jobId).toBe('MigrationVerified');
      const converted = events.find(
        (e): e is EventOf<'ConversionCompleted'> => e.type === 'ConversionCompleted',
      );
      const host = converted?.data.host as string;
      expect(HOSTS, jobId).toContain(host);
      convertedOn.set(host, (convertedOn.get(host) ?? 0) + 1);
      // Converted by that host's conversion service, into its folder; uploaded by its image service.
      expect(holderPid(events, 'conversion'), jobId).toBe(pidOf(`conversion-${host}`));
      expect(holderPid(events, 'upload'), jobId).toBe(pidOf(`image-${host}`));
      for (const artifact of converted?.data.artifacts ?? [])
        expect(artifact.path.startsWith(`${folders.get(host)}/`), artifact.path).toBe(true);
      const other = HOSTS.find((h) => h !== host) as string;
      expect(existsSync(join(folders.get(other) as string, jobId)), jobId).toBe(false);
    }
    // Both hosts took part: otherwise nothing here was routed.
    expect([...convertedOn.keys()].sort()).toEqual([...HOSTS]);
    // The shared folder of a one-machine layout was never written.
    expect(readdirSync(p.out).filter((f) => f.startsWith('job-'))).toEqual([]);
  });
});
