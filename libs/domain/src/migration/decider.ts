import type { MigrationEvent } from '@ferry/contracts';
import type { Decider } from '../decider.ts';
import type { MigrationCommand } from './commands.ts';
import { decide } from './decide.ts';
import { evolve, initialMigrationState } from './evolve.ts';
import type { MigrationDecisionState } from './state.ts';

/** The job's state machine: PENDING → DISCOVERED → CONVERTING → UPLOADING → DEPLOYED → VERIFIED, or FAILED → ROLLED_BACK. */
export const migrationDecider: Decider<MigrationCommand, MigrationEvent, MigrationDecisionState> = {
  decide,
  evolve,
  initialState: initialMigrationState,
};
