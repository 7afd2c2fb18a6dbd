import { eventProblem, type VmDescription } from '@ferry/contracts';

/** Why the event store would refuse to record `vm` as discovered; undefined when it would not. */
export const vmProblem = (vm: VmDescription) =>
  eventProblem({
    type: 'VmDiscovered',
    data: { vm },
    metadata: {
      commandId: 'c',
      correlationId: 'c',
      causationId: 'c',
      occurredAt: '2025-01-01T00:00:00Z',
    },
  });
