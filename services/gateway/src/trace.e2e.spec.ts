import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanLine } from '@ferry/observability';
import { PIPELINE_SERVICES, startPipeline, type Pipeline } from '@ferry/pipeline-testing';
import { eventually } from '@ferry/testing';
import { dataOf, startGatewayProcess, type GatewayProcess } from './testing/gateway-client.ts';

const MIGRATE = `mutation($keys: [ID!]!, $options: MigrationOptionsInput) {
  migrate(vmKeys: $keys, options: $options) { commandId jobs { jobId vmKey } } }`;
const STATE = `query($id: ID!) { migration(id: $id) { state } }`;

/**
 * One migration is one trace: every service writes its spans to a file of its own
 * (FERRY_TRACE_FILE), and the spans of a VM migrated through the gateway, with real qemu-img and the
 * loopback OpenStack, share the trace id of the GraphQL mutation that started it.
 */
describe('tracing one migration from the GraphQL mutation to the ACTIVE server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-traces-'));
  let p: Pipeline;
  let gateway: GatewayProcess;
  const jobIds: string[] = [];

  /** Every span every service wrote so far. */
  const spans = (): SpanLine[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as SpanLine),
      );

  beforeAll(async () => {
    p = await startPipeline({ FERRY_TRACE_FILE: join(dir, 'traces-{service}.jsonl') });
    for (const name of PIPELINE_SERVICES) p.start(name);
    gateway = await startGatewayProcess(p.env);
  }, 600_000);
  afterAll(async () => {
    if (p && jobIds.length > 0) p.removeResourcesOf(jobIds);
    await gateway?.process.stop();
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds spans from the gateway, jobs, conversion, image and compute in one trace id', async () => {
    p.writeVm('traced-vm');
    const key = await p.discovered('traced-vm');
    const { migrate } = await dataOf(gateway, MIGRATE, {
      keys: [key],
      options: { strategy: 'qemu-img' },
    });
    const jobId = migrate.jobs[0].jobId as string;
    jobIds.push(jobId);
    await eventually(
      async () => (await dataOf(gateway, STATE, { id: jobId })).migration?.state === 'VERIFIED',
      `${jobId} VERIFIED`,
      { timeoutMs: 300_000, intervalMs: 250 },
    );

    const mutation = spans().find(
      (s) => s.service === 'gateway' && s.name === 'graphql.mutation migrate',
    );
    expect(mutation, 'the mutation span').toBeDefined();
    const traceId = mutation?.traceId as string;
    const inTrace = () => spans().filter((s) => s.traceId === traceId);
    // The verification's span ends once its command is acked, a moment after the job reads VERIFIED.
    await eventually(
      async () => inTrace().some((s) => s.name === 'ferry.cmd.compute.verify'),
      'the verification span',
      { timeoutMs: 10_000 },
    );
    const trace = inTrace();
    const services = new Set(trace.map((s) => s.service));
    for (const service of ['gateway', 'jobs', 'conversion', 'image', 'compute'])
      expect(services, service).toContain(service);

    // The mutation is the root; every other span's parent is in the same trace: one tree.
    expect(mutation?.parentSpanId).toBeNull();
    const ids = new Set(trace.map((s) => s.spanId));
    const orphans = trace.filter(
      (s) => s.spanId !== mutation?.spanId && !ids.has(s.parentSpanId ?? ''),
    );
    expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([]);

    const named = (service: string, name: string) =>
      trace.filter((s) => s.service === service && s.name === name);
    // A span per command handled, with its job, id, delivery and outcome.
    for (const [service, subject] of [
      ['jobs', 'ferry.cmd.migration.create'],
      ['conversion', 'ferry.cmd.conversion.convert'],
      ['image', 'ferry.cmd.image.upload'],
      ['compute', 'ferry.cmd.compute.deploy'],
      ['compute', 'ferry.cmd.compute.verify'],
    ] as const) {
      const handled = named(service, subject);
      expect(handled.length, subject).toBeGreaterThan(0);
      expect(handled.at(-1)).toMatchObject({
        kind: 'CONSUMER',
        attributes: { 'ferry.outcome': 'ack', 'ferry.delivery_count': 1 },
      });
      expect(handled.at(-1)?.attributes['ferry.command.id']).toEqual(expect.any(String));
      if (subject !== 'ferry.cmd.migration.create')
        expect(handled.at(-1)?.attributes['ferry.job.id']).toBe(jobId);
    }
    // External calls: qemu-img in conversion, OpenStack requests in image and compute.
    const qemu = trace.filter((s) => s.service === 'conversion' && s.name.startsWith('qemu-img'));
    expect(qemu.map((s) => s.name)).toContain('qemu-img convert');
    expect(qemu.every((s) => s.status !== 'ERROR')).toBe(true);
    const openstack = (service: string) =>
      trace.filter((s) => s.service === service && s.name.startsWith('openstack '));
    expect(openstack('image').map((s) => s.name)).toEqual(
      expect.arrayContaining(['openstack glance POST']),
    );
    expect(openstack('compute').map((s) => s.name)).toEqual(
      expect.arrayContaining(['openstack nova POST', 'openstack nova GET']),
    );
    for (const request of [...openstack('image'), ...openstack('compute')])
      expect(request.attributes['http.response.status_code'], request.name).toEqual(
        expect.any(Number),
      );
    // The ACTIVE check: the verify command's requests to Nova are its children.
    const verify = named('compute', 'ferry.cmd.compute.verify').at(-1);
    expect(
      trace.some((s) => s.parentSpanId === verify?.spanId && s.name === 'openstack nova GET'),
    ).toBe(true);
    // Nothing of another migration: every job id named in the trace is this one.
    const jobsNamed = new Set(trace.map((s) => s.attributes['ferry.job.id']).filter(Boolean));
    expect([...jobsNamed]).toEqual([jobId]);
    expect(existsSync(join(dir, 'traces-gateway.jsonl'))).toBe(true);
  });
});
