/** A duration in ms, short and steady: `850 ms`, `4.2 s`, `3 min 04 s`, `2 h 05 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} min ${pad(totalSeconds % 60)} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${pad(totalMinutes % 60)} min`;
}

/** How long a stage has taken: its recorded duration, or the time since it started while running. */
export function stageDuration(
  stage: { readonly startedAt: string; readonly durationMs: number | null },
  now: number,
): number | null {
  if (stage.durationMs != null) return stage.durationMs;
  const started = Date.parse(stage.startedAt);
  return Number.isNaN(started) ? null : Math.max(0, now - started);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
