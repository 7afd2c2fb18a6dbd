import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { SavedInventory } from './inventory-read-model.ts';
import type { JobEntry, SavedJobs } from './jobs-read-model.ts';
import type { SavedQuarantine } from './quarantine.ts';

const MAGIC = 'ferry-gateway-projections';
const FORMAT = 2;
/** Jobs per frame: a save yields to requests between frames, and a load copies a frame at a time. */
const JOBS_PER_FRAME = 1_000;
/** Each frame: its payload's length and CRC-32, then the payload (a v8-serialized value). */
const FRAME_HEAD = 8;

export interface SnapshotHeader {
  readonly magic: typeof MAGIC;
  readonly format: typeof FORMAT;
  /** The code that folded it: a save of other code is not taken back. */
  readonly version: string;
  /** The event store it was folded from. */
  readonly store: string;
  /** The position of the last commit folded into it. */
  readonly position: number;
  readonly jobs: number;
  readonly savedAt: string;
}

export interface Snapshot {
  readonly header: SnapshotHeader;
  readonly inventory: SavedInventory;
  readonly quarantine: SavedQuarantine;
  readonly jobs: SavedJobs;
}

export type SnapshotContent = Omit<Snapshot, 'header'> & {
  readonly header: Omit<SnapshotHeader, 'magic' | 'format' | 'jobs' | 'savedAt'>;
};

const frame = (value: unknown): Buffer => {
  const payload = serialize(value);
  const head = Buffer.alloc(FRAME_HEAD);
  head.writeUInt32BE(payload.length, 0);
  head.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
};

/**
 * Writes a save whole or not at all: to a file beside it, synced, then renamed over it. The jobs go
 * a frame at a time, yielding between frames, so requests are answered while a large save is made.
 */
export async function writeSnapshot(file: string, content: SnapshotContent): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  const handle = await open(partial, 'w', 0o600);
  let bytes = 0;
  try {
    const write = async (value: unknown) => {
      const data = frame(value);
      await handle.write(data);
      bytes += data.length;
    };
    const header: SnapshotHeader = {
      magic: MAGIC,
      format: FORMAT,
      ...content.header,
      jobs: content.jobs.entries.length,
      savedAt: new Date().toISOString(),
    };
    await write(header);
    await write(content.inventory);
    await write(content.quarantine);
    const { dictionary, entries } = content.jobs;
    await write(dictionary);
    for (let i = 0; i < entries.length; i += JOBS_PER_FRAME)
      await write(entries.slice(i, i + JOBS_PER_FRAME));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(partial, { force: true });
    throw error;
  }
  await handle.close();
  await rename(partial, file);
  const folder = await open(dirname(file), 'r');
  await folder.sync().finally(() => folder.close());
  return bytes;
}

/** Reads the header alone: whether a save can be taken back is known before the rest is read. */
export async function readSnapshotHeader(file: string): Promise<SnapshotHeader | undefined> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(FRAME_HEAD);
    await handle.read(head, 0, FRAME_HEAD, 0);
    const length = head.readUInt32BE(0);
    if (length > 64 * 1024) throw new Error('not a save of the gateway projections');
    const payload = Buffer.alloc(length);
    await handle.read(payload, 0, payload.length, FRAME_HEAD);
    return headerOf(checked(payload, head.readUInt32BE(4)));
  } finally {
    await handle.close();
  }
}

/** The whole save, a frame at a time; throws when it is not one (torn, damaged, of another format). */
export async function readSnapshot(file: string): Promise<Snapshot> {
  const handle = await open(file, 'r');
  const frames: unknown[] = [];
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(FRAME_HEAD);
    for (let at = 0; at < size;) {
      if ((await handle.read(head, 0, FRAME_HEAD, at)).bytesRead < FRAME_HEAD)
        throw new Error('the save ends inside a frame');
      // A buffer per frame: the packed views of its jobs point into it, and keep only it alive.
      const payload = Buffer.allocUnsafeSlow(head.readUInt32BE(0));
      if (
        (await handle.read(payload, 0, payload.length, at + FRAME_HEAD)).bytesRead < payload.length
      )
        throw new Error('the save ends inside a frame');
      frames.push(deserialize(checked(payload, head.readUInt32BE(4))));
      at += FRAME_HEAD + payload.length;
    }
  } finally {
    await handle.close();
  }
  const [header, inventory, quarantine, dictionary, ...batches] = frames;
  const parsed = headerOf(header);
  const entries = (batches as JobEntry[][]).flat();
  if (entries.length !== parsed.jobs)
    throw new Error(`the save holds ${entries.length} jobs, its header says ${parsed.jobs}`);
  return {
    header: parsed,
    inventory: inventory as SavedInventory,
    quarantine: quarantine as SavedQuarantine,
    jobs: { dictionary: dictionary as Buffer | null, entries },
  };
}

function checked(payload: Buffer, crc: number): Buffer {
  if (crc32(payload) !== crc) throw new Error('a frame of the save is damaged (CRC-32)');
  return payload;
}

function headerOf(value: unknown): SnapshotHeader {
  const header = (value instanceof Buffer ? deserialize(value) : value) as Partial<SnapshotHeader>;
  if (header?.magic !== MAGIC) throw new Error('not a save of the gateway projections');
  if (header.format !== FORMAT)
    throw new Error(`a save of format ${String(header.format)}, not ${FORMAT}`);
  return header as SnapshotHeader;
}
