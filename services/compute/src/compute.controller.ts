import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import type { CommandContext } from '@ferry/domain';
import { deployJob, type ComputeDeps } from './deploy-job.ts';
import { COMPUTE_DEPS } from './tokens.ts';
import { verifyJob } from './verify-job.ts';

const contextOf = ({
  commandId,
  correlationId,
  issuedAt,
}: CommandOf<'DeployServer'>['metadata']): CommandContext => ({
  commandId,
  correlationId: correlationId ?? commandId,
  now: issuedAt ?? new Date().toISOString(),
});

/** `ferry.cmd.compute.deploy` and `.verify`: the job's server, created and seen ACTIVE. */
@Controller()
export class ComputeController {
  private readonly deps: ComputeDeps;

  constructor(@Inject(COMPUTE_DEPS) deps: ComputeDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.DeployServer)
  async deploy(@Payload() command: CommandOf<'DeployServer'>): Promise<void> {
    await deployJob(this.deps, command.data.jobId, contextOf(command.metadata));
  }

  @EventPattern(COMMAND_SUBJECTS.VerifyServer)
  async verify(@Payload() command: CommandOf<'VerifyServer'>): Promise<void> {
    await verifyJob(this.deps, command.data.jobId, contextOf(command.metadata));
  }
}
