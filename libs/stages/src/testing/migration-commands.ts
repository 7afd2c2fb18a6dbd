// Commands and a VM for the event-store tests that drive the real migration decider.
import { handleCommand, type EventStore } from '@ferry/event-store';
import type {
  Artifact,
  MigrationFlags,
  MigrationOptions,
  Resource,
  VmDescription,
} from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { migrationDecider, type CommandContext, type MigrationCommand } from '@ferry/domain';

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
): Extract<MigrationCommand, { type: 'CreateMigration' }> => ({
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

/** A job created and validated (DISCOVERED), on the stream `migration-<jobId>`: by default for testVm, all flags on. */
export async function discoveredJob(
  store: EventStore,
  jobId: string,
  options: {
    readonly flags?: MigrationFlags;
    readonly vm?: VmDescription;
    readonly strategy?: MigrationOptions['strategy'];
    /** Any other option of the job (boot mode, flavor, MAC keeping, network mapping). */
    readonly jobOptions?: Partial<MigrationOptions>;
    /** When its events happened (RFC 3339): the fixtures' day by default. */
    readonly at?: string;
  } = {},
): Promise<string> {
  const at = (context: CommandContext) => (options.at ? { ...context, now: options.at } : context);
  const stream = migrationStream(jobId);
  const vm = options.vm ?? testVm;
  const create = createMigration(jobId, options.flags);
  await handleCommand(store, migrationDecider, stream, {
    ...create,
    metadata: at(create.metadata),
    data: {
      ...create.data,
      vmKey: vm.key,
      vmName: vm.name,
      source: vm.source,
      options: {
        ...create.data.options,
        strategy: options.strategy ?? 'qemu-img',
        ...options.jobOptions,
      },
    },
  });
  await handleCommand(store, migrationDecider, stream, {
    type: 'RecordValidation',
    data: { vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: 'ok' }] },
    metadata: at(commandContext(`validate-${jobId}`)),
  });
  return stream;
}

/** A job whose disks are converted (CONVERTED) into the artifacts given. */
export async function convertedJob(
  store: EventStore,
  jobId: string,
  options: Parameters<typeof discoveredJob>[2] & { readonly artifacts: readonly Artifact[] },
): Promise<string> {
  const stream = await discoveredJob(store, jobId, options);
  const vm = options.vm ?? testVm;
  await handleCommand(store, migrationDecider, stream, {
    type: 'StartConversion',
    data: {
      strategy: 'qemu-img',
      commands: [],
      disks: vm.disks.map((d) => ({
        diskIndex: d.index,
        path: d.path,
        capacityBytes: d.capacityBytes,
      })),
    },
    metadata: commandContext(`start-${jobId}`),
  });
  await handleCommand(store, migrationDecider, stream, {
    type: 'CompleteConversion',
    data: { artifacts: options.artifacts, reused: false, durationMs: 1 },
    metadata: commandContext(`converted-${jobId}`),
  });
  return stream;
}

/** A job that failed in its upload after creating the resources given, each recorded on it (FAILED). */
export async function failedJob(
  store: EventStore,
  jobId: string,
  options: Parameters<typeof convertedJob>[2] & { readonly resources: readonly Resource[] },
): Promise<string> {
  const stream = await convertedJob(store, jobId, options);
  for (const [i, resource] of options.resources.entries())
    await handleCommand(store, migrationDecider, stream, {
      type: 'RecordResource',
      data: { resource },
      metadata: commandContext(`resource-${i}-${jobId}`),
    });
  await handleCommand(store, migrationDecider, stream, {
    type: 'FailMigration',
    data: {
      stage: 'upload',
      code: 'test-failure',
      message: 'failed for the test',
      retryable: true,
    },
    metadata: commandContext(`fail-${jobId}`),
  });
  return stream;
}
