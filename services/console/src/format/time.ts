/** A timestamp as `YYYY-MM-DD HH:MM:SS` in the browser's zone (or UTC when asked). */
export function formatTime(iso: string | null | undefined, utc = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const part = utc
    ? [
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      ]
    : [
        date.getFullYear(),
        date.getMonth() + 1,
        date.getDate(),
        date.getHours(),
        date.getMinutes(),
        date.getSeconds(),
      ];
  const [y, mo, d, h, mi, s] = part.map((n) => String(n).padStart(2, '0'));
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** Only the time of day of a timestamp (`HH:MM:SS`), for tables where the day is plain. */
export function formatClock(iso: string | null | undefined, utc = false): string {
  const full = formatTime(iso, utc);
  return /^\d{4}-\d{2}-\d{2} /.test(full) ? full.slice(11) : full;
}
