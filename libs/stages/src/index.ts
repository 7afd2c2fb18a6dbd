export { openMigration, type MigrationDecision, type MigrationStage } from './open-job.ts';
export { rejectionRecorder } from './rejections.ts';
