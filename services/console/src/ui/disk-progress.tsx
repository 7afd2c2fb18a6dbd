import type { DiskProgress } from '../api/types.ts';
import { formatBytes } from '../format/bytes.ts';

function percentText(percent: number): string {
  return `${Math.floor(Math.max(0, Math.min(100, percent)))}%`;
}

/** One fixed-width progress bar per disk, with its percentage (and bytes done when `detailed`). */
export function DiskProgressList({
  disks,
  detailed = false,
}: {
  disks: readonly DiskProgress[];
  detailed?: boolean;
}) {
  if (disks.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="disk-progress" data-testid="disk-progress">
      {disks.map((disk) => {
        const label = `Disk ${disk.diskIndex} conversion`;
        return (
          <li key={disk.diskIndex} data-disk={disk.diskIndex} data-percent={disk.percent}>
            <span className="disk-label">disk {disk.diskIndex}</span>
            <progress
              aria-label={label}
              max={100}
              value={Math.max(0, Math.min(100, disk.percent))}
            />
            <span className="num percent">{percentText(disk.percent)}</span>
            {detailed ? (
              <span className="num muted">
                {disk.bytesDone != null ? `${formatBytes(disk.bytesDone)} / ` : ''}
                {formatBytes(disk.capacityBytes)}
              </span>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
