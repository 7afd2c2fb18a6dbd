import { defineEvent } from '../message.ts';
import { Closed, Count, Text, Type, VmKey } from '../schema.ts';
import { SourceRef, VmDescription } from '../vm.ts';

export const VmDiscovered = defineEvent(
  'VmDiscovered',
  'A VM was seen at a source for the first time (or again after it vanished).',
  Closed({ vm: VmDescription }),
);

export const VmChanged = defineEvent(
  'VmChanged',
  'A known VM changed at its source; `changed` names the top-level fields that differ.',
  Closed({
    vm: VmDescription,
    changed: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 32 }),
  }),
);

export const VmVanished = defineEvent(
  'VmVanished',
  'A VM is no longer at a source that answered.',
  Closed({ vmKey: VmKey, source: SourceRef }),
);

export const InventoryRefreshed = defineEvent(
  'InventoryRefreshed',
  'A source answered a refresh; its VMs are current (no longer stale).',
  Closed({ source: SourceRef, vmCount: Count(), problems: Count() }),
);

export const InventorySourceUnreachable = defineEvent(
  'InventorySourceUnreachable',
  'A source did not answer: its VMs are stale, not vanished.',
  Closed({ source: SourceRef, error: Text(2048) }),
);

export const VmUnreadable = defineEvent(
  'VmUnreadable',
  'A VM at a source could not be read (a broken or hostile .vmx); the other VMs are still discovered.',
  Closed({ source: SourceRef, location: Text(4096), error: Text(2048) }),
);

export const inventoryEvents = [
  VmDiscovered,
  VmChanged,
  VmVanished,
  InventoryRefreshed,
  InventorySourceUnreachable,
  VmUnreadable,
] as const;
