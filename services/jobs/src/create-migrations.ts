import {
  selectionStreamId,
  type CommandOf,
  type EventData,
  type MigrationFlags,
  type MigrationOptions,
  type VmDescription,
  migrationStream,
  vmClaimStream,
} from '@ferry/contracts';
import {
  ConflictError,
  eventMetadata,
  migrationDecider,
  vmClaimDecider,
  type CommandContext,
} from '@ferry/domain';
import { handleCommand, recordOutcome, type EventStore } from '@ferry/event-store';
import { CommandRejectedError } from '@ferry/messaging';
import { jobIdFor } from './job-id.ts';

export interface CreateDeps {
  readonly store: EventStore;
  /** The VMs Ferry knows, by key (see InventoryIndex). */
  readonly inventory: { current(): Promise<ReadonlyMap<string, VmDescription>> };
  /** The feature flags in force: recorded on each job, which keeps them for its whole life. */
  readonly flags: MigrationFlags;
  readonly defaults: MigrationOptions;
  /**
   * VMs handled at once within one selection (64 unless given). Each is four round trips to NATS,
   * two of them appends that wait for an fsync: with many in flight, one fsync serves many appends
   * (pipeline bench: 1,000 jobs in 2.1-2.6 s at 64, 4.0-5.0 s at 16).
   */
  readonly parallel?: number;
  /**
   * What the target's quotas lack to hold these VMs, in words (empty: they fit); asked only when
   * deployment is on, before any job is made.
   */
  readonly shortfalls?: (
    vms: readonly VmDescription[],
    options: MigrationOptions,
  ) => Promise<readonly string[]>;
  /**
   * The most bytes the outcome may take (NATS's max_payload, less the event's envelope): a
   * selection whose outcome could not be recorded is refused before any job is made.
   */
  readonly maxOutcomeBytes?: number;
}

type Outcome = EventData<'MigrationSelectionProcessed'>;
type Created = Outcome['jobs'][number];
type Skipped = Outcome['skipped'][number];

/**
 * One job per selected VM. The VM's claim stream (`vm-<key>`), appended with an expected revision,
 * lets one job at a time hold it, whichever replica asks; a VM held by another job is skipped and
 * reported with that job. Ids come from the command, so a redelivered command yields the same jobs
 * and appends nothing twice. The outcome is recorded where the sender looks for it.
 */
export async function createMigrations(
  deps: CreateDeps,
  command: CommandOf<'CreateMigrations'>['data'],
  context: CommandContext,
): Promise<Outcome> {
  const limit = deps.maxOutcomeBytes ?? Number.POSITIVE_INFINITY;
  const shortfalls = deps.flags.openstackDeployment ? deps.shortfalls : undefined;
  const detailLength = quotaDetailLength(limit, command.vmKeys.length);
  refuseUnrecordable(command.vmKeys, shortfalls ? detailLength : undefined, limit);
  const vms = await deps.inventory.current();
  const options: MigrationOptions = { ...deps.defaults, ...command.options };
  // A selection the target cannot hold is refused whole, before anything is copied: the VMs it
  // could hold are not a choice Ferry should make for the operator.
  const known = command.vmKeys.flatMap((k) => vms.get(k) ?? []);
  const short = shortfalls && known.length > 0 ? await shortfalls(known, options) : [];
  const detail = `the target cannot hold this selection: ${short.join('; ')}`.slice(
    0,
    detailLength,
  );
  const results = await mapBounded(command.vmKeys, deps.parallel ?? 64, (vmKey) =>
    short.length > 0 && vms.has(vmKey)
      ? Promise.resolve<Skipped>({ vmKey, reason: 'quota-exceeded', activeJobId: null, detail })
      : createOne(deps, vms.get(vmKey), vmKey, options, context),
  );
  const outcome: Outcome = {
    jobs: results.filter((r): r is Created => !('reason' in r)),
    skipped: results.filter((r): r is Skipped => 'reason' in r),
  };
  // Recorded once: a redelivery of this command made the same jobs, so the first outcome stands.
  await recordOutcome(
    deps.store,
    `selection-${await selectionStreamId(context.commandId)}`,
    context.commandId,
    { type: 'MigrationSelectionProcessed', data: outcome, metadata: eventMetadata(context) },
  );
  return outcome;
}

/**
 * How much of the quota shortfall each refused VM carries: all of it (up to 1,024 characters) unless
 * a large selection would outgrow half the outcome's room with it, never under 120.
 */
export const quotaDetailLength = (maxOutcomeBytes: number, vms: number): number =>
  Math.min(1024, Math.max(120, Math.floor(maxOutcomeBytes / 2 / Math.max(1, vms))));

/** A job id as jobIdFor makes them: all of the same length. */
const SAMPLE_JOB_ID = jobIdFor('', '');

/**
 * Refuses a selection whose outcome might not fit one message: checked on its largest form (every
 * VM skipped, naming a job or the quota's shortfall), before anything is made, since jobs made
 * with no outcome recorded would leave the sender with no answer.
 */
function refuseUnrecordable(
  vmKeys: readonly string[],
  detailLength: number | undefined,
  limit: number,
): void {
  if (!Number.isFinite(limit)) return;
  const detail = detailLength === undefined ? {} : { detail: 'x'.repeat(detailLength) };
  const largest = Buffer.byteLength(
    JSON.stringify({
      jobs: [],
      skipped: vmKeys.map((vmKey) => ({
        vmKey,
        reason: 'quota-exceeded',
        activeJobId: SAMPLE_JOB_ID,
        ...detail,
      })),
    }),
  );
  if (largest <= limit) return;
  const most = Math.floor((vmKeys.length * limit) / largest);
  throw new CommandRejectedError(
    'too-large',
    `a selection of ${vmKeys.length} VMs can take ${largest} bytes to answer, more than NATS takes in one message here (${limit}; its max_payload): select at most ${most} VMs at once, or raise max_payload (Ferry's own configuration sets 4MB)`,
  );
}

async function createOne(
  deps: CreateDeps,
  vm: VmDescription | undefined,
  vmKey: string,
  options: MigrationOptions,
  context: CommandContext,
): Promise<Created | Skipped> {
  if (!vm) return { vmKey, reason: 'unknown-vm', activeJobId: null };
  const jobId = jobIdFor(context.commandId, vmKey);
  const step = (name: string) => ({
    ...context,
    commandId: `${context.commandId}:${name}:${vmKey}`.slice(0, 128),
  });
  try {
    await handleCommand(deps.store, vmClaimDecider, vmClaimStream(vmKey), {
      type: 'ClaimVm',
      data: { vmKey, jobId },
      metadata: step('claim'),
    });
  } catch (error) {
    if (error instanceof ConflictError)
      return { vmKey, reason: 'active-job', activeJobId: error.holder };
    throw error;
  }
  await handleCommand(deps.store, migrationDecider, migrationStream(jobId), {
    type: 'CreateMigration',
    data: { jobId, vmKey, vmName: vm.name, source: vm.source, options, flags: deps.flags },
    metadata: step('create'),
  });
  return { vmKey, jobId };
}

/** `f` over every item, at most `width` at a time, results in item order. */
async function mapBounded<T, R>(
  items: readonly T[],
  width: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
