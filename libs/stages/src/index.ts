export { giveUpOnJob } from './give-up.ts';
export {
  openMigration,
  type Decide,
  type MigrationDecision,
  type MigrationStage,
} from './open-job.ts';
export { rejectionRecorder } from './rejections.ts';
export { StageError } from './stage-error.ts';
export {
  runStage,
  type Delivery,
  type StageDefinition,
  type StageFailure,
  type StageRun,
  type StageRunnerDeps,
} from './stage-runner.ts';
