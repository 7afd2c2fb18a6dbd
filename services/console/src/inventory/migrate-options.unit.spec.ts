import { describe, expect, it } from 'vitest';

import { DEFAULT_MIGRATE_FORM, migrationOptions } from './migrate-options.ts';

describe('migrationOptions', () => {
  it('sends the defaults without flavor or mapping', () => {
    expect(migrationOptions(DEFAULT_MIGRATE_FORM)).toEqual({
      ok: true,
      options: { strategy: 'auto', bootMode: 'auto', keepMac: false, keepIps: false },
    });
  });

  it('trims the flavor, the zone and the mapping, dropping blank rows', () => {
    expect(
      migrationOptions({
        strategy: 'qemu-img',
        bootMode: 'volume',
        flavor: ' m1.small ',
        keepMac: true,
        keepIps: true,
        availabilityZone: ' libvirt ',
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
});
