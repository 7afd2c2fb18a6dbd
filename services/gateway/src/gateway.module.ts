import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Health } from './health.ts';
import type { GatewayMetrics } from './metrics.ts';
import { ProbesController } from './probes.controller.ts';
import type { Projections } from './read-model/projections.ts';
import { HEALTH, METRICS, NATS, PROJECTIONS } from './tokens.ts';

@Module({})
export class GatewayModule {
  static register(deps: {
    projections: Projections;
    nc: NatsConnection;
    health: Health;
    metrics: GatewayMetrics;
  }): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [ProbesController],
      providers: [
        { provide: PROJECTIONS, useValue: deps.projections },
        { provide: NATS, useValue: deps.nc },
        { provide: HEALTH, useValue: deps.health },
        { provide: METRICS, useValue: deps.metrics },
      ],
    };
  }
}
