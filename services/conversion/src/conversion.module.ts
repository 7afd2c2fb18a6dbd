import { Module, type DynamicModule } from '@nestjs/common';
import { ConvertController } from './convert.controller.ts';
import type { ConvertDeps } from './convert-job.ts';
import { CONVERT_DEPS } from './tokens.ts';

@Module({})
export class ConversionModule {
  static register(deps: ConvertDeps): DynamicModule {
    return {
      module: ConversionModule,
      controllers: [ConvertController],
      providers: [{ provide: CONVERT_DEPS, useValue: deps }],
    };
  }
}
