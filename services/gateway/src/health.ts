import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@ferry/contracts';
import { openstackHealth, type OpenStackHttp, type OpenStackSession } from '@ferry/openstack';
import type { Projections } from './read-model/projections.ts';

export interface HealthComponent {
  readonly kind: 'nats' | 'event-store' | 'vmware' | 'openstack';
  readonly name: string;
  readonly ok: boolean;
  readonly status: 'ok' | 'down' | 'not-configured';
  readonly latencyMs: number | null;
  readonly version: string | null;
  readonly url: string | null;
  readonly detail: string | null;
}

export interface OpenStackReport {
  /** The cloud's name in clouds.yaml; null when none is configured. */
  readonly cloud: string | null;
  readonly services: Awaited<ReturnType<typeof openstackHealth>>;
  readonly error: string | null;
}

/** How long an answer about OpenStack is reused: a busy console must not log in to Keystone per request. */
const OPENSTACK_CACHE_MS = 10_000;

/**
 * Each backend Ferry depends on. NATS and the event store are asked now; each VMware source is as
 * discovery last found it (the gateway holds no VMware credentials); OpenStack is asked at most
 * every 10 s.
 */
export class Health {
  private openstackCache: { at: number; report: Promise<OpenStackReport> } | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly projections: Projections,
    private readonly openstack: { session: OpenStackSession; http: OpenStackHttp },
  ) {}

  async components(): Promise<HealthComponent[]> {
    const [nats, store, openstack] = await Promise.all([
      this.nats(),
      this.eventStore(),
      this.openstackReport(),
    ]);
    return [nats, store, ...this.vmware(), ...openstackComponents(openstack)];
  }

  openstackReport(): Promise<OpenStackReport> {
    const now = Date.now();
    if (!this.openstackCache || now - this.openstackCache.at > OPENSTACK_CACHE_MS)
      this.openstackCache = { at: now, report: this.askOpenStack() };
    return this.openstackCache.report;
  }

  private async askOpenStack(): Promise<OpenStackReport> {
    let cloud: string;
    try {
      cloud = this.openstack.session.cloud.name;
    } catch (error) {
      return { cloud: null, services: [], error: (error as Error).message };
    }
    const services = await openstackHealth(this.openstack.session, this.openstack.http);
    return { cloud, services, error: null };
  }

  private async nats(): Promise<HealthComponent> {
    const base = { kind: 'nats', name: 'nats', url: this.nc.getServer() } as const;
    try {
      const latencyMs = await this.nc.rtt();
      return {
        ...base,
        ok: true,
        status: 'ok',
        latencyMs,
        version: this.nc.info?.version ?? null,
        detail: null,
      };
    } catch (error) {
      return {
        ...base,
        ok: false,
        status: 'down',
        latencyMs: null,
        version: null,
        detail: (error as Error).message,
      };
    }
  }

  private async eventStore(): Promise<HealthComponent> {
    const base = {
      kind: 'event-store',
      name: `JetStream stream ${STREAMS.events}`,
      url: null,
      version: null,
    } as const;
    const started = performance.now();
    try {
      const info = await (await jetstreamManager(this.nc)).streams.info(STREAMS.events);
      const lag = info.state.last_seq - this.projections.position;
      return {
        ...base,
        ok: true,
        status: 'ok',
        latencyMs: performance.now() - started,
        detail: `${info.state.messages} commits; projections at ${this.projections.position}${lag > 0 ? `, ${lag} behind` : ''}`,
      };
    } catch (error) {
      return {
        ...base,
        ok: false,
        status: 'down',
        latencyMs: null,
        detail: (error as Error).message,
      };
    }
  }

  private vmware(): HealthComponent[] {
    return this.projections.inventory.sourceStatuses().map((s) => ({
      kind: 'vmware',
      name: s.key,
      ok: s.reachable,
      status: s.reachable ? 'ok' : 'down',
      latencyMs: null,
      version: null,
      url: null,
      detail: s.reachable
        ? `${s.vmCount} VMs at the refresh of ${s.at}`
        : `unreachable at ${s.at}: ${s.error ?? ''}`,
    }));
  }
}

function openstackComponents(report: OpenStackReport): HealthComponent[] {
  if (report.cloud === null)
    return [
      {
        kind: 'openstack',
        name: 'openstack',
        ok: true,
        status: 'not-configured',
        latencyMs: null,
        version: null,
        url: null,
        detail: report.error,
      },
    ];
  return report.services.map((s) => ({
    kind: 'openstack',
    name: s.service,
    ok: s.reachable,
    status: s.reachable ? 'ok' : 'down',
    latencyMs: s.latencyMs ?? null,
    version: s.version ?? null,
    url: s.url ?? null,
    detail: s.error ?? null,
  }));
}
