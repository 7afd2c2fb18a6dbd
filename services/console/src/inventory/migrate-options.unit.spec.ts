import { describe, expect, it } from 'vitest';

import type { MigrationOptions } from '../api/types.ts';
import { DEFAULT_MIGRATE_FORM, formOf, migrationOptions } from './migrate-options.ts';

const empty = {
  flavor: '',
  availabilityZone: '',
  keyName: '',
  volumeType: '',
  serverName: '',
  securityGroups: [],
  networkMapping: [],
};

describe('migrationOptions', () => {
  it('sends the defaults, every text empty: the service picks the flavor, the cloud the rest', () => {
    expect(migrationOptions(DEFAULT_MIGRATE_FORM)).toEqual({
      ok: true,
      options: { strategy: 'auto', bootMode: 'auto', keepMac: false, keepIps: false, ...empty },
    });
  });

  it('trims every text and the mapping, dropping blank rows; security groups split on commas and spaces', () => {
    expect(
      migrationOptions({
        strategy: 'qemu-img',
        bootMode: 'volume',
        flavor: ' m1.small ',
        keepMac: true,
        keepIps: true,
        availabilityZone: ' libvirt ',
        securityGroups: ' web, ssh  web ',
        keyName: ' ops ',
        volumeType: ' fast ',
        serverName: ' {vm}-new ',
        networks: [
          { id: 1, source: ' VM Network ', target: 'private ' },
          { id: 2, source: '', target: '  ' },
        ],
      }),
    ).toEqual({
      ok: true,
      options: {
        strategy: 'qemu-img',
        bootMode: 'volume',
        flavor: 'm1.small',
        keepMac: true,
        keepIps: true,
        availabilityZone: 'libvirt',
        securityGroups: ['web', 'ssh'],
        keyName: 'ops',
        volumeType: 'fast',
        serverName: '{vm}-new',
        networkMapping: [{ source: 'VM Network', target: 'private' }],
      },
    });
  });

  it('refuses a half-filled mapping row, naming it', () => {
    expect(
      migrationOptions({
        ...DEFAULT_MIGRATE_FORM,
        networks: [
          { id: 1, source: 'a', target: 'b' },
          { id: 2, source: 'c', target: '' },
        ],
      }),
    ).toEqual({ ok: false, error: 'Network mapping row 2 needs both a source and a target.' });
  });

  it("a job's options, shown in the form and sent again unchanged (edit and retry)", () => {
    const job: MigrationOptions = {
      strategy: 'qemu-img',
      bootMode: 'volume',
      flavor: 'm1.small',
      keepMac: true,
      keepIps: false,
      availabilityZone: 'libvirt',
      securityGroups: ['web', 'ssh'],
      keyName: null,
      volumeType: 'fast',
      serverName: null,
      networkMapping: [{ source: 'VM Network', target: 'private' }],
    };
    expect(migrationOptions(formOf(job))).toEqual({
      ok: true,
      options: { ...job, keyName: '', serverName: '' },
    });
  });
});
