import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectRefusal } from '../testing/refusals.ts';
import { VsphereError } from './faults.ts';
import { viewPages } from './properties.ts';
import { SoapAnswer, type ReadOnlyMethod } from './soap.ts';
import { escapeXml } from './xml.ts';

const NS = 'xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const envelope = (method: string, returnval: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${method}Response ${NS}>${returnval}</${method}Response></soapenv:Body></soapenv:Envelope>`;

const moref = fc.oneof(fc.constantFrom('vm-1', 'vm-2', ''), fc.string({ maxLength: 6 }));
const object = fc.record({
  obj: fc.option(moref),
  props: fc.array(fc.tuple(fc.constantFrom('name', 'view', ''), fc.string({ maxLength: 6 })), {
    maxLength: 3,
  }),
});
/** One answer of the server, to whichever call it is: a page, a fault, an error, or anything. */
const reply = fc.oneof(
  fc
    .record({
      objects: fc.array(object, { maxLength: 3 }),
      // A token, the same one again and again, or none.
      token: fc.option(fc.constantFrom('t1', 't2', '')),
    })
    .map((page) => (method: string) => ({
      status: 200,
      body: envelope(
        method,
        `<returnval>${page.objects
          .map(
            (o) =>
              `<objects>${o.obj === null ? '' : `<obj type="VirtualMachine">${escapeXml(o.obj)}</obj>`}` +
              o.props
                .map(([n, v]) => `<propSet><name>${n}</name><val>${escapeXml(v)}</val></propSet>`)
                .join('') +
              '</objects>',
          )
          .join('')}${page.token === null ? '' : `<token>${page.token}</token>`}</returnval>`,
      ),
    })),
  fc.constantFrom(
    () => ({ status: 500, body: '<html>Internal Server Error</html>' }),
    (method: string) => ({ status: 200, body: envelope(method, '') }),
    () => ({ status: 200, body: '<soapenv:Envelope' }),
  ),
  fc.string({ maxLength: 32 }).map((body) => () => ({ status: 200, body })),
);

describe('viewPages: the pages a property collector hands out are outside data', () => {
  it('ends, within a call per object and batch, with named objects or a VsphereError', async () => {
    const cases = fc.record({
      members: fc.array(moref, { maxLength: 12 }),
      batchSize: fc.integer({ min: 1, max: 5 }),
      replies: fc.infiniteStream(reply),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ members, batchSize, replies }) => {
        let calls = 0;
        const soap = {
          send: async (method: ReadOnlyMethod) => {
            // Far past the bound below: a loop that never ends fails here instead of hanging.
            if (++calls > 1000) throw new Error('called without end');
            const { status, body } =
              calls === 1
                ? {
                    status: 200,
                    body: envelope(
                      method,
                      `<returnval><objects><obj type="ContainerView">v</obj><propSet><name>view</name><val>${members
                        .map(
                          (m) =>
                            `<ManagedObjectReference type="VirtualMachine">${escapeXml(m)}</ManagedObjectReference>`,
                        )
                        .join('')}</val></propSet></objects></returnval>`,
                    ),
                  }
                : (replies.next().value as (method: string) => { status: number; body: string })(
                    method,
                  );
            return new SoapAnswer('esx.test', method, status, [body]);
          },
        };
        const values: string[] = [];
        try {
          for await (const page of viewPages(
            soap,
            { type: 'PropertyCollector', value: 'pc' },
            { type: 'ContainerView', value: 'v' },
            ['name'],
            batchSize,
          ))
            values.push(...page.map((o) => o.obj.value));
        } catch (error) {
          expectRefusal(error, VsphereError);
        }
        expect(values).not.toContain('');
        expect(calls).toBeLessThanOrEqual(
          1 + members.length + Math.ceil(members.length / batchSize),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
