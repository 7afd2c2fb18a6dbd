import { describe, expect, it } from 'vitest';
import { viewPages } from './properties.ts';
import { SoapAnswer, type MoRef, type ReadOnlyMethod } from './soap.ts';

const NS = 'xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const envelope = (method: string, returnval: string) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><${method}Response ${NS}><returnval>${returnval}</returnval></${method}Response></soapenv:Body></soapenv:Envelope>`;
const vm = (name: string) =>
  `<objects><obj type="VirtualMachine">vm-${name}</obj><propSet><name>name</name><val xsi:type="xsd:string">${name}</val></propSet></objects>`;

/** A property collector over a view of VMs a..e, answering batch by batch. */
function collector() {
  const log: string[] = [];
  const answer = (method: string, body: string) => {
    const parsed = new SoapAnswer('fake', method, 200, [body]);
    return Object.assign(parsed, {
      returnvals: () => {
        log.push(`parse ${method}`);
        return SoapAnswer.prototype.returnvals.call(parsed);
      },
    });
  };
  const page = (body: string) => {
    const names = [...body.matchAll(/type="VirtualMachine">vm-(\w)</g)].map((m) => m[1] as string);
    // c was deleted since the view listed it; the server pages c and d's batch, d coming second.
    if (names.includes('d')) return '<token>t1</token>';
    return names.map(vm).join('');
  };
  const soap = {
    send: async (method: ReadOnlyMethod, _target: MoRef, body = '') => {
      log.push(`send ${method}`);
      if (method === 'ContinueRetrievePropertiesEx') {
        expect(body).toBe('<vim25:token>t1</vim25:token>');
        return answer(method, envelope(method, vm('d')));
      }
      if (body.includes('<vim25:pathSet>view</vim25:pathSet>'))
        return answer(
          method,
          envelope(
            method,
            `<objects><obj type="ContainerView">v</obj><propSet><name>view</name><val xsi:type="ArrayOfManagedObjectReference">${['a', 'b', 'c', 'd', 'e'].map((n) => `<ManagedObjectReference type="VirtualMachine">vm-${n}</ManagedObjectReference>`).join('')}</val></propSet></objects>`,
          ),
        );
      expect(body).toContain('<vim25:reportMissingObjectsInResults>true');
      return answer(method, envelope(method, page(body)));
    },
  };
  return { soap, log };
}

describe('viewPages', () => {
  it('lists the view, reads its objects in batches, each sent before the one before is parsed and used, and follows tokens', async () => {
    const { soap, log } = collector();
    const names: (string | undefined)[] = [];
    for await (const page of viewPages(
      soap,
      { type: 'PropertyCollector', value: 'pc' },
      { type: 'ContainerView', value: 'v' },
      ['name'],
      2,
    )) {
      log.push('use');
      names.push(...page.map((o) => o.props.get('name')?.textContent));
    }
    expect(names).toEqual(['a', 'b', 'd', 'e']);
    expect(log).toEqual([
      'send RetrievePropertiesEx', // the view's members
      'parse RetrievePropertiesEx',
      'send RetrievePropertiesEx', // a, b
      'send RetrievePropertiesEx', // c, d: sent once a, b have arrived, before they are parsed
      'parse RetrievePropertiesEx',
      'use',
      'send RetrievePropertiesEx', // e
      'parse RetrievePropertiesEx', // c, d's first page: only a token
      'use',
      'send ContinueRetrievePropertiesEx', // the rest of c, d's batch
      'parse ContinueRetrievePropertiesEx',
      'use',
      'parse RetrievePropertiesEx',
      'use',
    ]);
  });
});
