import { mkdir, readdir, readFile, rm, stat, statfs, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConversionError, qemuImgInfo } from '@ferry/converters';
import { allocatedSize } from './artifacts.ts';
import { spaceDecision, withOverhead, type Reservation } from './space-ledger.ts';

/** Where conversions say what they reserved: a file per job, its mtime kept fresh while it runs. */
const LEDGER = '.reservations';
const LOCK = '.lock';
/** A reservation its holder stopped refreshing: the holder died, its space is not coming. */
const STALE_MS = 120_000;
const REFRESH_MS = 30_000;

export interface SpaceWait {
  readonly signal: AbortSignal;
  /** Called while it waits: the stage's lease is renewed. */
  readonly progress: () => void;
  /** Told once, when it has to wait for conversions in flight. */
  readonly onWait: (message: string) => void;
  readonly pollMs?: number;
}

/**
 * Reserves room in the output folder for a job's conversion (its disks' data, and qcow2's tables)
 * before anything is written, so that two conversions that cannot both fit never both start and
 * die on ENOSPC: the second waits while others are in flight, then starts, or fails plainly with
 * `no-space` when nothing in flight can make room. Returns what releases the reservation.
 */
export async function reserveSpace(
  outputDir: string,
  jobId: string,
  sources: readonly {
    readonly path: string;
    readonly sourceFormat?: 'raw';
    readonly singleFile?: boolean;
  }[],
  { signal, progress, onWait, pollMs = 5_000 }: SpaceWait,
): Promise<() => Promise<void>> {
  let data = 0;
  // A source read over HTTP has no allocated size to ask: its virtual size bounds it from above.
  let bounded = false;
  for (const source of sources) {
    // One file: its allocated size is what qemu-img would say, without a process and a cold read
    // before the conversion (one it cannot stat, qemu-img tells why).
    const size = source.singleFile
      ? await allocatedSize(source.path).catch(() => undefined)
      : undefined;
    if (size !== undefined) {
      data += size;
      continue;
    }
    const info = await qemuImgInfo(source.path, source.sourceFormat ?? 'vmdk');
    bounded ||= !Number.isSafeInteger(info.actualSize);
    data += Number.isSafeInteger(info.actualSize) ? info.actualSize : info.virtualSize;
  }
  const need = withOverhead(data);
  const ledger = join(outputDir, LEDGER);
  await mkdir(ledger, { recursive: true });
  const own = join(ledger, jobId);
  for (let told = false; ;) {
    const { decision, free, inFlight } = await locked(ledger, async () => {
      const fs = await statfs(outputDir);
      const free = fs.bavail * fs.bsize;
      const inFlight = await othersInFlight(outputDir, ledger, jobId);
      const decided = spaceDecision(need, free, inFlight);
      // Only a bound, and nobody else writing: the data may well fit; qemu-img says if it does not.
      const decision = decided === 'never' && bounded ? 'start' : decided;
      if (decision === 'start') await writeFile(own, JSON.stringify({ reserved: need }));
      return { decision, free, inFlight };
    });
    if (decision === 'start') {
      const keep = setInterval(() => {
        const now = new Date();
        void utimes(own, now, now).catch(() => undefined);
      }, REFRESH_MS);
      return async () => {
        clearInterval(keep);
        await rm(own, { force: true });
      };
    }
    if (decision === 'never')
      throw new ConversionError(
        'no-space',
        `${outputDir} has ${free} bytes free; the disks need ${need} (${data} of data, and room for qcow2's tables), and no other conversion is running that could free any: make room in MIGRATION_OUTPUT_DIR, then retry`,
        ['qemu-img', 'info'],
      );
    if (!told) {
      told = true;
      onWait(
        `waiting for room in ${outputDir}: ${need} bytes needed, ${free} free, ${inFlight.length} other conversion(s) still writing`,
      );
    }
    progress();
    await sleep(pollMs, undefined, { signal });
  }
}

async function othersInFlight(
  outputDir: string,
  ledger: string,
  jobId: string,
): Promise<Reservation[]> {
  const inFlight: Reservation[] = [];
  for (const name of await readdir(ledger)) {
    if (name === jobId || name === LOCK) continue;
    const file = join(ledger, name);
    try {
      if (Date.now() - (await stat(file)).mtimeMs > STALE_MS) {
        await rm(file, { force: true });
        continue;
      }
      const { reserved } = JSON.parse(await readFile(file, 'utf8')) as { reserved: number };
      inFlight.push({ reserved, written: await allocated(join(outputDir, name)) });
    } catch (error) {
      // Released meanwhile: it is no longer in flight.
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
  return inFlight;
}

/** The bytes a folder's files hold on disk. */
async function allocated(dir: string): Promise<number> {
  let sum = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries)
    if (entry.isFile())
      sum += await allocatedSize(join(entry.parentPath, entry.name)).catch(() => 0);
  return sum;
}

/** Runs `fn` holding the ledger's lock (a folder: made atomically), taking over one left by a dead holder. */
async function locked<T>(ledger: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(ledger, LOCK);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > 10_000)
        await rm(lock, { recursive: true, force: true });
      else await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
