/**
 * NATS headers of Ferry's messages, besides JetStream's own `Nats-Msg-Id`: a command's context,
 * a commit's revision, and why a command was dead-lettered.
 */
export const HEADERS = {
  commandId: 'ferry-command-id',
  correlationId: 'ferry-correlation-id',
  causationId: 'ferry-causation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** A commit's: the revision of its last event in its stream. */
  revision: 'Ferry-Revision',
  deadLetterReason: 'ferry-dead-letter-reason',
  deadLetterSubject: 'ferry-dead-letter-subject',
  deadLetterDeliveries: 'ferry-dead-letter-deliveries',
} as const;
