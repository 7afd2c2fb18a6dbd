import type { Readable } from 'node:stream';
import { absentOn404 } from '../http/absent.ts';
import type { OpenStackSession } from '../identity/session.ts';

export interface GlanceImage {
  readonly id: string;
  readonly name: string;
  readonly status:
    | 'queued'
    | 'saving'
    | 'active'
    | 'killed'
    | 'deleted'
    | 'pending_delete'
    | 'deactivated'
    | 'uploading'
    | 'importing';
  readonly checksum: string | null;
  readonly os_hash_algo: string | null;
  readonly os_hash_value: string | null;
  readonly size: number | null;
  readonly disk_format: string | null;
  readonly tags: readonly string[];
  readonly [property: string]: unknown;
}

export interface NewImage {
  readonly name: string;
  readonly diskFormat: 'qcow2' | 'raw';
  readonly containerFormat?: 'bare';
  readonly tags?: readonly string[];
  /** Extra properties (`hw_firmware_type`, `ferry_job_id`, ...): strings, as Glance keeps them. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly minDiskGb?: number;
}

/** Glance v2: the image calls Ferry makes. */
export class Glance {
  private readonly session: OpenStackSession;
  constructor(session: OpenStackSession) {
    this.session = session;
  }

  async create(image: NewImage): Promise<GlanceImage> {
    const response = await this.session.call('image', 'POST', '/v2/images', {
      json: {
        name: image.name,
        disk_format: image.diskFormat,
        container_format: image.containerFormat ?? 'bare',
        visibility: 'private',
        tags: image.tags ?? [],
        ...(image.minDiskGb !== undefined ? { min_disk: image.minDiskGb } : {}),
        ...image.properties,
      },
    });
    return response.json<GlanceImage>();
  }

  /** Streams the image's data; not retried here (a half-sent upload needs a new image). */
  async upload(
    id: string,
    data: () => Readable | AsyncIterable<Uint8Array>,
    sizeBytes: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.session.call('image', 'PUT', `/v2/images/${encodeURIComponent(id)}/file`, {
      stream: data,
      headers: { 'content-length': String(sizeBytes) },
      retries: 0,
      ...(signal ? { signal } : {}),
    });
  }

  /** Adds or replaces properties of an image, whatever its status (JSON patch). */
  async setProperties(id: string, properties: Readonly<Record<string, string>>): Promise<void> {
    await this.session.call('image', 'PATCH', `/v2/images/${encodeURIComponent(id)}`, {
      json: Object.entries(properties).map(([name, value]) => ({
        op: 'add',
        path: `/${name}`,
        value,
      })),
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
  }

  /** The image, or undefined when Glance does not know it. */
  async get(id: string): Promise<GlanceImage | undefined> {
    return absentOn404(async () =>
      (
        await this.session.call('image', 'GET', `/v2/images/${encodeURIComponent(id)}`)
      ).json<GlanceImage>(),
    );
  }

  /** Every image matching the filters (a tag, properties), all pages. */
  async list(filters: Readonly<Record<string, string>>): Promise<GlanceImage[]> {
    const out: GlanceImage[] = [];
    let next: string | undefined =
      `/v2/images?${new URLSearchParams({ ...filters, limit: '100' }).toString()}`;
    while (next) {
      const page: { images: GlanceImage[]; next?: string } = (
        await this.session.call('image', 'GET', next)
      ).json();
      out.push(...page.images);
      next = page.next;
    }
    return out;
  }

  /** Deletes an image; true when it was there. */
  async delete(id: string): Promise<boolean> {
    return (
      (await absentOn404(async () => {
        await this.session.call('image', 'DELETE', `/v2/images/${encodeURIComponent(id)}`);
        return true;
      })) ?? false
    );
  }
}
