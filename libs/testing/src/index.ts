export { eventually } from './eventually.ts';
export { freePort } from './free-port.ts';
export { startNatsServer, type NatsServer } from './nats-server.ts';
