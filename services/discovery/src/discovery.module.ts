import { Module, type DynamicModule } from '@nestjs/common';
import type { EventStore } from '@ferry/event-store';
import type { Logger } from '@ferry/observability';
import type { InventorySource } from '@ferry/vmware';
import { LOGGER, RefreshController } from './refresh.controller.ts';
import { EVENT_STORE, SOURCES } from './tokens.ts';

@Module({})
export class DiscoveryModule {
  static register(deps: {
    store: EventStore;
    sources: readonly InventorySource[];
    logger: Logger;
  }): DynamicModule {
    return {
      module: DiscoveryModule,
      controllers: [RefreshController],
      providers: [
        { provide: EVENT_STORE, useValue: deps.store },
        { provide: SOURCES, useValue: deps.sources },
        { provide: LOGGER, useValue: deps.logger },
      ],
    };
  }
}
