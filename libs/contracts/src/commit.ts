import { Closed, Type, type Infer } from './schema.ts';

export const EventId = Type.String({
  minLength: 1,
  description: 'The id of an event, unique in the store.',
});

/**
 * One message of the event stream: the events one command appended to one stream at once, with
 * the revision of the first (the rest follow without gaps). The first event's id is the message's
 * `Nats-Msg-Id`, so a commit sent twice is stored once.
 */
export const EventCommit = Closed({
  revision: Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "The first event's place in its stream, from 0.",
  }),
  events: Type.Array(
    Closed({
      id: EventId,
      type: Type.String({ minLength: 1 }),
      data: Type.Unknown(),
      metadata: Type.Optional(Type.Unknown()),
    }),
    { minItems: 1 },
  ),
});
export type EventCommit = Infer<typeof EventCommit>;
