import type { commandSchemas } from './commands/index.ts';
import type { eventSchemasByCategory } from './events/index.ts';
import type { Infer, TSchema } from './schema.ts';

type InferEach<T extends readonly TSchema[]> = { [K in keyof T]: Infer<T[K]> }[number];

export type MigrationEvent = InferEach<typeof eventSchemasByCategory.migration>;
export type VmClaimEvent = InferEach<typeof eventSchemasByCategory.vm>;
export type InventoryEvent = InferEach<typeof eventSchemasByCategory.inventory>;
export type SelectionEvent = InferEach<typeof eventSchemasByCategory.selection>;
export type RefreshEvent = InferEach<typeof eventSchemasByCategory.refresh>;
export type RejectionEvent = InferEach<typeof eventSchemasByCategory.rejection>;
export type FerryEvent =
  MigrationEvent | VmClaimEvent | InventoryEvent | SelectionEvent | RefreshEvent | RejectionEvent;
export type EventType = FerryEvent['type'];
export type EventOf<T extends EventType> = Extract<FerryEvent, { readonly type: T }>;
export type EventData<T extends EventType> = EventOf<T>['data'];

export type FerryCommand = InferEach<typeof commandSchemas>;
export type CommandOf<T extends FerryCommand['type']> = Extract<FerryCommand, { readonly type: T }>;
