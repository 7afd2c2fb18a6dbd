/** The parts of a W3C `traceparent` header (version 00): `00-<trace id>-<parent span id>-<flags>`. */
export interface Traceparent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Reads a `traceparent` header as the W3C recommendation says: lower-case hex, an all-zero trace or
 * span id is invalid, version ff is invalid, and a later version may carry more fields after a dash.
 */
export function parseTraceparent(value: string | undefined): Traceparent | undefined {
  const m = TRACEPARENT.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}
