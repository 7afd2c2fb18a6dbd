import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { commandContext, receivedContext } from '@ferry/messaging';
import { createMigrations, type CreateDeps } from './create-migrations.ts';
import { cancelJob, rerunRollback, retryJob } from './job-requests.ts';
import { JOBS_DEPS } from './tokens.ts';
import { validateJob, type ValidateDeps } from './validate-job.ts';

export type JobsDeps = CreateDeps & ValidateDeps;

/** `ferry.cmd.migration.*`: jobs created from a selection, validated, cancelled, retried. */
@Controller()
export class MigrationsController {
  private readonly deps: JobsDeps;

  constructor(@Inject(JOBS_DEPS) deps: JobsDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.CreateMigrations)
  async create(@Payload() command: CommandOf<'CreateMigrations'>): Promise<void> {
    await createMigrations(this.deps, command.data, commandContext(command.metadata));
  }

  @EventPattern(COMMAND_SUBJECTS.ValidateMigration)
  async validate(
    @Payload() command: CommandOf<'ValidateMigration'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    const { jobId } = command.data;
    await validateJob(
      this.deps,
      jobId,
      commandContext(command.metadata),
      receivedContext(delivery),
    );
  }

  @EventPattern(COMMAND_SUBJECTS.CancelMigration)
  async cancel(@Payload() command: CommandOf<'CancelMigration'>): Promise<void> {
    await cancelJob(
      this.deps.store,
      command.data.jobId,
      command.data.reason ?? 'no reason given',
      commandContext(command.metadata),
    );
  }

  @EventPattern(COMMAND_SUBJECTS.RerunRollback)
  async rerunRollback(@Payload() command: CommandOf<'RerunRollback'>): Promise<void> {
    await rerunRollback(
      this.deps.store,
      command.data.jobId,
      command.data.reason ?? 'asked for again by an operator',
      commandContext(command.metadata),
    );
  }

  @EventPattern(COMMAND_SUBJECTS.RetryMigration)
  async retry(@Payload() command: CommandOf<'RetryMigration'>): Promise<void> {
    await retryJob(
      this.deps.store,
      command.data.jobId,
      { reason: command.data.reason ?? 'retried by an operator', options: command.data.options },
      commandContext(command.metadata),
    );
  }
}
