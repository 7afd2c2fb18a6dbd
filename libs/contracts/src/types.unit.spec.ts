import { describe, expect, it } from 'vitest';
import type { EventOf, FerryEvent } from './types.ts';
import { validateEvent } from './validation.ts';

const metadata = {
  commandId: 'c1',
  correlationId: 'c1',
  causationId: 'c1',
  occurredAt: '2026-11-25T10:00:00Z',
};

// These are compile-time tests: `npm test` type-checks this file, and each `@ts-expect-error`
// fails the check if the wrongly shaped event ever does type-check. At run time the validator
// refuses the same shapes, so the type and the schema say the same thing.
describe('event types and schemas agree', () => {
  it('a well-formed event type-checks and validates', () => {
    const claimed: EventOf<'VmClaimed'> = {
      type: 'VmClaimed',
      data: { vmKey: 'ws-a', jobId: 'job-1' },
      metadata,
    };
    expect(validateEvent(claimed).ok).toBe(true);
  });

  it('a missing data field does not type-check', () => {
    // @ts-expect-error jobId is missing
    const bad: EventOf<'VmClaimed'> = { type: 'VmClaimed', data: { vmKey: 'ws-a' }, metadata };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('a field of the wrong type does not type-check', () => {
    const bad: EventOf<'ConversionProgressed'> = {
      type: 'ConversionProgressed',
      // @ts-expect-error percent is a number
      data: { jobId: 'job-1', diskIndex: 0, percent: '50' },
      metadata,
    };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('data of another event type does not type-check', () => {
    // @ts-expect-error VmReleased data needs a reason
    const bad: FerryEvent = {
      type: 'VmReleased',
      data: { vmKey: 'ws-a', jobId: 'job-1' },
      metadata,
    };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('an unknown event type does not type-check', () => {
    // @ts-expect-error there is no such event
    const bad: FerryEvent = { type: 'VmTeleported', data: {}, metadata };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('an event without metadata does not type-check', () => {
    // @ts-expect-error metadata is required
    const bad: EventOf<'VmClaimed'> = {
      type: 'VmClaimed',
      data: { vmKey: 'ws-a', jobId: 'job-1' },
    };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('a value outside a closed set does not type-check', () => {
    const bad: EventOf<'RollbackStepCompleted'> = {
      type: 'RollbackStepCompleted',
      data: {
        jobId: 'job-1',
        resource: { kind: 'image', id: 'i-1' },
        // @ts-expect-error 'vaporised' is not a rollback outcome
        outcome: 'vaporised',
        detail: '',
      },
      metadata,
    };
    expect(validateEvent(bad).ok).toBe(false);
  });

  it('events are read-only', () => {
    const claimed: EventOf<'VmClaimed'> = {
      type: 'VmClaimed',
      data: { vmKey: 'ws-a', jobId: 'job-1' },
      metadata,
    };
    // @ts-expect-error events are immutable
    claimed.data.jobId = 'job-2';
    expect(claimed.data.jobId).toBe('job-2');
  });
});
