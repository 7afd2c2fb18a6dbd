import { defineEvent } from '../message.ts';
import { Closed, OneOf, Text, Type, type Infer } from '../schema.ts';

export const REJECTION_REASONS = [
  'unparseable',
  'too-large',
  'unknown-type',
  'invalid',
  'not-found',
  'illegal-state',
  'unreadable-stream',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export const FieldError = Closed({
  path: Text(512, 'JSON pointer to the field, e.g. `/data/vmKeys/3`; empty for the whole message.'),
  message: Text(1024),
});
export type FieldError = Infer<typeof FieldError>;

export const CommandRejected = defineEvent(
  'CommandRejected',
  'A command could never succeed and was not carried out; the sender finds why here.',
  Closed({
    subject: Text(255),
    commandType: Type.Union([Text(128), Type.Null()]),
    commandId: Type.Union([Text(128), Type.Null()]),
    reason: OneOf(REJECTION_REASONS),
    errors: Type.Array(FieldError, { maxItems: 50 }),
  }),
);
