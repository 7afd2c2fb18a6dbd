/** One `--machine-readable` record of virt-v2v: a JSON object per line on stdout. */
export interface V2vMessage {
  readonly type: 'message' | 'warning' | 'info' | 'error' | string;
  readonly message: string;
}

/** Reads virt-v2v's stdout: JSON records among the human `[  t.t] ...` lines, which are skipped. */
export function v2vMessages(onMessage: (m: V2vMessage) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const text = line.trim();
      if (!text.startsWith('{')) continue;
      try {
        const record = JSON.parse(text) as Partial<V2vMessage>;
        if (typeof record.message === 'string')
          onMessage({ type: record.type ?? 'message', message: record.message });
      } catch {
        // not a record: a human line that happens to start with a brace
      }
    }
  };
}

/**
 * Reads the disk-copy progress virt-v2v's nbdcopy draws on stderr (`▝ 42% [****-----]`, CR-separated),
 * for the disk named by the last "Copying disk N/M" message. Never goes backwards within a disk.
 */
export function v2vCopyProgress(
  currentDisk: () => number,
  onProgress: (disk: number, percent: number) => void,
): (chunk: string) => void {
  let pending = '';
  const last = new Map<number, number>();
  return (chunk) => {
    pending += chunk;
    const records = pending.split(/[\r\n]/);
    pending = records.pop() ?? '';
    for (const record of records) {
      const match = /(\d{1,3})% \[/.exec(record);
      if (!match) continue;
      const disk = currentDisk();
      const percent = Number(match[1]);
      if (percent > (last.get(disk) ?? -1)) {
        last.set(disk, percent);
        onProgress(disk, percent);
      }
    }
  };
}
