import type { EventCategory } from '../subjects.ts';
import { inventoryEvents } from './inventory.ts';
import { migrationEvents } from './migration.ts';
import { InventoryRefreshCompleted } from './refresh.ts';
import { CommandRejected } from './rejection.ts';
import { MigrationSelectionProcessed } from './selection.ts';
import { vmClaimEvents } from './vm-claim.ts';

/** Every event schema, by the category (stream family) its events are stored in. */
export const eventSchemasByCategory = {
  migration: migrationEvents,
  vm: vmClaimEvents,
  inventory: inventoryEvents,
  selection: [MigrationSelectionProcessed],
  refresh: [InventoryRefreshCompleted],
  rejection: [CommandRejected],
} as const satisfies Record<EventCategory, readonly unknown[]>;

export const eventSchemas = Object.values(eventSchemasByCategory).flat();

export * from './inventory.ts';
export * from './migration.ts';
export * from './refresh.ts';
export * from './rejection.ts';
export * from './selection.ts';
export * from './vm-claim.ts';
