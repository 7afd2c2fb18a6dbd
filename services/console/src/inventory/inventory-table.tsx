import { useEffect, useRef } from 'react';

import type { Vm } from '../api/types.ts';
import { formatBytes, formatMemoryMiB } from '../format/bytes.ts';
import { jobHref } from '../router/route.ts';
import { useShownFirst } from '../ui/show-more.tsx';
import { StateBadge } from '../ui/state-badge.tsx';

/** Rows rendered at first (and added by each "show more"): a fleet's inventory stays quick to render. */
const ROWS_SHOWN = 200;

export function InventoryTable({
  vms,
  selected,
  onToggle,
  onToggleAll,
}: {
  vms: readonly Vm[];
  selected: ReadonlySet<string>;
  onToggle: (key: string) => void;
  onToggleAll: (select: boolean) => void;
}) {
  const { shown, more } = useShownFirst(vms, ROWS_SHOWN);
  const shownSelected = vms.filter((vm) => selected.has(vm.key)).length;
  const all = vms.length > 0 && shownSelected === vms.length;
  const some = shownSelected > 0 && !all;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = some;
  }, [some]);

  return (
    <div className="table-scroll">
      <table className="data inventory" data-testid="inventory-table">
        <caption className="visually-hidden">Discovered VMs</caption>
        <thead>
          <tr>
            <th scope="col" className="select">
              <input
                ref={selectAll}
                type="checkbox"
                aria-label={`Select all ${vms.length} VMs the filter shows`}
                checked={all}
                disabled={vms.length === 0}
                onChange={(e) => onToggleAll(e.target.checked)}
              />
            </th>
            <th scope="col">Name</th>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              CPUs
            </th>
            <th scope="col" className="num">
              Memory
            </th>
            <th scope="col">Disks</th>
            <th scope="col">NICs</th>
            <th scope="col">Firmware</th>
            <th scope="col">Guest OS</th>
            <th scope="col">Power</th>
            <th scope="col">Active job</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((vm) => (
            <VmRow key={vm.key} vm={vm} selected={selected.has(vm.key)} onToggle={onToggle} />
          ))}
        </tbody>
      </table>
      {more}
    </div>
  );
}

function VmRow({
  vm,
  selected,
  onToggle,
}: {
  vm: Vm;
  selected: boolean;
  onToggle: (key: string) => void;
}) {
  return (
    <tr
      data-testid="vm-row"
      data-vm-key={vm.key}
      data-vm-name={vm.name}
      data-stale={vm.stale}
      className={selected ? 'selected' : undefined}
    >
      <td className="select">
        <input
          type="checkbox"
          aria-label={`Select ${vm.name}`}
          checked={selected}
          onChange={() => onToggle(vm.key)}
        />
      </td>
      <th scope="row" className="vm-name">
        <span className="name">{vm.name}</span>
        {vm.stale ? (
          <span
            className="pill warn"
            title="Its source does not answer: this is what was last seen"
            data-testid="stale"
          >
            stale
          </span>
        ) : null}
        {vm.hasSnapshots ? <span className="pill neutral">snapshots</span> : null}
        <span className="key muted">{vm.key}</span>
        {vm.problems.length > 0 ? (
          <ul className="problems" aria-label={`Problems of ${vm.name}`}>
            {vm.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
      </th>
      <td>
        <code className="source-key">{vm.source.key}</code>
        {vm.labels.length > 0 ? (
          <ul className="labels" aria-label="Labels">
            {vm.labels.map((l) => (
              <li key={`${l.key}=${l.value}`} className="label-chip">
                {l.key}: {l.value}
              </li>
            ))}
          </ul>
        ) : null}
      </td>
      <td className="num">{vm.cpus}</td>
      <td className="num">{formatMemoryMiB(vm.memoryMiB)}</td>
      <td>
        <ul className="plain">
          {vm.disks.map((d) => (
            <li key={d.index} title={d.path}>
              <span className="num">{formatBytes(d.capacityBytes)}</span>{' '}
              <span className="muted">{d.slot || d.controller}</span>
            </li>
          ))}
        </ul>
        {vm.disks.length > 1 ? (
          <span className="muted num">total {formatBytes(vm.totalDiskBytes)}</span>
        ) : null}
      </td>
      <td>
        <ul className="plain">
          {vm.nics.map((n) => (
            <li key={n.index} title={n.mac ?? undefined}>
              {n.network}
              {n.addresses.length > 0 ? (
                <span className="muted num"> {n.addresses.join(', ')}</span>
              ) : null}
            </li>
          ))}
        </ul>
      </td>
      <td>
        {vm.firmware}
        {vm.secureBoot ? <span className="muted"> (secure boot)</span> : null}
      </td>
      <td className="wrap">{vm.guestOs}</td>
      <td>
        <span className={`power power-${vm.powerState}`}>{vm.powerState}</span>
      </td>
      <td data-testid="active-job">
        {vm.activeJob ? (
          <a
            href={jobHref(vm.activeJob.id)}
            data-job-id={vm.activeJob.id}
            aria-label={`Active job ${vm.activeJob.id} of ${vm.name}`}
          >
            <StateBadge state={vm.activeJob.state} />
          </a>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}
