import { Closed, Id, Timestamp, Type, type Infer } from './schema.ts';

const COMMAND_ID_PATTERN = '^[\\x21-\\x7e]+$';
const COMMAND_ID_MAX_LENGTH = 128;

const CommandId = Type.String({
  minLength: 1,
  maxLength: COMMAND_ID_MAX_LENGTH,
  pattern: COMMAND_ID_PATTERN,
  description: 'Unique id of a command, chosen by its sender; a re-sent command keeps its id.',
});

/** What every command carries. The id is the sender's; a re-delivered command has the same id. */
export const CommandMetadata = Closed({
  commandId: CommandId,
  correlationId: Type.Optional(
    Id('The conversation this command belongs to; defaults to the command id.'),
  ),
  causationId: Type.Optional(
    Type.String({ maxLength: 160, description: 'The event or command that caused this one.' }),
  ),
  issuedAt: Type.Optional(Timestamp),
});
export type CommandMetadata = Infer<typeof CommandMetadata>;

const commandIdPattern = new RegExp(COMMAND_ID_PATTERN);

/** Whether an id is one a command (and so an event's metadata) may carry. */
export const isCommandId = (id: string): boolean =>
  id.length <= COMMAND_ID_MAX_LENGTH && commandIdPattern.test(id);

/** What every event carries: which command produced it, the conversation, and when it happened. */
export const EventMetadata = Closed({
  commandId: CommandId,
  correlationId: Type.String({ minLength: 1, maxLength: 128 }),
  causationId: Type.String({ minLength: 1, maxLength: 160 }),
  occurredAt: Timestamp,
});
export type EventMetadata = Infer<typeof EventMetadata>;
