import { useEffect, useId, useRef, useState, type FormEvent } from 'react';

import type { MigrationOptions, MigrationOptionsInput, Vm } from '../api/types.ts';
import {
  BOOT_MODES,
  DEFAULT_MIGRATE_FORM,
  formOf,
  migrationOptions,
  STRATEGIES,
  type MigrateForm,
} from './migrate-options.ts';
import { useShownFirst } from '../ui/show-more.tsx';
import { TextField } from '../ui/text-field.tsx';

/** The options of a migration, in a modal dialog; `onSubmit` resolves once the gateway answered. */
export function MigrateDialog({
  vms,
  running,
  error,
  onSubmit,
  onClose,
  retry,
}: {
  vms: readonly Pick<Vm, 'key' | 'name' | 'nics'>[];
  running: boolean;
  error: string | undefined;
  onSubmit: (options: MigrationOptionsInput) => void;
  onClose: () => void;
  /** Edit and retry: the form starts from the job's options, and submitting retries it. */
  retry?: { readonly options: MigrationOptions };
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<MigrateForm>(() =>
    retry ? formOf(retry.options) : DEFAULT_MIGRATE_FORM,
  );
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const nextRow = useRef(1);
  const titleId = useId();
  const networksId = useId();
  const names = useShownFirst(vms, 50);
  const sourceNetworks = [...new Set(vms.flatMap((vm) => vm.nics.map((n) => n.network)))].sort();

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = migrationOptions(form);
    if (!built.ok) {
      setInvalid(built.error);
      return;
    }
    setInvalid(undefined);
    onSubmit(built.options);
  };

  const setRow = (id: number, field: 'source' | 'target', value: string) =>
    setForm((f) => ({
      ...f,
      networks: f.networks.map((r) => (r.id === id ? { ...r, [field]: value } : r)),
    }));

  return (
    <dialog
      ref={dialog}
      className="migrate-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!running) onClose();
      }}
      data-testid="migrate-dialog"
    >
      <form onSubmit={submit}>
        <h2 id={titleId}>
          {retry ? 'Edit and retry: ' : 'Migrate '}
          {vms.length} VM{vms.length === 1 ? '' : 's'}
        </h2>
        <ul className="selected-vms" aria-label={retry ? 'VM to retry' : 'VMs to migrate'}>
          {names.shown.map((vm) => (
            <li key={vm.key}>{vm.name}</li>
          ))}
        </ul>
        {names.more}
        <div className="form-grid">
          <label>
            <span>Conversion strategy</span>
            <select
              value={form.strategy}
              onChange={(e) =>
                setForm({ ...form, strategy: e.target.value as MigrateForm['strategy'] })
              }
            >
              {STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Boot mode</span>
            <select
              value={form.bootMode}
              onChange={(e) =>
                setForm({ ...form, bootMode: e.target.value as MigrateForm['bootMode'] })
              }
            >
              {BOOT_MODES.map((b) => (
                <option key={b} value={b}>
                  {b === 'image'
                    ? 'image (boot from the Glance image)'
                    : b === 'volume'
                      ? 'volume (one Cinder volume per disk)'
                      : b}
                </option>
              ))}
            </select>
          </label>
          <TextField
            label="Flavor"
            value={form.flavor}
            placeholder="empty: the smallest that fits"
            onChange={(v) => setForm({ ...form, flavor: v })}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.keepMac}
              onChange={(e) => setForm({ ...form, keepMac: e.target.checked })}
            />
            <span>Keep MAC addresses</span>
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.keepIps}
              onChange={(e) => setForm({ ...form, keepIps: e.target.checked })}
            />
            <span>Keep IP addresses (DHCP where no subnet holds them)</span>
          </label>
          <TextField
            label="Availability zone"
            value={form.availabilityZone}
            placeholder="empty: the cloud's default"
            onChange={(v) => setForm({ ...form, availabilityZone: v })}
          />
          <TextField
            label="Security groups"
            value={form.securityGroups}
            placeholder="names or ids, comma-separated; empty: default"
            onChange={(v) => setForm({ ...form, securityGroups: v })}
          />
          <TextField
            label="Key pair"
            value={form.keyName}
            placeholder="empty: none"
            onChange={(v) => setForm({ ...form, keyName: v })}
          />
          <TextField
            label="Volume type"
            value={form.volumeType}
            placeholder="empty: the cloud's default"
            onChange={(v) => setForm({ ...form, volumeType: v })}
          />
          <TextField
            label="Server name"
            value={form.serverName}
            placeholder="{vm}, {job}, {source}; empty: the VM's name"
            onChange={(v) => setForm({ ...form, serverName: v })}
          />
        </div>

        <fieldset className="networks">
          <legend>Network mapping</legend>
          <datalist id={networksId}>
            {sourceNetworks.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
          {form.networks.length === 0 ? (
            <p className="muted">No mapping: each NIC goes to the default network.</p>
          ) : null}
          {form.networks.map((row, at) => (
            <div className="network-row" key={row.id}>
              <label>
                <span>Source network {at + 1}</span>
                <input
                  list={networksId}
                  value={row.source}
                  onChange={(e) => setRow(row.id, 'source', e.target.value)}
                />
              </label>
              <span aria-hidden="true">→</span>
              <label>
                <span>Target network {at + 1}</span>
                <input
                  value={row.target}
                  onChange={(e) => setRow(row.id, 'target', e.target.value)}
                />
              </label>
              <button
                type="button"
                className="secondary"
                aria-label={`Remove network mapping ${at + 1}`}
                onClick={() =>
                  setForm((f) => ({ ...f, networks: f.networks.filter((r) => r.id !== row.id) }))
                }
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() =>
              setForm((f) => ({
                ...f,
                networks: [...f.networks, { id: nextRow.current++, source: '', target: '' }],
              }))
            }
          >
            Add network mapping
          </button>
        </fieldset>

        {invalid || error ? (
          <p className="error-box" role="alert">
            {invalid ?? error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose} disabled={running}>
            Cancel
          </button>
          <button type="submit" disabled={running || vms.length === 0}>
            {running ? 'Starting…' : retry ? 'Retry with these options' : 'Start migration'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
