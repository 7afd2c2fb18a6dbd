// Commands and a VM for the event-store tests that drive the real migration decider.
import type { MigrationFlags, VmDescription } from '@ferry/contracts';
import { migrationDecider, type CommandContext, type MigrationCommand } from '@ferry/domain';
import { handleCommand } from '../command-handler.ts';
import type { EventStore } from '../port.ts';

export const commandContext = (commandId: string): CommandContext => ({
  commandId,
  correlationId: commandId,
  now: '2026-11-25T10:00:00Z',
});

export const testVm: VmDescription = {
  key: 'ws-a',
  name: 'a',
  source: { kind: 'workstation', id: '/vms' },
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  secureBoot: false,
  guestOs: 'other',
  powerState: 'poweredOff',
  hasSnapshots: false,
  disks: [],
  nics: [],
};

const allOn: MigrationFlags = { realConversion: true, openstackDeployment: true, rollback: true };

export const createMigration = (
  jobId: string,
  flags: MigrationFlags = allOn,
): MigrationCommand => ({
  type: 'CreateMigration',
  data: {
    jobId,
    vmKey: `ws-${jobId}`,
    vmName: jobId,
    source: testVm.source,
    options: {
      strategy: 'qemu-img',
      bootMode: 'image',
      flavor: null,
      networkMapping: {},
      keepMac: false,
    },
    flags,
  },
  metadata: commandContext(`create-${jobId}`),
});

export const cancelMigration = (
  jobId: string,
  commandId = `cancel-${jobId}`,
): MigrationCommand => ({
  type: 'CancelMigration',
  data: { reason: 'r', requestedBy: 'op' },
  metadata: commandContext(commandId),
});

/** A job created and validated (DISCOVERED), on the stream `migration-<jobId>`. */
export async function discoveredJob(
  store: EventStore,
  jobId: string,
  flags?: MigrationFlags,
): Promise<string> {
  const stream = `migration-${jobId}`;
  await handleCommand(store, migrationDecider, stream, createMigration(jobId, flags));
  await handleCommand(store, migrationDecider, stream, {
    type: 'RecordValidation',
    data: { vm: testVm, checks: [{ name: 'disks-present', outcome: 'passed', detail: 'ok' }] },
    metadata: commandContext(`validate-${jobId}`),
  });
  return stream;
}
