import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

let warned = false;

/** Empties the page cache (root only), so a run reads its input from the disk. */
export function dropCaches(): void {
  execFileSync('sync');
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    if (!warned)
      process.stderr.write('bench: cannot drop the page cache (not root): runs start warm\n');
    warned = true;
  }
}
