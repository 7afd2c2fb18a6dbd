export {
  CommitTooLargeError,
  InvalidStreamNameError,
  WrongExpectedRevisionError,
} from './errors.ts';
export {
  JetStreamEventStore,
  type JetStreamEventStoreOptions,
} from './jetstream/jetstream-event-store.ts';
export type * from './port.ts';
export { parseStreamName } from './stream-names.ts';
