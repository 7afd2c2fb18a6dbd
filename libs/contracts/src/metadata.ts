import { Closed, Id, Timestamp, Type, type Infer } from './schema.ts';

const CommandId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[\\x21-\\x7e]+$',
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

/** What every event carries: which command produced it, the conversation, and when it happened. */
export const EventMetadata = Closed({
  commandId: CommandId,
  correlationId: Type.String({ minLength: 1, maxLength: 128 }),
  causationId: Type.String({ minLength: 1, maxLength: 160 }),
  occurredAt: Timestamp,
});
export type EventMetadata = Infer<typeof EventMetadata>;
