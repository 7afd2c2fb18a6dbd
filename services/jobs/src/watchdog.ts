import { setTimeout as sleep } from 'node:timers/promises';
import { migrationStream, type MigrationEvent, type MigrationStage } from '@ferry/contracts';
import {
  decisionId,
  fold,
  IllegalStateError,
  migrationDecider,
  STAGE_OF_PHASE,
  type ActiveJobState,
  type Job,
  type MigrationDecisionState,
} from '@ferry/domain';
import { handleCommand, type Commit, type EventStore } from '@ferry/event-store';
import type { Logger } from '@ferry/observability';
import { systemActor } from '@ferry/messaging';

/** How long a stage may take: a fixed part, and (conversion, upload) a part per GiB of the VM's disks. */
export type StageBudgets = Readonly<
  Record<MigrationStage, { readonly baseMs: number; readonly perGibMs: number }>
>;

const GiB = 1024 ** 3;

/** A job's budget for a stage: its fixed part plus its part for each GiB of the job's disks. */
export function stageBudgetMs(stage: MigrationStage, job: Job, budgets: StageBudgets): number {
  const { baseMs, perGibMs } = budgets[stage];
  const bytes = (job.vm?.disks ?? []).reduce((sum, d) => sum + d.capacityBytes, 0);
  return baseMs + Math.ceil((bytes / GiB) * perGibMs);
}

interface Watched {
  readonly state: ActiveJobState;
  readonly revision: number;
  /** When its current stage began (the time of the event that started it). */
  readonly since: number;
}

/**
 * Fails a job whose stage outlives its budget, whatever the reason: a command dead-lettered without
 * its failure recorded, a process manager that never sent the next command, a holder stuck without
 * its lease lapsing. Follows every job's events; every replica runs one, and their failures of one
 * job's stage are one decision (its id names the job's revision), recorded once.
 */
export class Watchdog {
  private readonly watched = new Map<string, Watched>();
  private readonly options: {
    readonly store: EventStore;
    readonly budgets: StageBudgets;
    readonly intervalMs: number;
    readonly logger?: Pick<Logger, 'warn'>;
    readonly now?: () => number;
  };

  constructor(options: Watchdog['options']) {
    this.options = options;
  }

  /** Follows the store and checks the jobs every interval, until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const subscription = this.options.store.subscribe<MigrationEvent>(0, { category: 'migration' });
    signal.addEventListener('abort', () => void subscription.close(), { once: true });
    const following = (async () => {
      for await (const commit of subscription) await this.apply(commit);
    })();
    while (!signal.aborted) {
      await sleep(this.options.intervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      // The store away: the next round tries again.
      await this.check().catch((error: unknown) =>
        this.options.logger?.warn({ err: error }, 'the watchdog could not check the jobs'),
      );
    }
    await following;
  }

  /** Folds a job's commit: a job no longer in a stage is forgotten until it is again. */
  async apply(commit: Commit<MigrationEvent>): Promise<void> {
    const jobId = commit.streamName.slice('migration-'.length);
    const before = this.watched.get(jobId);
    const first = commit.events[0]?.revision ?? 0;
    let state: MigrationDecisionState;
    if (before && first === before.revision + 1)
      state = commit.events.reduce(migrationDecider.evolve, before.state as MigrationDecisionState);
    else if (first === 0) state = fold(migrationDecider, commit.events);
    // A job met part-way (retried after it was forgotten): its whole history, from the store.
    else
      state = fold(
        migrationDecider,
        (await this.options.store.read<MigrationEvent>(commit.streamName)).events,
      );
    const stage = state.phase === 'Empty' ? undefined : STAGE_OF_PHASE[state.phase];
    if (state.phase === 'Empty' || stage === undefined) {
      this.watched.delete(jobId);
      return;
    }
    const last = commit.events.at(-1);
    const sameStage = before && STAGE_OF_PHASE[before.state.phase] === stage;
    this.watched.set(jobId, {
      state,
      revision: last?.revision ?? first,
      since: sameStage ? before.since : Date.parse(last?.metadata.occurredAt ?? '') || this.now(),
    });
  }

  /** Fails each job whose stage has outlived its budget. */
  async check(): Promise<void> {
    const now = this.now();
    for (const [jobId, { state, revision, since }] of this.watched) {
      const stage = STAGE_OF_PHASE[state.phase] as MigrationStage;
      const budgetMs = stageBudgetMs(stage, state.job, this.options.budgets);
      if (now - since <= budgetMs) continue;
      const commandId = `watchdog:${jobId}:${revision}`;
      try {
        await handleCommand(this.options.store, migrationDecider, migrationStream(jobId), {
          type: 'FailMigration',
          data: {
            stage,
            code: 'stage-timeout',
            message: `${stage} outlived its budget of ${Math.round(budgetMs / 1000)} s (it began ${new Date(since).toISOString()})`,
            retryable: true,
          },
          metadata: {
            commandId: decisionId(commandId, 'fail'),
            correlationId: state.job.jobId,
            now: new Date(now).toISOString(),
            actor: systemActor('jobs', 'the stage watchdog'),
          },
        });
        this.options.logger?.warn({ jobId, stage, budgetMs }, 'stage past its budget: job failed');
      } catch (error) {
        // Moved on meanwhile: its next commit tells.
        if (!(error instanceof IllegalStateError)) throw error;
      }
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
