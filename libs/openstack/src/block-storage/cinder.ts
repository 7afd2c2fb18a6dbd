import { absentOn404 } from '../http/absent.ts';
import type { OpenStackSession } from '../identity/session.ts';

/** Block storage v3 microversion: filtering volumes by metadata needs 3.x resource filters. */
export const CINDER_MICROVERSION = '3.60';
const VERSION = { 'openstack-api-version': `volume ${CINDER_MICROVERSION}` };

export interface Volume {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly size: number;
  readonly bootable: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly volume_type?: string;
}

/** Cinder v3: the volume calls Ferry makes. */
export class Cinder {
  private readonly session: OpenStackSession;
  constructor(session: OpenStackSession) {
    this.session = session;
  }

  async createFromImage(volume: {
    name: string;
    sizeGb: number;
    imageId: string;
    /** A volume type id or name; absent: the cloud's default type. */
    volumeType?: string;
    metadata: Readonly<Record<string, string>>;
  }): Promise<Volume> {
    return (
      await this.session.call('block-storage', 'POST', '/volumes', {
        headers: VERSION,
        json: {
          volume: {
            name: volume.name,
            size: volume.sizeGb,
            imageRef: volume.imageId,
            ...(volume.volumeType ? { volume_type: volume.volumeType } : {}),
            metadata: volume.metadata,
          },
        },
      })
    ).json<{ volume: Volume }>().volume;
  }

  /** The volume types the project may use. */
  async volumeTypes(): Promise<{ readonly id: string; readonly name: string }[]> {
    return (await this.session.call('block-storage', 'GET', '/types', { headers: VERSION })).json<{
      volume_types: { id: string; name: string }[];
    }>().volume_types;
  }

  /** The project's volume quotas with their use: `{ volumes: { limit, in_use }, gigabytes: ... }`. */
  async quotaUsage(
    projectId: string,
  ): Promise<Readonly<Record<string, { limit: number; in_use: number; reserved?: number }>>> {
    const id = encodeURIComponent(projectId);
    return (
      await this.session.call('block-storage', 'GET', `/os-quota-sets/${id}?usage=true`, {
        headers: VERSION,
      })
    ).json<{ quota_set: Record<string, { limit: number; in_use: number; reserved?: number }> }>()
      .quota_set;
  }

  async volume(id: string): Promise<Volume | undefined> {
    return absentOn404(
      async () =>
        (
          await this.session.call('block-storage', 'GET', `/volumes/${encodeURIComponent(id)}`, {
            headers: VERSION,
          })
        ).json<{
          volume: Volume;
        }>().volume,
    );
  }

  /** Volumes whose metadata holds every pair given. */
  async volumesWithMetadata(metadata: Readonly<Record<string, string>>): Promise<Volume[]> {
    const query = new URLSearchParams({ metadata: JSON.stringify(metadata) }).toString();
    return (
      await this.session.call('block-storage', 'GET', `/volumes/detail?${query}`, {
        headers: VERSION,
      })
    ).json<{
      volumes: Volume[];
    }>().volumes;
  }

  async deleteVolume(id: string): Promise<boolean> {
    return (
      (await absentOn404(async () => {
        await this.session.call('block-storage', 'DELETE', `/volumes/${encodeURIComponent(id)}`, {
          headers: VERSION,
        });
        return true;
      })) ?? false
    );
  }
}
