import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { MIGRATION_STATES } from '@ferry/contracts';
import type { Projections } from './read-model/projections.ts';

/** The gateway's Prometheus metrics: its own work, and the jobs and inventory its projections hold. */
export function gatewayMetrics(projections: Projections) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ferry_gateway_' });
  const requests = new Counter({
    name: 'ferry_gateway_graphql_operations_total',
    help: 'GraphQL operations answered, by type and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ferry_gateway_graphql_duration_seconds',
    help: 'Time to answer a GraphQL query or mutation.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'ferry_jobs',
    help: 'Jobs by state, as the gateway projects them.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = projections.jobs.countByState();
      for (const state of MIGRATION_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: 'ferry_inventory_vms',
    help: 'VMs discovered, as the gateway projects them.',
    registers: [registry],
    collect() {
      this.set(projections.inventory.list().length);
    },
  });
  new Gauge({
    name: 'ferry_gateway_projection_position',
    help: 'The position in the event store of the last commit the projections folded.',
    registers: [registry],
    collect() {
      this.set(projections.position);
    },
  });
  new Gauge({
    name: 'ferry_gateway_subscriptions',
    help: 'GraphQL subscriptions open now.',
    registers: [registry],
    collect() {
      this.set(
        projections.jobs.listenerCount('job') + projections.inventory.listenerCount('change'),
      );
    },
  });
  return { registry, requests, duration };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
