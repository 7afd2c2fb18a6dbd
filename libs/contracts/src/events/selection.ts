import { defineEvent } from '../message.ts';
import { Closed, JobId, OneOf, Type, VmKey } from '../schema.ts';

export const SKIP_REASONS = ['active-job', 'unknown-vm'] as const;

export const MigrationSelectionProcessed = defineEvent(
  'MigrationSelectionProcessed',
  'A CreateMigrations command was carried out: the jobs it created and the VMs it skipped, with why.',
  Closed({
    jobs: Type.Array(Closed({ vmKey: VmKey, jobId: JobId }), { maxItems: 5000 }),
    skipped: Type.Array(
      Closed({
        vmKey: VmKey,
        reason: OneOf(SKIP_REASONS),
        activeJobId: Type.Union([JobId, Type.Null()]),
      }),
      { maxItems: 5000 },
    ),
  }),
);
