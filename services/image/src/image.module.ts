import { Module, type DynamicModule } from '@nestjs/common';
import { UPLOAD_DEPS } from './tokens.ts';
import { UploadController } from './upload.controller.ts';
import type { UploadDeps } from './upload-job.ts';

@Module({})
export class ImageModule {
  static register(deps: UploadDeps): DynamicModule {
    return {
      module: ImageModule,
      controllers: [UploadController],
      providers: [{ provide: UPLOAD_DEPS, useValue: deps }],
    };
  }
}
