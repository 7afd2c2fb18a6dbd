import { expect } from 'vitest';
import { fold, type Decider } from '../decider.ts';
import type { DomainError, DomainErrorCode } from '../errors.ts';

/**
 * Given/when/then for a decider: `given` past events, `when` a command, `then` exactly these
 * events (or `thenFails` with a typed error). The state comes only from folding the given events.
 */
export const DeciderSpecification = {
  for<C, E, S>(decider: Decider<C, E, S>) {
    return {
      given(events: readonly E[]) {
        return {
          when(command: C) {
            const run = () => decider.decide(command, fold(decider, events));
            return {
              then(expected: readonly E[]) {
                expect(run()).toEqual(expected);
              },
              thenNothing() {
                expect(run()).toEqual([]);
              },
              thenFails(code: DomainErrorCode, check?: (error: DomainError) => void) {
                let thrown: unknown;
                try {
                  run();
                } catch (error) {
                  thrown = error;
                }
                expect(thrown, 'the command should have been refused').toBeInstanceOf(Error);
                expect((thrown as DomainError).code).toBe(code);
                check?.(thrown as DomainError);
              },
            };
          },
        };
      },
    };
  },
};
