import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { MIGRATION_STATES, STREAMS } from '@ferry/contracts';
import {
  counter,
  gauge,
  histogram,
  initProcessMetrics,
  metricsRegistry,
} from '@ferry/observability';
import { jetstreamStorage, type JetStreamStorage } from './jetstream-storage.ts';
import type { Projections } from './read-model/projections.ts';

/**
 * The gateway's Prometheus metrics: its own work, the jobs and inventory its projections hold, and
 * how full the event store is (JetStream's store from NATS's monitoring endpoint when given).
 */
export function gatewayMetrics(
  projections: Projections,
  nc: NatsConnection,
  natsMonitorUrl?: string,
) {
  initProcessMetrics('gateway');
  const requests = counter(
    'ferry_gateway_graphql_operations_total',
    'GraphQL operations answered, by type and outcome.',
    ['operation', 'outcome'],
  );
  const duration = histogram(
    'ferry_gateway_graphql_duration_seconds',
    'Time to answer a GraphQL query or mutation.',
    ['operation'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
  );
  gauge('ferry_jobs', 'Jobs by state, as the gateway projects them.', ['state'], (g) => {
    const counts = projections.jobs.countByState();
    for (const state of MIGRATION_STATES) g.set({ state }, counts.get(state) ?? 0);
  });
  gauge(
    'ferry_jobs_stalled_seconds',
    'The longest an unfinished job in each state has gone without an event (0: none is waiting).',
    ['state'],
    (g) => {
      const stalled = projections.jobs.stalledSeconds(Date.now());
      for (const state of MIGRATION_STATES) g.set({ state }, stalled.get(state) ?? 0);
    },
  );
  gauge('ferry_inventory_vms', 'VMs discovered, as the gateway projects them.', [], (g) =>
    g.set(projections.inventory.size),
  );
  gauge(
    'ferry_gateway_projection_position',
    'The position in the event store of the last commit the projections folded.',
    [],
    (g) => g.set(projections.position),
  );
  gauge('ferry_gateway_subscriptions', 'GraphQL subscriptions open now.', [], (g) =>
    g.set(projections.jobs.listenerCount('job') + projections.inventory.listenerCount('change')),
  );
  // Made once (making one asks the server for the account's info); made again after a failure.
  let jsm: ReturnType<typeof jetstreamManager> | undefined;
  gauge('ferry_event_store_bytes', 'What the event store (FERRY_EVT) holds.', [], async (g) => {
    jsm ??= jetstreamManager(nc).catch((error: unknown) => {
      jsm = undefined;
      throw error;
    });
    g.set((await (await jsm).streams.info(STREAMS.events)).state.bytes);
  });
  if (natsMonitorUrl !== undefined) {
    // Both gauges are collected together: one request to the server serves the two.
    let reading: Promise<JetStreamStorage | undefined> | undefined;
    const storage = () =>
      (reading ??= jetstreamStorage(natsMonitorUrl)
        .catch(() => undefined)
        .finally(() => {
          reading = undefined;
        }));
    // Not served while the server does not answer: a gap, not a made-up figure.
    const figure =
      (key: 'usedBytes' | 'limitBytes') => async (g: { set(v: number): void; reset(): void }) => {
        const read = await storage();
        if (read === undefined) g.reset();
        else g.set(read[key]);
      };
    gauge(
      'ferry_jetstream_storage_bytes',
      "What JetStream's file store holds on the NATS server (every stream; the event store is most of it).",
      [],
      figure('usedBytes'),
    );
    gauge(
      'ferry_jetstream_storage_limit_bytes',
      "The most JetStream's file store may hold on the NATS server (its max_file_store).",
      [],
      figure('limitBytes'),
    );
  }
  return { registry: metricsRegistry, requests, duration };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
