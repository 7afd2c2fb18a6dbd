import { describe, expect, it } from 'vitest';
import { serverName, sourceMetadata, unknownPlaceholders } from './server-identity.ts';

const vm = { name: 'web-01', source: { kind: 'vcenter' as const, id: 'vc.example' } };

describe("the server's name from a template", () => {
  it.each([
    [undefined, 'web-01'],
    [null, 'web-01'],
    ['', 'web-01'],
    ['{vm}', 'web-01'],
    ['{vm}-migrated', 'web-01-migrated'],
    ['{source}/{vm}/{job}', 'vc.example/web-01/job-1'],
    ['{vm}{vm}', 'web-01web-01'],
    ['x'.repeat(300), 'x'.repeat(255)],
  ])('%s gives %s', (template, name) => expect(serverName(template, vm, 'job-1')).toBe(name));

  it('names the placeholders it does not know, which validation refuses', () => {
    expect(unknownPlaceholders('{vm}-{host}-{job}-{}')).toEqual(['host', '']);
    expect(unknownPlaceholders('{vm} {job} {source} {VM} plain')).toEqual([]);
  });
});

describe("the source's metadata on the server", () => {
  it('carries the annotation and custom attributes within Nova’s limits', () => {
    expect(
      sourceMetadata({
        annotation: '  owner: web team\nticket CHG-1  ',
        attributes: { 'Cost center': '42', 'ops/contact': 'a@b', long: 'y'.repeat(300) },
      }),
    ).toEqual({
      vmware_annotation: 'owner: web team\nticket CHG-1',
      'vmware_attr_Cost center': '42',
      vmware_attr_ops_contact: 'a@b',
      vmware_attr_long: `${'y'.repeat(254)}…`,
    });
  });

  it('gives nothing for a VM without notes', () => {
    expect(sourceMetadata({})).toEqual({});
    expect(sourceMetadata({ annotation: '   ' })).toEqual({});
  });
});
