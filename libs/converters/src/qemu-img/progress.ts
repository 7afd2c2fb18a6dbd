/**
 * Reads `qemu-img convert -p` output: `    (42.04/100%)` records separated by carriage returns,
 * possibly split across chunks. Calls back with each new, higher percentage; never a lower one.
 */
export function qemuImgProgress(onPercent: (percent: number) => void): (chunk: string) => void {
  let pending = '';
  let last = -1;
  return (chunk) => {
    pending += chunk;
    const records = pending.split(/[\r\n]/);
    pending = records.pop() ?? '';
    for (const record of records) {
      const match = /\((\d+(?:\.\d+)?)\/100%\)/.exec(record);
      const percent = match ? Number(match[1]) : NaN;
      if (percent > last) {
        last = percent;
        onPercent(percent);
      }
    }
  };
}
