export {
  connectNats,
  NATS_SECURITY_SETTINGS,
  natsSecurity,
  type ConnectOptions,
  type NatsConnection,
  type NatsSecurity,
} from './connection.ts';
export {
  authorizationConfig,
  IDENTITIES,
  imageDurable,
  inboxPrefix,
  permissionsOf,
  PROCESS_MANAGER_DURABLE,
  WORKERS,
  type Identity,
  type Permissions,
} from './identities.ts';
export { contextHeaders, readContext, type MessageContext } from './headers.ts';
export { InvalidCommandError, publishCommand } from './publisher.ts';
export { provisionStreams } from './streams.ts';
export {
  CommandConsumer,
  ensureCommandConsumer,
  receivedContext,
  type CommandConsumerOptions,
  type CommandHandler,
  type ReceivedContext,
  type Rejection,
} from './command-consumer.ts';
export {
  CommandRejectedError,
  DEFAULT_OUTAGE_MS,
  DEFAULT_RETRY_POLICY,
  isOutage,
  retryDelay,
  RetryLaterError,
  settle,
  type RetryPolicy,
  type Settlement,
} from './settlement.ts';
export { cliActor, systemActor } from './actor.ts';
export { commandContext } from './command-context.ts';
export { DurableLoop, type DurableLoopOptions } from './durable-loop.ts';
export { deadLetter } from './dead-letter.ts';
export {
  listDeadLetters,
  NotReplayableError,
  replayDeadLetter,
  type DeadLetter,
} from './dead-letters.ts';
export { readToolLog, toolLogWriter, type ToolLogWriter } from './tool-log.ts';
