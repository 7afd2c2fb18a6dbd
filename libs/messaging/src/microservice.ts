import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { JetStreamTransport, type JetStreamTransportOptions } from './jetstream-transport.ts';
import { PassThroughRpcFilter } from './pass-through-filter.ts';

/**
 * A Ferry service as a Nest microservice on the JetStream transport, with the pass-through filter
 * installed (without it, Nest turns a domain refusal into a retry). Call `listen()` to start it.
 */
export async function createFerryMicroservice(
  module: unknown,
  transport: JetStreamTransportOptions,
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module as never, {
    strategy: new JetStreamTransport(transport),
    logger: false,
  });
  app.useGlobalFilters(new PassThroughRpcFilter());
  return app;
}

/**
 * On SIGTERM or SIGINT: `before` (stop starting work), close the microservice (its handlers end),
 * `after` (release clients), drain the NATS connection, exit 0.
 */
export function stopOnSignal(
  app: INestMicroservice,
  nc: { drain(): Promise<void> },
  hooks: { before?: () => void; after?: () => Promise<void> | void } = {},
): void {
  const shutdown = async () => {
    hooks.before?.();
    await app.close();
    await hooks.after?.();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}
