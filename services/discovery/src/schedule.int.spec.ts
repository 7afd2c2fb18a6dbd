import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ferry/contracts';
import { connectNats, provisionStreams } from '@ferry/messaging';
import { eventually, startNatsServer } from '@ferry/testing';
import { expect, it } from 'vitest';
import { scheduleRefresh } from './schedule.ts';

it('asks for one refresh per interval, however many replicas ask', async () => {
  const server = await startNatsServer();
  const nc = await connectNats({ url: server.url, name: 'schedule-test' });
  try {
    const jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    const errors: unknown[] = [];
    // Three replicas start within the same hour-long slot.
    const stops = [1, 2, 3].map(() => scheduleRefresh(jetstream(nc), 3600, (e) => errors.push(e)));
    await eventually(
      async () => (await jsm.streams.info(STREAMS.commands)).state.messages >= 1,
      'a refresh command',
    );
    await new Promise((r) => setTimeout(r, 300));
    const message = await jsm.streams.getMessage(STREAMS.commands, {
      last_by_subj: 'ferry.cmd.discovery.refresh',
    });
    expect((await jsm.streams.info(STREAMS.commands)).state.messages).toBe(1);
    expect(message?.json()).toMatchObject({
      type: 'RefreshInventory',
      data: {},
      metadata: { commandId: expect.stringMatching(/^discovery-refresh-3600-\d+$/) },
    });
    expect(errors).toEqual([]);
    for (const stop of stops) stop();
    expect(scheduleRefresh(jetstream(nc), 0, () => undefined)).toBeTypeOf('function'); // 0: no schedule
  } finally {
    await nc.close();
    await server.remove();
  }
});
