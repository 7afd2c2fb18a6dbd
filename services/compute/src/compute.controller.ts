import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { commandContext, receivedContext } from '@ferry/messaging';
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
  async deploy(
    @Payload() command: CommandOf<'DeployServer'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    const { jobId } = command.data;
    await deployJob(this.deps, jobId, commandContext(command.metadata), receivedContext(delivery));
  }

  @EventPattern(COMMAND_SUBJECTS.VerifyServer)
  async verify(
    @Payload() command: CommandOf<'VerifyServer'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    const { jobId } = command.data;
    await verifyJob(this.deps, jobId, commandContext(command.metadata), receivedContext(delivery));
  }
}
