import { Module, type DynamicModule } from '@nestjs/common';
import { MigrationsController, type JobsDeps } from './migrations.controller.ts';
import { JOBS_DEPS } from './tokens.ts';

@Module({})
export class JobsModule {
  static register(deps: JobsDeps): DynamicModule {
    return {
      module: JobsModule,
      controllers: [MigrationsController],
      providers: [{ provide: JOBS_DEPS, useValue: deps }],
    };
  }
}
