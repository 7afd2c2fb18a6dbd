import type { InventoryEvent, VmDescription } from '@ferry/contracts';
import { describe, it } from 'vitest';
import type { CommandContext } from '../decider.ts';
import { DeciderSpecification } from '../testing/decider-specification.ts';
import { inventoryDecider, type InventoryCommand } from './decider.ts';

const source = { kind: 'workstation', id: '/vms' } as const;
const ctx: CommandContext = {
  commandId: 'scan-2',
  correlationId: 'scan-2',
  now: '2026-11-25T11:00:00Z',
};
const metadata = {
  commandId: 'scan-2',
  correlationId: 'scan-2',
  causationId: 'scan-2',
  occurredAt: '2026-11-25T11:00:00Z',
};
const earlier = { ...metadata, commandId: 'scan-1', causationId: 'scan-1' };
const vm = (key: string, over: Partial<VmDescription> = {}): VmDescription => ({
  key,
  name: key,
  source,
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'other',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [],
  ...over,
});
const scan = (
  vms: VmDescription[],
  unreadable: { location: string; error: string }[] = [],
): InventoryCommand => ({ type: 'RecordScan', data: { source, vms, unreadable }, metadata: ctx });
const down = (error: string): InventoryCommand => ({
  type: 'RecordSourceUnreachable',
  data: { source, error },
  metadata: ctx,
});
const seen = (...vms: VmDescription[]): InventoryEvent[] => [
  ...vms.map((v): InventoryEvent => ({ type: 'VmDiscovered', data: { vm: v }, metadata: earlier })),
  {
    type: 'InventoryRefreshed',
    data: { source, vmCount: vms.length, problems: 0 },
    metadata: earlier,
  },
];
const refreshed = (vmCount: number, problems = 0): InventoryEvent => ({
  type: 'InventoryRefreshed',
  data: { source, vmCount, problems },
  metadata,
});
const spec = DeciderSpecification.for(inventoryDecider);

describe('inventory of a source', () => {
  it('records each VM seen for the first time', () => {
    spec
      .given([])
      .when(scan([vm('a'), vm('b')]))
      .then([
        { type: 'VmDiscovered', data: { vm: vm('a') }, metadata },
        { type: 'VmDiscovered', data: { vm: vm('b') }, metadata },
        refreshed(2),
      ]);
  });

  it('records nothing when nothing changed', () => {
    spec
      .given(seen(vm('a'), vm('b')))
      .when(scan([vm('b'), vm('a')]))
      .thenNothing();
  });

  it('records a changed VM with the fields that changed', () => {
    spec
      .given(seen(vm('a')))
      .when(scan([vm('a', { cpus: 4, powerState: 'poweredOn' })]))
      .then([
        {
          type: 'VmChanged',
          data: {
            vm: vm('a', { cpus: 4, powerState: 'poweredOn' }),
            changed: ['cpus', 'powerState'],
          },
          metadata,
        },
        refreshed(1),
      ]);
  });

  it('records a VM gone from a source that answered', () => {
    spec
      .given(seen(vm('a'), vm('b')))
      .when(scan([vm('a')]))
      .then([{ type: 'VmVanished', data: { vmKey: 'b', source }, metadata }, refreshed(1)]);
  });

  it('a source that does not answer makes its VMs stale, never vanished; once per error', () => {
    spec
      .given(seen(vm('a')))
      .when(down('connection refused'))
      .then([
        {
          type: 'InventorySourceUnreachable',
          data: { source, error: 'connection refused' },
          metadata,
        },
      ]);
    const unreachable: InventoryEvent[] = [
      ...seen(vm('a')),
      {
        type: 'InventorySourceUnreachable',
        data: { source, error: 'connection refused' },
        metadata: earlier,
      },
    ];
    spec.given(unreachable).when(down('connection refused')).thenNothing();
    // back: nothing changed, but the refresh is recorded, so its VMs are current again
    spec
      .given(unreachable)
      .when(scan([vm('a')]))
      .then([refreshed(1)]);
  });

  it('records a .vmx that cannot be read, once', () => {
    const broken = { location: '/vms/x/x.vmx', error: 'not a text file' };
    spec
      .given(seen(vm('a')))
      .when(scan([vm('a')], [broken]))
      .then([{ type: 'VmUnreadable', data: { source, ...broken }, metadata }, refreshed(1, 1)]);
    const recorded: InventoryEvent[] = [
      ...seen(vm('a')),
      { type: 'VmUnreadable', data: { source, ...broken }, metadata: earlier },
    ];
    spec
      .given(recorded)
      .when(scan([vm('a')], [broken]))
      .thenNothing();
    spec
      .given(recorded)
      .when(scan([vm('a')]))
      .then([refreshed(1)]); // fixed: the refresh says so
  });
});
