import type { OpenStackSession } from '../identity/session.ts';

/** 1.32: `member_of` with `in:` and `!in:` (aggregates a candidate must be in, or not). */
const VERSION = { 'openstack-api-version': 'placement 1.32' };

/** Placement: whether some resource provider could take a server's resources now. */
export class Placement {
  private readonly session: OpenStackSession;
  constructor(session: OpenStackSession) {
    this.session = session;
  }

  /**
   * Whether any provider has room for `resources` (e.g. `{ VCPU: 1, MEMORY_MB: 512 }`), limited to
   * providers in (`in:`) or out of (`!in:`) the aggregates given.
   */
  async hasRoom(resources: Readonly<Record<string, number>>, memberOf: string): Promise<boolean> {
    const query = new URLSearchParams({
      resources: Object.entries(resources)
        .filter(([, amount]) => amount > 0)
        .map(([name, amount]) => `${name}:${amount}`)
        .join(','),
      member_of: memberOf,
      limit: '1',
    }).toString();
    return (
      (
        await this.session.call('placement', 'GET', `/allocation_candidates?${query}`, {
          headers: VERSION,
        })
      ).json<{ allocation_requests: unknown[] }>().allocation_requests.length > 0
    );
  }
}
