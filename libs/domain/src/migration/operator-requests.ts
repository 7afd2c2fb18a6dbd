import type { MigrationCommand } from './commands.ts';
import { decide } from './decide.ts';
import { IllegalStateError } from '../errors.ts';
import type { JobView } from './job-view.ts';

/** What an operator may ask of a job now. */
export interface OperatorRequests {
  readonly cancel: boolean;
  /** A retry may still be refused when another job holds the VM by then. */
  readonly retry: boolean;
  /** Run the rollback again: after one that could not remove everything, or never finished. */
  readonly rerunRollback: boolean;
}

// Only the state matters to these two decisions: the ids and time are placeholders.
const ASKED = { commandId: 'ask', correlationId: 'ask', now: '1970-01-01T00:00:00Z' };

/** Which requests the job's decider would accept: asked of the decider itself, so no screen repeats its rules. */
export function operatorRequests(view: JobView): OperatorRequests {
  const state = { phase: view.phase, job: view.job, handled: new Set<string>() };
  const accepts = (command: MigrationCommand) => {
    try {
      decide(command, state);
      return true;
    } catch (error) {
      if (error instanceof IllegalStateError) return false;
      throw error;
    }
  };
  return {
    cancel: accepts({
      type: 'CancelMigration',
      data: { reason: 'asked', requestedBy: 'asked' },
      metadata: ASKED,
    }),
    retry: accepts({ type: 'RetryMigration', data: { reason: 'asked' }, metadata: ASKED }),
    rerunRollback: accepts({
      type: 'RequestRollback',
      data: { reason: 'asked', requestedBy: 'asked' },
      metadata: ASKED,
    }),
  };
}
