import { defineEvent } from '../message.ts';
import { Closed, JobId, OneOf, VmKey } from '../schema.ts';

export const VmClaimed = defineEvent(
  'VmClaimed',
  'A job took the VM: no other job may be active for it until it is released.',
  Closed({ vmKey: VmKey, jobId: JobId }),
);

export const RELEASE_REASONS = ['verified', 'rolled-back', 'failed'] as const;

export const VmReleased = defineEvent(
  'VmReleased',
  'The job holding the VM ended; the VM may be migrated again.',
  Closed({ vmKey: VmKey, jobId: JobId, reason: OneOf(RELEASE_REASONS) }),
);

export const vmClaimEvents = [VmClaimed, VmReleased] as const;
