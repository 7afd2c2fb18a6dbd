import type { MigrationEvent } from '@ferry/contracts';
import { counter, DURATION_BUCKETS, histogram } from '@ferry/observability';

/** The event that ends each stage, and the stage it ends. */
const STAGE_ENDS: Partial<Record<MigrationEvent['type'], string>> = {
  MigrationValidated: 'validation',
  ConversionCompleted: 'conversion',
  ImageUploadCompleted: 'upload',
  ServerDeployed: 'deployment',
  MigrationVerified: 'verification',
  RollbackCompleted: 'rollback',
};

/**
 * What a stage's decisions say to Prometheus, once they are stored: how long the stage's work took
 * in this worker (from the job opened to the stage's last event), the bytes converted and uploaded,
 * and failures by stage and code. Recorded by the worker that did the work, so counted once.
 */
export function recordStageMetrics(events: readonly MigrationEvent[], openedAt: number): void {
  for (const event of events) {
    const stage = STAGE_ENDS[event.type];
    if (stage)
      histogram(
        'ferry_stage_duration_seconds',
        "How long each stage's work took, by stage and outcome.",
        ['stage', 'outcome'],
        DURATION_BUCKETS,
      ).observe({ stage, outcome: outcomeOf(event) }, (performance.now() - openedAt) / 1000);
    if (event.type === 'ConversionCompleted' && !event.data.dryRun && !event.data.reused)
      counter('ferry_bytes_converted_total', 'Bytes of disk converted (virtual size).').inc(
        event.data.artifacts.reduce((sum, a) => sum + a.virtualSize, 0),
      );
    if (event.type === 'ImageUploadCompleted' && !event.data.dryRun && !event.data.reused)
      counter('ferry_bytes_uploaded_total', 'Bytes uploaded to Glance.').inc(event.data.sizeBytes);
    if (event.type === 'MigrationFailed')
      counter('ferry_jobs_failed_total', 'Jobs failed, by stage and reason.', [
        'stage',
        'code',
      ]).inc({ stage: event.data.stage, code: event.data.code });
  }
}

function outcomeOf(event: MigrationEvent): string {
  switch (event.type) {
    case 'MigrationValidated':
      return event.data.outcome;
    case 'RollbackCompleted':
      return event.data.outcome;
    case 'MigrationVerified':
      return event.data.outcome;
    default:
      return 'dryRun' in event.data && event.data.dryRun ? 'dry-run' : 'done';
  }
}
