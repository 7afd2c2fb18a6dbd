import { migrationStream, vmClaimStream, type VmDescription } from '@ferry/contracts';
import { JetStreamEventStore } from '@ferry/event-store';
import { CommandRejectedError } from '@ferry/messaging';
import { commandContext, natsWithStreams, testVm } from '@ferry/stages/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrations } from './create-migrations.ts';
import { DEFAULT_OPTIONS } from './defaults.ts';
import { jobIdFor } from './job-id.ts';

const vm = (i: number): VmDescription => ({ ...testVm, key: `ws-size-${i}`, name: `size-${i}` });

describe('a selection whose answer must fit one NATS message (real nats-server)', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let deps: Parameters<typeof createMigrations>[0];
  const vms = new Map(Array.from({ length: 2_000 }, (_, i) => [vm(i).key, vm(i)] as const));
  const keys = [...vms.keys()];

  beforeAll(async () => {
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    deps = {
      store,
      inventory: { current: async () => vms },
      flags: { realConversion: false, openstackDeployment: false, rollback: true },
      defaults: DEFAULT_OPTIONS,
    };
  });
  afterAll(async () => nats?.close());
  const streamLength = async (stream: string) => (await store.read(stream)).events.length;

  it('is refused before any job is made when its answer could outgrow the message, saying how many fit', async () => {
    // As with a NATS server left at its 1 MB default, scaled down: room for about 1,000 VMs' answer.
    const error = await createMigrations(
      { ...deps, maxOutcomeBytes: 100_000 },
      { vmKeys: keys },
      commandContext('size-too-big'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error).toMatchObject({
      reason: 'too-large',
      message: expect.stringMatching(
        /^a selection of 2000 VMs can take \d+ bytes to answer, more than NATS takes in one message here \(100000; its max_payload\): select at most \d+ VMs at once, or raise max_payload/,
      ),
    });
    const most = Number(/at most (\d+) VMs/.exec((error as Error).message)?.[1]);
    expect(most).toBeGreaterThan(500);
    expect(most).toBeLessThan(2_000);
    for (const key of [keys[0] as string, keys.at(-1) as string]) {
      expect(await streamLength(migrationStream(jobIdFor('size-too-big', key)))).toBe(0);
      expect(await streamLength(vmClaimStream(key))).toBe(0);
    }
    // As many as it said: made, and answered.
    const outcome = await createMigrations(
      { ...deps, maxOutcomeBytes: 100_000 },
      { vmKeys: keys.slice(0, most) },
      commandContext('size-fits'),
    );
    expect(outcome.jobs).toHaveLength(most);
  });
});
