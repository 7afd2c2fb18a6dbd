export * from './decider.ts';
export * from './errors.ts';
export * from './migration/commands.ts';
export { migrationDecider } from './migration/decider.ts';
export {
  dryRuns,
  LEASE_GRACE_MS,
  leaseIsLive,
  migrationStatus,
  MIGRATION_PHASES,
  PHASES_OF_STAGE,
  resourceKey,
  STAGE_OF_PHASE,
  type Lease,
  type ActiveJobState,
  type Job,
  type MigrationDecisionState,
  type MigrationPhase,
} from './migration/state.ts';
export {
  evolveJobView,
  FINISHED_STATES,
  initialJobView,
  isJobFinished,
  JOB_STAGES,
  type DiskProgress,
  type JobStage,
  type JobView,
  type Recorded,
  type StageTiming,
} from './migration/job-view.ts';
export * from './vm-claim/decider.ts';
export {
  changedFields,
  inventoryDecider,
  INVENTORY_COMMAND_TYPES,
  type InventoryCommand,
  type RecordScan,
  type RecordSourceUnreachable,
  type SourceInventory,
} from './inventory/decider.ts';
export {
  emptyInventory,
  evolveInventory,
  listInventory,
  sourceKey,
  type InventoryEntry,
  type InventoryReadModel,
} from './inventory/view.ts';
export {
  reactionNeedsJob,
  reactTo,
  STAGE_COMMANDS,
  STAGE_OF_COMMAND,
  type Reaction,
  type StageCommand,
} from './migration/process.ts';
export { describeEvent } from './migration/describe-event.ts';
export { isWindowsGuest } from './migration/guest.ts';
export { operatorRequests, type OperatorRequests } from './migration/operator-requests.ts';
export { preflightChecks } from './preflight/preflight.ts';
export { PREFLIGHT_RULES } from './preflight/rules.ts';
export { ruleCheck, type PreflightRule, type RuleInputs } from './preflight/rule.ts';
