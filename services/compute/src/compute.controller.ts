import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { commandContext } from '@ferry/messaging';
import { deployJob, type ComputeDeps } from './deploy-job.ts';
import { COMPUTE_DEPS } from './tokens.ts';
import { verifyJob } from './verify-job.ts';

/** `ferry.cmd.compute.deploy` and `.verify`: the job's server, created and seen ACTIVE. */
@Controller()
export class ComputeController {
  private readonly deps: ComputeDeps;

  constructor(@Inject(COMPUTE_DEPS) deps: ComputeDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.DeployServer)
  async deploy(@Payload() command: CommandOf<'DeployServer'>): Promise<void> {
    await deployJob(this.deps, command.data.jobId, commandContext(command.metadata));
  }

  @EventPattern(COMMAND_SUBJECTS.VerifyServer)
  async verify(@Payload() command: CommandOf<'VerifyServer'>): Promise<void> {
    await verifyJob(this.deps, command.data.jobId, commandContext(command.metadata));
  }
}
