import type { VmDescription } from '@ferry/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driveLetters, libvirtDomain } from './libvirt-domain.ts';
import { children, escapeXml, parseXml, path, text } from './xml.ts';

const vm = (over: Partial<VmDescription> = {}): VmDescription => ({
  key: 'esxi:vm-1',
  name: 'web 01',
  source: { kind: 'esxi', id: 'esx.example' },
  uuid: '564d1234-5678-9abc-def0-123456789abc',
  cpus: 2,
  memoryMiB: 2048,
  firmware: 'efi',
  secureBoot: false,
  guestOs: 'debian12_64Guest',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [
    { index: 1, controller: 'scsi', slot: 'scsi0:1', path: '[ds1] web/b.vmdk', capacityBytes: 1 },
    { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '[ds1] web/a.vmdk', capacityBytes: 1 },
    { index: 2, controller: 'ide', slot: 'ide0:0', path: '[ds1] web/c.vmdk', capacityBytes: 1 },
  ],
  nics: [
    { index: 0, mac: '00:50:56:aa:bb:cc', macKind: 'static', network: 'VM Network' },
    { index: 1, mac: null, macKind: 'none', network: 'Back & <office>' },
  ],
  ...over,
});
const urls = (n: number, path = (i: number) => `/t0k3n/ds1/web/disk%20${i}-flat.vmdk`) =>
  new Map(Array.from({ length: n }, (_, i) => [i, `http://127.0.0.1:41234${path(i)}`]));

describe('a vSphere VM as a libvirt domain for virt-v2v', () => {
  it('gives each disk, in index order, as a raw HTTP source with its host, port and decoded path', () => {
    const domain = parseXml(libvirtDomain(vm(), urls(3)));
    expect(domain.type).toBe('vmware');
    expect(text(path(domain, 'name'))).toBe('web-01');
    expect(text(path(domain, 'memory'))).toBe(String(2048 * 1024));
    expect(text(path(domain, 'vcpu'))).toBe('2');
    const disks = children(path(domain, 'devices') ?? domain, 'disk');
    expect(disks.map((d) => d.type)).toEqual(['network', 'network', 'network']);
    expect(children(path(domain, 'devices') ?? domain, 'interface')).toHaveLength(2);
    const xml = libvirtDomain(vm(), urls(3));
    expect(xml).toContain(
      [
        `      <source protocol='http' name='/t0k3n/ds1/web/disk 0-flat.vmdk'>`,
        `        <host name='127.0.0.1' port='41234'/>`,
        `      </source>`,
        `      <target dev='sda' bus='scsi'/>`,
      ].join('\n'),
    );
    expect(xml.indexOf('disk 0-flat')).toBeLessThan(xml.indexOf('disk 1-flat'));
    expect(xml).toContain(`<target dev='sdb' bus='scsi'/>`);
    expect(xml).toContain(`<target dev='hda' bus='ide'/>`);
    expect(xml).toContain(`<os firmware='efi'>`);
    expect(xml).toContain(`<mac address='00:50:56:aa:bb:cc'/>`);
    expect(xml).toContain(`<source network='Back &amp; &lt;office&gt;'/>`);
  });

  it('refuses a disk it has no URL for, or a URL virt-v2v cannot read', () => {
    expect(() => libvirtDomain(vm(), urls(2))).toThrow(/no URL to read disk 2 of web 01/);
    expect(() => libvirtDomain(vm(), new Map([...urls(3), [1, 'nbd://127.0.0.1:1/x']]))).toThrow(
      /over HTTP\(S\), not nbd:/,
    );
  });

  it('names drives as Linux does, past z', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(driveLetters)).toEqual([
      'a',
      'z',
      'aa',
      'az',
      'ba',
      'zz',
      'aaa',
    ]);
  });

  it('stays well-formed, with one disk per disk and a safe guest name, whatever the names hold', () => {
    const anyText = fc
      .string({ unit: 'grapheme', maxLength: 24 })
      .map((s) => s.replace(/[^\t\n\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|\r/gu, ''));
    fc.assert(
      fc.property(
        anyText.filter((s) => s.length > 0),
        anyText,
        fc.array(anyText, { minLength: 1, maxLength: 4 }),
        (name, network, files) => {
          const description = vm({
            name,
            nics: [{ index: 0, mac: null, macKind: 'none', network }],
            disks: files.map((_, index) => ({
              index,
              controller: 'scsi' as const,
              slot: `scsi0:${index}`,
              path: `[ds] ${index}`,
              capacityBytes: 1,
            })),
          });
          const xml = libvirtDomain(
            description,
            urls(files.length, (i) => `/t/${encodeURIComponent(files[i] ?? '')}`),
          );
          const domain = parseXml(xml);
          expect(text(path(domain, 'name'))).toMatch(/^[\w][\w.-]*$/);
          expect(children(path(domain, 'devices') ?? domain, 'disk')).toHaveLength(files.length);
          // The path goes in decoded: virt-v2v quotes it again as it builds the URL.
          for (const file of files) expect(xml).toContain(`name='/t/${escapeXml(file)}'`);
        },
      ),
    );
  });
});
