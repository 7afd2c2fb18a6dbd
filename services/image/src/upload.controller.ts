import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { commandContext, receivedContext } from '@ferry/messaging';
import { COMMAND_SUBJECTS, type CommandOf } from '@ferry/contracts';
import { UPLOAD_DEPS } from './tokens.ts';
import { uploadJob, type UploadDeps } from './upload-job.ts';

/** `ferry.cmd.image.upload`: uploads the job's converted disks to Glance. */
@Controller()
export class UploadController {
  private readonly deps: UploadDeps;

  constructor(@Inject(UPLOAD_DEPS) deps: UploadDeps) {
    this.deps = deps;
  }

  @EventPattern(COMMAND_SUBJECTS.UploadImage)
  async upload(
    @Payload() command: CommandOf<'UploadImage'>,
    @Ctx() delivery: unknown,
  ): Promise<void> {
    await uploadJob(
      this.deps,
      command.data.jobId,
      commandContext(command.metadata),
      receivedContext(delivery),
    );
  }
}
