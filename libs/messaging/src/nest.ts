// The NestJS side of the messaging library: the JetStream transport a worker's Nest microservice
// runs on. Its own entry (`@ferry/messaging/nest`), so that a process that only publishes or
// consumes (the gateway, the CLI) does not load @nestjs/microservices.
export { JetStreamTransport, type JetStreamTransportOptions } from './jetstream-transport.ts';
export { PassThroughRpcFilter } from './pass-through-filter.ts';
export { createFerryMicroservice, stopOnSignal } from './microservice.ts';
