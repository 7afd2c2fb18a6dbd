import { defineEvent } from '../message.ts';
import { Closed, Count, Text, Type } from '../schema.ts';
import { SourceRef } from '../vm.ts';

export const InventoryRefreshCompleted = defineEvent(
  'InventoryRefreshCompleted',
  'A RefreshInventory command was carried out: each source it read, how many inventory events that recorded, or why the source did not answer.',
  Closed({
    sources: Type.Array(
      Closed({
        source: SourceRef,
        recorded: Count(),
        error: Type.Optional(Text(2048)),
      }),
      { maxItems: 256 },
    ),
  }),
);
