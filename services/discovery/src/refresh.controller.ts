import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { COMMAND_SUBJECTS, refreshStreamId, type CommandOf } from '@ferry/contracts';
import { eventMetadata } from '@ferry/domain';
import { recordOutcome, type EventStore } from '@ferry/event-store';
import { CommandRejectedError, commandContext } from '@ferry/messaging';
import type { Logger } from '@ferry/observability';
import type { InventorySource } from '@ferry/vmware';
import { refreshInventory } from './refresh.ts';
import { EVENT_STORE, SOURCES } from './tokens.ts';

export const LOGGER = Symbol('Logger');

/** `ferry.cmd.discovery.refresh`: re-reads every configured source, or the one the command names. */
@Controller()
export class RefreshController {
  private readonly store: EventStore;
  private readonly sources: readonly InventorySource[];
  private readonly logger: Logger;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(SOURCES) sources: readonly InventorySource[],
    @Inject(LOGGER) logger: Logger,
  ) {
    this.store = store;
    this.sources = sources;
    this.logger = logger;
  }

  @EventPattern(COMMAND_SUBJECTS.RefreshInventory)
  async refresh(@Payload() command: CommandOf<'RefreshInventory'>): Promise<void> {
    const wanted = command.data.source;
    const sources = wanted
      ? this.sources.filter((s) => s.ref.kind === wanted.kind && s.ref.id === wanted.id)
      : this.sources;
    if (wanted && sources.length === 0)
      throw new CommandRejectedError(
        'not-found',
        `no configured source ${wanted.kind} ${wanted.id}`,
        [{ path: '/data/source', message: 'is not a configured source' }],
      );
    const context = commandContext(command.metadata);
    const outcomes = await refreshInventory(this.store, sources, context);
    for (const o of outcomes) {
      if (o.error)
        this.logger.warn(
          { source: o.source, error: o.error },
          'source unreachable; its VMs are stale',
        );
      else this.logger.info({ source: o.source, recorded: o.recorded }, 'source refreshed');
    }
    // Where its sender (ferry refresh, another system) learns that the refresh ended, and how.
    await recordOutcome(
      this.store,
      `refresh-${await refreshStreamId(context.commandId)}`,
      context.commandId,
      {
        type: 'InventoryRefreshCompleted',
        data: {
          sources: outcomes.map(({ source, recorded, error }) => ({
            source,
            recorded,
            ...(error !== undefined && { error: error.slice(0, 2048) }),
          })),
        },
        metadata: eventMetadata(context),
      },
    );
  }
}
