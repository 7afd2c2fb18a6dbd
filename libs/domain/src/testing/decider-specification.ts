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

/**
 * Given/when/then for a read model: `given` past events, `when` one more, `then` the view has (at
 * least) these fields. The view comes only from folding the events.
 */
export const ViewSpecification = {
  for<E, V>(evolve: (view: V, event: E) => V, initial: V) {
    return {
      given(events: readonly E[]) {
        return {
          when(event: E) {
            const view = evolve(events.reduce(evolve, initial), event);
            return {
              then(expected: Partial<NonNullable<V>>) {
                expect(view).toMatchObject(expected);
              },
              thenUnchanged() {
                expect(view).toEqual(events.reduce(evolve, initial));
              },
            };
          },
        };
      },
    };
  },
};
