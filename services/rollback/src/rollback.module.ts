import { Module, type DynamicModule } from '@nestjs/common';
import { RollbackController } from './rollback.controller.ts';
import type { RollbackDeps } from './rollback-job.ts';
import { ROLLBACK_DEPS } from './tokens.ts';

@Module({})
export class RollbackModule {
  static register(deps: RollbackDeps): DynamicModule {
    return {
      module: RollbackModule,
      controllers: [RollbackController],
      providers: [{ provide: ROLLBACK_DEPS, useValue: deps }],
    };
  }
}
