import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutated } from '../testing/mutations.ts';
import { readOrRefuse } from '../testing/refusals.ts';
import { InvalidLoginError, NotAuthenticatedError, VsphereError } from './faults.ts';
import { SoapAnswer } from './soap.ts';

const status = fc.constantFrom(200, 200, 400, 401, 500, 502, 503);
/** The body cut into chunks anywhere, mid-character too, as the network hands it over. */
const chunked = (bytes: Uint8Array) =>
  fc
    .uniqueArray(fc.nat(bytes.byteLength), { maxLength: 4 })
    .map((cuts) =>
      [0, ...cuts.sort((a, b) => a - b), bytes.byteLength]
        .slice(1)
        .map((end, i, ends) => bytes.subarray(i === 0 ? 0 : (ends[i - 1] as number), end)),
    );
const answer = (statusCode: number, chunks: readonly Uint8Array[]) =>
  new SoapAnswer('esx.test', 'RetrievePropertiesEx', statusCode, chunks);

interface Envelope {
  readonly shape: 'response' | 'fault' | 'other';
  /** The fault's detail: its first element's xsi:type, or its name, or none. */
  readonly detail: { readonly by: 'xsiType' | 'name'; readonly kind: string } | null;
  readonly faultstring: string | null;
  readonly returnvals: readonly string[];
}
const envelope = fc.record({
  shape: fc.constantFrom('response', 'fault', 'other'),
  detail: fc.option(
    fc.record({
      by: fc.constantFrom('xsiType', 'name'),
      kind: fc.constantFrom('InvalidLogin', 'NotAuthenticated', 'InvalidArgument', 'Fault', ''),
    }),
  ),
  faultstring: fc.option(fc.string({ unit: 'grapheme', maxLength: 12 })),
  returnvals: fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 3 }),
});
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
function write(e: Envelope): string {
  const detail =
    e.detail === null
      ? ''
      : e.detail.by === 'xsiType'
        ? `<detail><d xsi:type="${e.detail.kind}"/></detail>`
        : e.detail.kind === ''
          ? '<detail></detail>'
          : `<detail><${e.detail.kind}Fault/></detail>`;
  const faultstring =
    e.faultstring === null ? '' : `<faultstring>${escape(e.faultstring)}</faultstring>`;
  const body = {
    response: `<RetrievePropertiesExResponse xmlns="urn:vim25">${e.returnvals.map((r) => `<returnval>${escape(r)}</returnval>`).join('')}</RetrievePropertiesExResponse>`,
    fault: `<soapenv:Fault><faultcode>ServerFaultCode</faultcode>${faultstring}${detail}</soapenv:Fault>`,
    other: '<SomethingElse/>',
  }[e.shape];
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** What the answer must come to: its returnvals' text, or the error it is. */
function expected(e: Envelope, statusCode: number): string[] | { kind: unknown; fault: string } {
  const kind = e.detail?.kind || undefined;
  if (e.shape === 'fault') {
    if (kind === 'InvalidLogin') return { kind: InvalidLoginError, fault: 'InvalidLogin' };
    if (kind === 'NotAuthenticated')
      return { kind: NotAuthenticatedError, fault: 'NotAuthenticated' };
    return { kind: VsphereError, fault: kind ?? 'Fault' };
  }
  if (statusCode >= 400) return { kind: VsphereError, fault: 'HttpError' };
  if (e.shape === 'other') return { kind: VsphereError, fault: 'BadResponse' };
  return [...e.returnvals];
}

const encoded = (text: string) => new TextEncoder().encode(text);
/** Its returnvals, or the typed error it threw with its message checked. */
function outcome(a: SoapAnswer) {
  try {
    return a.returnvals().map((r) => r.textContent);
  } catch (error) {
    if (!(error instanceof VsphereError)) throw error;
    expect(error.fault).not.toBe('');
    expect(error.message).toMatch(/^vSphere at esx\.test.* \S/);
    return { kind: error.constructor, fault: error.fault };
  }
}

describe('SoapAnswer: what a vSphere server sends is outside data', () => {
  it('comes to its returnvals or the typed error its envelope and status say, however chunked', () => {
    const cases = fc
      .tuple(envelope, status)
      .chain(([e, s]) => chunked(encoded(write(e))).map((chunks) => ({ e, s, chunks })));
    fc.assert(
      fc.property(cases, ({ e, s, chunks }) => {
        expect(outcome(answer(s, chunks))).toEqual(expected(e, s));
      }),
      { numRuns: 3000 },
    );
  });

  it('comes to returnvals or a VsphereError whatever the bytes, edited envelopes and error pages included', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      mutated(envelope.map((e) => encoded(write(e)))),
      fc
        .constantFrom('<html><body>502 Bad Gateway</body></html>', '', 'Service Unavailable')
        .map(encoded),
    );
    fc.assert(
      fc.property(status, bytes.chain(chunked), (s, chunks) => {
        const result = readOrRefuse(() => outcome(answer(s, chunks)), VsphereError);
        if (s >= 400 && result && !Array.isArray(result))
          expect(result.fault).not.toBe('BadResponse');
      }),
      { numRuns: 3000 },
    );
  });
});
