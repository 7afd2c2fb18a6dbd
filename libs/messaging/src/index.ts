export { connectNats, type ConnectOptions, type NatsConnection } from './connection.ts';
export { contextHeaders, HEADERS, readContext, type MessageContext } from './headers.ts';
export { InvalidCommandError, publishCommand } from './publisher.ts';
export { provisionStreams, streamConfigs } from './streams.ts';
