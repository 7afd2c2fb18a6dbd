export {
  CommitTooLargeError,
  InvalidEventError,
  InvalidStreamNameError,
  StoreUnavailableError,
  UnreadableStreamError,
  WrongExpectedRevisionError,
} from './errors.ts';
export {
  JetStreamEventStore,
  type JetStreamEventStoreOptions,
} from './jetstream/jetstream-event-store.ts';
export type * from './port.ts';
export { parseStreamName } from './stream-names.ts';
export { eventId, handleCommand, type DeciderLike, type HandleResult } from './command-handler.ts';
export { CHECKPOINT_BUCKET, KvCheckpointStore } from './jetstream/kv-checkpoints.ts';
export {
  rebuildProjection,
  runProjection,
  streamView,
  type CheckpointStore,
  type Projection,
} from './projection.ts';
export {
  createMigrationsAnswer,
  firstEvent,
  jobRequestAnswer,
  refreshAnswer,
  type CreateMigrationsAnswer,
} from './command-answer.ts';
export { recordOutcome } from './outcome.ts';
