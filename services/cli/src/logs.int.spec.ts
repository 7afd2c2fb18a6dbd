import { JetStreamEventStore } from '@ferry/event-store';
import { toolLogWriter } from '@ferry/messaging';
import { discoveredJob, natsWithStreams } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';

describe('ferry logs', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    nats = await natsWithStreams();
    env = { NATS_URL: nats.server.url };
    const nc = await nats.connect();
    await discoveredJob(new JetStreamEventStore(nc), 'job-l');
    await discoveredJob(new JetStreamEventStore(nc), 'job-quiet');
    // As the conversion service writes it: batches on the job's subject of the tool log stream.
    const log = toolLogWriter(nc, 'job-l', (error) => {
      throw error;
    });
    log.add({
      tool: 'virt-v2v',
      kind: 'command',
      text: 'virt-v2v --machine-readable -i vmx g.vmx',
    });
    log.add({ tool: 'virt-v2v', kind: 'message', text: 'Converting 12.15 to run on KVM' });
    log.add({
      tool: 'virt-v2v',
      kind: 'warning',
      text: 'could not update the configuration of Grub2',
    });
    await log.close();
  }, 60_000);
  afterAll(async () => nats.close());

  it('prints what the tools said, oldest first', async () => {
    const { code, stdout } = await ferry(['logs', 'job-l'], env);
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, '')),
    ).toEqual([
      'virt-v2v $ virt-v2v --machine-readable -i vmx g.vmx',
      'virt-v2v message: Converting 12.15 to run on KVM',
      'virt-v2v warning: could not update the configuration of Grub2',
    ]);
  });

  it('as JSON lines, the last N', async () => {
    const { code, stdout } = await ferry(['logs', 'job-l', '--json', '--last', '1'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      tool: 'virt-v2v',
      kind: 'warning',
      text: 'could not update the configuration of Grub2',
      at: expect.stringMatching(/^\d{4}-/),
    });
  });

  it('an empty log is no error; no job, or a bad id or --last, is', async () => {
    expect(await ferry(['logs', 'job-quiet'], env)).toMatchObject({ code: 0, stdout: '' });
    expect(await ferry(['logs', 'job-none'], env)).toMatchObject({
      code: 1,
      stderr: 'ferry logs: no job job-none\n',
    });
    expect((await ferry(['logs', 'a/b'], env)).code).toBe(2);
    expect((await ferry(['logs', 'job-l', '--last', '0'], env)).code).toBe(2);
  });
});
