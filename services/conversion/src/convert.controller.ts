import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { commandContext, receivedContext } from '@ferry/messaging';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { convertJob, type ConvertDeps } from './convert-job.ts';
import { CONVERT_DEPS } from './tokens.ts';

/** `ferry.cmd.conversion.convert`: converts every disk of the job's VM. */
@Controller()
export class ConvertController {
  private readonly deps: ConvertDeps;

  constructor(@Inject(CONVERT_DEPS) deps: ConvertDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.ConvertDisks)
  async convert(
    @Payload() command: CommandOf<'ConvertDisks'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    await convertJob(
      this.deps,
      command.data.jobId,
      commandContext(command.metadata),
      receivedContext(delivery),
    );
  }
}
