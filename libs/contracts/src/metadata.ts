import { Closed, Id, OneOf, Text, Timestamp, Type, type Infer } from './schema.ts';

const COMMAND_ID_PATTERN = '^[\\x21-\\x7e]+$';
const COMMAND_ID_MAX_LENGTH = 128;

const CommandId = Type.String({
  minLength: 1,
  maxLength: COMMAND_ID_MAX_LENGTH,
  pattern: COMMAND_ID_PATTERN,
  description: 'Unique id of a command, chosen by its sender; a re-sent command keeps its id.',
});

/**
 * Who asked: a person signed in at the gateway (their subject at the identity provider, and name),
 * or a system (its NATS identity; for the CLI, the operating-system user in the name). Each command
 * an event leads to, and each event it makes, carries the actor of the request it all began with.
 */
export const Actor = Closed({
  kind: OneOf(['person', 'system'] as const),
  id: Type.String({
    minLength: 1,
    maxLength: 256,
    description: "A person's subject at the identity provider, or a system's NATS identity.",
  }),
  name: Type.Optional(Text(256, 'How the actor is shown: a name, a user at a host.')),
});
export type Actor = Infer<typeof Actor>;

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
  actor: Type.Optional(Actor),
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
  actor: Type.Optional(Actor),
});
export type EventMetadata = Infer<typeof EventMetadata>;
