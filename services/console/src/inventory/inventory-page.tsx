import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';

import { newCommandId } from '../api/command-id.ts';
import {
  INVENTORY_CHANGED,
  INVENTORY_QUERY,
  MIGRATE,
  MIGRATIONS_UPDATED,
  REFRESH_INVENTORY,
} from '../api/operations.ts';
import type { MigrationOptionsInput } from '../api/types.ts';
import { useCoalesced } from '../hooks/use-coalesced.ts';
import { useDebounced } from '../hooks/use-debounced.ts';
import { useMutation } from '../hooks/use-mutation.ts';
import { useQuery } from '../hooks/use-query.ts';
import { useSubscription } from '../hooks/use-subscription.ts';
import { ErrorBox } from '../ui/error-box.tsx';
import { LiveStatusDot } from '../ui/live-status.tsx';
import {
  EMPTY_INVENTORY_FILTER,
  inventoryVariables,
  type InventoryFilterForm,
} from './inventory-filter.ts';
import { InventoryFilters } from './inventory-filters.tsx';
import { applyJobToInventory } from './inventory-live.ts';
import { InventoryTable } from './inventory-table.tsx';
import { MigrateDialog } from './migrate-dialog.tsx';
import { MigrateResultView } from './migrate-result.tsx';
import { SourcesPanel } from './sources-panel.tsx';
import { mayAct } from '../api/session.ts';
import { useSession } from '../session/session-context.ts';

export function InventoryPage() {
  const mayChange = mayAct(useSession());
  const [form, setForm] = useState<InventoryFilterForm>(EMPTY_INVENTORY_FILTER);
  const debouncedName = useDebounced(form.name, 250);
  const variables = useMemo(
    () => inventoryVariables({ ...form, name: debouncedName }),
    [form, debouncedName],
  );
  const { data, error, loading, refetch, setData } = useQuery(INVENTORY_QUERY, variables);
  const vms = useMemo(() => data?.inventory ?? [], [data]);

  // Names of every VM seen on this page, so results can name VMs the filter now hides.
  const [names] = useState(() => new Map<string, string>());
  for (const vm of vms) names.set(vm.key, vm.name);
  const nameOf = useCallback((key: string) => names.get(key) ?? key, [names]);

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const selectedVms = vms.filter((vm) => selected.has(vm.key));
  const hiddenSelected = selected.size - selectedVms.length;

  const refetchSoon = useCoalesced(refetch, 500);
  const inventoryLive = useSubscription(INVENTORY_CHANGED, {}, refetchSoon);
  // What the live handler merges into: the data shown, moved on at once by each update it merges
  // (several may come before the next render).
  const latest = useRef(data);
  useLayoutEffect(() => {
    latest.current = data;
  }, [data]);
  useSubscription(MIGRATIONS_UPDATED, {}, ({ migrationUpdated }) => {
    const previous = latest.current;
    if (!previous) return;
    const applied = applyJobToInventory(previous.inventory, migrationUpdated);
    if (applied.vms !== previous.inventory) {
      const next = { ...previous, inventory: applied.vms };
      latest.current = next;
      setData(() => next);
    }
    if (applied.stale) refetchSoon();
  });

  const refresh = useMutation(REFRESH_INVENTORY);
  const migrate = useMutation(MIGRATE);
  const [dialogOpen, setDialogOpen] = useState(false);

  const toggle = (key: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const toggleAll = (select: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const vm of vms) {
        if (select) next.add(vm.key);
        else next.delete(vm.key);
      }
      return next;
    });

  const startMigration = async (options: MigrationOptionsInput) => {
    const answer = await migrate.run({
      vmKeys: selectedVms.map((vm) => vm.key),
      options,
      commandId: newCommandId(),
    });
    if (answer) {
      setDialogOpen(false);
      refetch();
    }
  };

  return (
    <section aria-labelledby="inventory-title">
      <div className="page-head">
        <h1 id="inventory-title">Inventory</h1>
        <LiveStatusDot status={inventoryLive.status} error={inventoryLive.error} />
        <span className="spacer" />
        {mayChange ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void refresh.run({})}
            disabled={refresh.running}
          >
            {refresh.running ? 'Refreshing…' : 'Refresh inventory'}
          </button>
        ) : null}
      </div>

      <SourcesPanel sources={data?.sources ?? []} unreadable={data?.unreadableVms ?? []} />
      <InventoryFilters form={form} sources={data?.sources ?? []} onChange={setForm} />

      <div className="toolbar">
        <span className="num" data-testid="selection-count">
          {selectedVms.length} of {vms.length} shown selected
          {hiddenSelected > 0 ? ` (${hiddenSelected} more hidden by the filter, not migrated)` : ''}
        </span>
        <span className="spacer" />
        {mayChange ? (
          <button
            type="button"
            onClick={() => {
              migrate.reset();
              setDialogOpen(true);
            }}
            disabled={selectedVms.length === 0}
          >
            Migrate selected
          </button>
        ) : (
          <span className="muted" data-testid="view-only">
            Viewing only: migrating needs the operator role
          </span>
        )}
      </div>

      <div
        aria-live="polite"
        aria-atomic="false"
        className="announcements"
        data-testid="announcements"
      >
        {refresh.result ? (
          <p className="notice neutral" data-testid="refresh-result">
            Refresh requested (command <code>{refresh.result.refreshInventory.commandId}</code>);
            the table follows as discovery reports.
          </p>
        ) : null}
        {refresh.error ? <ErrorBox error={refresh.error} title="Refresh failed" /> : null}
        {migrate.result && !dialogOpen ? (
          <MigrateResultView
            result={migrate.result.migrate}
            nameOf={nameOf}
            onDismiss={migrate.reset}
          />
        ) : null}
      </div>

      <ErrorBox error={error} title="The inventory could not be read" />
      {data === undefined && loading ? <p className="muted">Loading the inventory…</p> : null}
      {data !== undefined ? (
        <InventoryTable vms={vms} selected={selected} onToggle={toggle} onToggleAll={toggleAll} />
      ) : null}
      {data !== undefined && vms.length === 0 ? (
        <p className="muted" data-testid="inventory-empty">
          {Object.keys(variables).length > 0
            ? 'No VM matches the filter.'
            : 'No VM discovered yet.'}
        </p>
      ) : null}

      {dialogOpen ? (
        <MigrateDialog
          vms={selectedVms}
          running={migrate.running}
          error={migrate.error}
          onSubmit={(options) => void startMigration(options)}
          onClose={() => setDialogOpen(false)}
        />
      ) : null}
    </section>
  );
}
