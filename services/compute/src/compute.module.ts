import { Module, type DynamicModule } from '@nestjs/common';
import { ComputeController } from './compute.controller.ts';
import type { ComputeDeps } from './deploy-job.ts';
import { COMPUTE_DEPS } from './tokens.ts';

@Module({})
export class ComputeModule {
  static register(deps: ComputeDeps): DynamicModule {
    return {
      module: ComputeModule,
      controllers: [ComputeController],
      providers: [{ provide: COMPUTE_DEPS, useValue: deps }],
    };
  }
}
