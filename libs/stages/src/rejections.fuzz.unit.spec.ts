import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventProblem, REJECTION_REASONS, rejectionStreamId } from '@ferry/contracts';
import type { EventStore, NewEvent } from '@ferry/event-store';
import { rejectionRecorder } from './rejections.ts';

/** Appends as the real store does: only events that pass Ferry's schemas. */
function checkingStore() {
  const appended: { stream: string; events: readonly NewEvent[] }[] = [];
  const store = {
    async append(stream: string, events: readonly NewEvent[]) {
      for (const { type, data, metadata } of events) {
        const problem = eventProblem({ type, data, metadata });
        if (problem) throw new Error(`${stream}: ${problem}`);
      }
      appended.push({ stream, events });
      return { nextExpectedRevision: 0, position: appended.length };
    },
  };
  return { store: store as unknown as EventStore, appended };
}

const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
// Whatever a consumer may claim for a command it could not read: its sender's id or type, headers.
const claimed = fc.oneof(
  fc.constant(null),
  text(300),
  fc.stringMatching(/^[\x21-\x7e]{1,200}$/),
  fc.constantFrom('', ' ', 'has space', 'tab\tin', 'Zurück', '__proto__'),
);
const aRejection = fc.record({
  subject: text(400),
  commandType: claimed,
  commandId: claimed,
  reason: fc.constantFrom(...REJECTION_REASONS),
  errors: fc.array(fc.record({ path: text(700), message: text(1200) }), { maxLength: 60 }),
});

describe('recording a rejection, whatever the refused command claimed', () => {
  it('appends one CommandRejected that passes its schema, where the sender looks for it', async () => {
    await fc.assert(
      fc.asyncProperty(aRejection, async (rejection) => {
        const { store, appended } = checkingStore();
        await rejectionRecorder(store, () => '2026-11-25T10:00:00.000Z')(rejection);
        expect(appended).toHaveLength(1);
        const [{ stream, events } = { stream: '', events: [] }] = appended;
        expect(events).toHaveLength(1);
        if (rejection.commandId !== null)
          expect(stream).toBe(`rejection-${await rejectionStreamId(rejection.commandId)}`);
        expect(events[0]).toMatchObject({
          type: 'CommandRejected',
          data: {
            commandId: rejection.commandId?.slice(0, 128) ?? null,
            reason: rejection.reason,
            errors: rejection.errors.slice(0, 50).map((e) => ({
              path: e.path.slice(0, 512),
              message: e.message.slice(0, 1024),
            })),
          },
        });
      }),
      { numRuns: 2000 },
    );
  });
});
