import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CheckpointStore } from '../projection.ts';

export const CHECKPOINT_BUCKET = 'FERRY_CHECKPOINTS';

/** Projection checkpoints in a NATS KV bucket: one key per projection. */
export class KvCheckpointStore implements CheckpointStore {
  private readonly kv: Promise<KV>;

  constructor(nc: NatsConnection, options: { bucket?: string; replicas?: number } = {}) {
    this.kv = new Kvm(nc).create(options.bucket ?? CHECKPOINT_BUCKET, {
      history: 1,
      replicas: options.replicas ?? 1,
    });
  }

  async load(projection: string): Promise<number> {
    const entry = await (await this.kv).get(projection);
    return entry && entry.operation === 'PUT' ? Number(entry.string()) : 0;
  }

  async store(projection: string, position: number): Promise<void> {
    await (await this.kv).put(projection, String(position));
  }
}
