import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { HEADERS } from '@ferry/contracts';

export interface MessageContext {
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId?: string | undefined;
  /** W3C trace context of the span that sent the message. */
  readonly traceparent?: string | undefined;
}

export function contextHeaders(context: MessageContext): MsgHdrs {
  const h = headers();
  h.set(HEADERS.commandId, context.commandId);
  h.set(HEADERS.correlationId, context.correlationId);
  if (context.causationId) h.set(HEADERS.causationId, context.causationId);
  if (context.traceparent) h.set(HEADERS.traceparent, context.traceparent);
  return h;
}

/** The context a received message carries, where its sender set it. */
export function readContext(h: MsgHdrs | undefined): {
  readonly [K in keyof MessageContext]?: string | undefined;
} {
  const get = (name: string) => (h?.has(name) ? h.get(name) : undefined);
  return {
    commandId: get(HEADERS.commandId),
    correlationId: get(HEADERS.correlationId),
    causationId: get(HEADERS.causationId),
    traceparent: get(HEADERS.traceparent),
  };
}
