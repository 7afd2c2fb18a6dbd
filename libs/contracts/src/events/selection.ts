import { defineEvent } from '../message.ts';
import { Closed, JobId, OneOf, Text, Type, VmKey } from '../schema.ts';
import { MAX_SELECTION } from '../vm.ts';

/** Why a selected VM got no job: another job holds it, Ferry does not know it, or the target's quotas cannot hold the selection. */
export const SKIP_REASONS = ['active-job', 'unknown-vm', 'quota-exceeded'] as const;

export const MigrationSelectionProcessed = defineEvent(
  'MigrationSelectionProcessed',
  'A CreateMigrations command was carried out: the jobs it created and the VMs it skipped, with why.',
  Closed({
    jobs: Type.Array(Closed({ vmKey: VmKey, jobId: JobId }), { maxItems: MAX_SELECTION }),
    skipped: Type.Array(
      Closed({
        vmKey: VmKey,
        reason: OneOf(SKIP_REASONS),
        activeJobId: Type.Union([JobId, Type.Null()]),
        detail: Type.Optional(Text(1024, 'What is short, when reason is quota-exceeded.')),
      }),
      { maxItems: MAX_SELECTION },
    ),
  }),
);
