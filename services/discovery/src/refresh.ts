import { createHash } from 'node:crypto';
import type { SourceRef } from '@ferry/contracts';
import { inventoryDecider, type CommandContext } from '@ferry/domain';
import { handleCommand, type EventStore } from '@ferry/event-store';
import type { InventorySource } from '@ferry/vmware';

/** Each source's inventory stream: `inventory-<24 hex of sha256(kind:id)>`. */
export const inventoryStream = (source: SourceRef) =>
  `inventory-${createHash('sha256').update(`${source.kind}:${source.id}`).digest('hex').slice(0, 24)}`;

export interface RefreshOutcome {
  readonly source: SourceRef;
  /** How many inventory events the refresh appended. */
  readonly recorded: number;
  readonly error?: string;
}

// Keep each commit well under one NATS message: a first scan of a large vCenter is thousands of events.
const MAX_COMMIT_BYTES = 256 * 1024;

/**
 * Scans each source (all, or the one named) and records what changed. A source that fails is
 * recorded as unreachable (its VMs become stale); the others are still refreshed.
 */
export async function refreshInventory(
  store: EventStore,
  sources: readonly InventorySource[],
  context: CommandContext,
): Promise<RefreshOutcome[]> {
  return Promise.all(
    sources.map(async (source): Promise<RefreshOutcome> => {
      const stream = inventoryStream(source.ref);
      const step = (name: string): CommandContext => ({
        ...context,
        commandId: `${context.commandId}:${source.ref.kind}:${source.ref.id}:${name}`.slice(0, 128),
      });
      let scan;
      try {
        scan = await source.scan();
      } catch (error) {
        const message = (error as Error).message;
        const { events } = await handleCommand(store, inventoryDecider, stream, {
          type: 'RecordSourceUnreachable',
          data: { source: source.ref, error: message },
          metadata: step('unreachable'),
        });
        return { source: source.ref, recorded: events.length, error: message };
      }
      const { events } = await handleCommand(
        store,
        inventoryDecider,
        stream,
        { type: 'RecordScan', data: { source: source.ref, ...scan }, metadata: step('scan') },
        { maxCommitBytes: MAX_COMMIT_BYTES },
      );
      return { source: source.ref, recorded: events.length };
    }),
  );
}
