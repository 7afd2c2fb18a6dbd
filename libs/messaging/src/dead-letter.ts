import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { DEAD_LETTER_SUBJECT_PREFIX, HEADERS } from '@ferry/contracts';
import { counter, type Logger } from '@ferry/observability';

/**
 * Sets a message aside in FERRY_DLQ (`ferry.dlq.<its subject less the first two tokens>`) with why,
 * where and after how many deliveries, then terminates it. When that cannot be stored, the message
 * is kept (nak) to be set aside later: nothing is dropped unrecorded.
 */
export async function deadLetter(
  js: JetStreamClient,
  m: JsMsg,
  reason: string,
  options: { consumer: string; retryMs: number; logger?: Logger | undefined },
): Promise<void> {
  const h = headers();
  // The message's own headers go with it, but not the expectations its publisher set on its stream
  // (an event's append expects its subject's last sequence): FERRY_DLQ would refuse it for them.
  for (const [name, values] of m.headers ?? [])
    if (!name.toLowerCase().startsWith('nats-expected-'))
      for (const value of values) h.append(name, value);
  h.set(HEADERS.deadLetterReason, reason.slice(0, 1000));
  h.set(HEADERS.deadLetterSubject, m.subject);
  h.set(HEADERS.deadLetterDeliveries, String(m.info.deliveryCount));
  const subject = `${DEAD_LETTER_SUBJECT_PREFIX}.${m.subject.split('.').slice(2).join('.')}`;
  try {
    await js.publish(subject, m.data, {
      headers: h,
      msgID: `dlq-${m.info.stream}-${m.info.streamSequence}`,
    });
    counter(
      'ferry_dead_letters_total',
      'Messages set aside in FERRY_DLQ: they could not succeed, or failed every delivery.',
      ['consumer'],
    ).inc({ consumer: options.consumer });
    options.logger?.error({ reason, subject: m.subject }, 'message dead-lettered');
    m.term();
  } catch (error) {
    options.logger?.error({ err: error }, 'could not dead-letter a message; keeping it');
    m.nak(options.retryMs);
  }
}
