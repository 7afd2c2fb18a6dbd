// The console's names for the shapes it selects: each a part of a type generated from the gateway's
// schema and the operations (generated/graphql.ts), so none is written by hand.
import {
  MigrationState,
  PowerState,
  type AdminQuery,
  type HealthQuery,
  type InventoryQuery,
  type MigrateMutation,
  type MigrationDetailFieldsFragment,
  type MigrationsQuery,
  type MigrationSummaryFieldsFragment,
  type ReplayDeadLettersMutation,
  type VmFieldsFragment,
} from './generated/graphql.ts';

export type { MigrationOptionsInput } from './generated/graphql.ts';
export type { MigrationState, PowerState };

/** In the schema's order: a job's way from PENDING to VERIFIED, then FAILED and ROLLED_BACK. */
export const MIGRATION_STATES: readonly MigrationState[] = Object.values(MigrationState);
export const POWER_STATES: readonly PowerState[] = Object.values(PowerState);

export type Vm = VmFieldsFragment;
export type Source = InventoryQuery['sources'][number];
export type UnreadableVm = InventoryQuery['unreadableVms'][number];

/** A job as the dashboard lists it. */
export type MigrationSummary = MigrationSummaryFieldsFragment;
export type StageTiming = MigrationSummary['stages'][number];
export type DiskProgress = MigrationSummary['disks'][number];

/** A job with everything its detail page shows. */
export type MigrationDetail = MigrationDetailFieldsFragment;
export type MigrationOptions = MigrationDetail['options'];
export type ValidationCheckView = NonNullable<MigrationDetail['validation']>['checks'][number];
export type TimelineEvent = MigrationDetail['timeline'][number];
/** Who asked: a person signed in, or one of Ferry's trusted systems. */
export type Actor = NonNullable<TimelineEvent['actor']>;

export type MigrationPage = MigrationsQuery['migrations'];
export type PageInfo = MigrationPage['pageInfo'];

export type MigrateResult = MigrateMutation['migrate'];
export type Health = HealthQuery['health'];

/** A command set aside in FERRY_DLQ, as the admin page lists it. */
export type DeadLetter = AdminQuery['deadLetters']['letters'][number];
export type DeadLetterReplay = ReplayDeadLettersMutation['replayDeadLetters'][number];
export type Quarantine = AdminQuery['quarantine'];
