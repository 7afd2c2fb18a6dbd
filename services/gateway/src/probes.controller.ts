import { Controller, Get, Header, HttpCode, HttpException, Inject } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Health } from './health.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { Projections } from './read-model/projections.ts';
import { HEALTH, METRICS, NATS, PROJECTIONS } from './tokens.ts';

/** What orchestrators and Prometheus ask: alive, ready, metrics; and the seed's OpenStack health. */
@Controller()
export class ProbesController {
  constructor(
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(NATS) private readonly nc: NatsConnection,
    @Inject(HEALTH) private readonly health: Health,
    @Inject(METRICS) private readonly metrics: GatewayMetrics,
  ) {}

  /** Alive: the process answers. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Ready to answer: connected to NATS and the projections have folded the store as it was at start-up. */
  @Get('readyz')
  readyz() {
    const problems = [
      ...(this.nc.isClosed() ? ['NATS connection closed'] : []),
      ...(this.projections.caughtUp ? [] : ['projections still being rebuilt']),
    ];
    if (problems.length > 0) throw new HttpException({ status: 'not-ready', problems }, 503);
    return {
      status: 'ready',
      position: this.projections.position,
      jobs: this.projections.jobs.size,
      rebuildMs: this.projections.rebuildMs,
      restored: this.projections.restored,
    };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus() {
    return this.metrics.registry.metrics();
  }

  /** The seed's REST health of OpenStack: each service, reachable or not, with its version; 503 when one is down. */
  @Get('api/openstack/health')
  @HttpCode(200)
  async openstackHealth() {
    const report = await this.health.openstackReport();
    const body = { cloud: report.cloud, services: report.services, error: report.error };
    if (report.cloud === null || report.services.some((s) => !s.reachable))
      throw new HttpException({ status: 'down', ...body }, 503);
    return { status: 'ok', ...body };
  }
}
