export { natsWithStreams, storeOnRealNats } from './nats-fixture.ts';
export * from './migration-commands.ts';
export { delivered } from './delivered.ts';
