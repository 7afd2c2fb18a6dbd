import type { FerryCommand } from '@ferry/contracts';
import {
  IllegalStateError,
  STAGE_OF_COMMAND,
  STAGE_COMMANDS,
  type StageCommand,
} from '@ferry/domain';
import type { EventStore } from '@ferry/event-store';
import { commandContext } from '@ferry/messaging';
import { openMigration } from './open-job.ts';

const isStageCommand = (type: string): type is StageCommand =>
  (STAGE_COMMANDS as readonly string[]).includes(type);

/**
 * What giving up on a command means, recorded before it is dead-lettered: a stage command fails its
 * job (code `gave-up`, retryable), so rollback follows and nothing waits on a command that is gone.
 * A rollback command fails no job (the job failed already; an operator can run it again).
 */
export function giveUpOnJob(store: EventStore) {
  return async (command: FerryCommand, reason: string): Promise<void> => {
    if (!isStageCommand(command.type) || !('jobId' in command.data)) return;
    const stage = STAGE_OF_COMMAND[command.type];
    if (stage === 'rollback') return;
    const { decide } = await openMigration(
      store,
      command.data.jobId,
      commandContext(command.metadata),
    );
    try {
      await decide(
        {
          type: 'FailMigration',
          data: {
            stage,
            code: 'gave-up',
            message: `gave up on ${command.type}: ${reason}`.slice(0, 4000),
            retryable: true,
          },
        },
        'gave-up',
      );
    } catch (error) {
      // The job is past that stage already (or failed): giving up on its command changes nothing.
      if (!(error instanceof IllegalStateError)) throw error;
    }
  };
}
