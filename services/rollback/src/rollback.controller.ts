import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
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
  async run(@Payload() command: CommandOf<'RollBackMigration'>): Promise<void> {
    const { commandId, correlationId, issuedAt } = command.metadata;
    await rollBackJob(this.deps, command.data.jobId, {
      commandId,
      correlationId: correlationId ?? commandId,
      now: issuedAt ?? new Date().toISOString(),
    });
  }
}
