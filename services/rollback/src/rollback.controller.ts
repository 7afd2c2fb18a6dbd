import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { commandContext, receivedContext } from '@ferry/messaging';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { rollBackJob, type RollbackDeps } from './rollback-job.ts';
import { ROLLBACK_DEPS } from './tokens.ts';

/** `ferry.cmd.rollback.run`: removes what a failed job created. */
@Controller()
export class RollbackController {
  private readonly deps: RollbackDeps;

  constructor(@Inject(ROLLBACK_DEPS) deps: RollbackDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.RollBackMigration)
  async run(
    @Payload() command: CommandOf<'RollBackMigration'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    const { jobId } = command.data;
    await rollBackJob(
      this.deps,
      jobId,
      commandContext(command.metadata),
      receivedContext(delivery),
    );
  }
}
