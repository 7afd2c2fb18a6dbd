/** What JetStream's store holds on a server, and the most it may hold (its `max_file_store`). */
export interface JetStreamStorage {
  readonly usedBytes: number;
  readonly limitBytes: number;
}

const bytes = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Reads a `/jsz` answer of NATS's monitoring endpoint; undefined unless both figures are there. */
export function readJsz(body: unknown): JetStreamStorage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { storage, config } = body as { storage?: unknown; config?: unknown };
  const limit =
    typeof config === 'object' && config !== null
      ? (config as { max_storage?: unknown }).max_storage
      : undefined;
  // A limit of 0 would mean JetStream holds nothing on file: no ratio to watch.
  if (!bytes(storage) || !bytes(limit) || limit === 0) return undefined;
  return { usedBytes: storage, limitBytes: limit };
}

/**
 * Asks the server's monitoring endpoint. JetStream's account info cannot say this: it reports the
 * account's limit (-1, none), not the server's.
 */
export async function jetstreamStorage(monitorUrl: string): Promise<JetStreamStorage | undefined> {
  const answer = await fetch(new URL('/jsz', monitorUrl), { signal: AbortSignal.timeout(2000) });
  if (!answer.ok) return undefined;
  return readJsz(await answer.json());
}
