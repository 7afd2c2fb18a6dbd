import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS } from '@ferry/contracts';
import { natsWithStreams } from '@ferry/stages/testing';
import { loopbackOpenStack, vmdkOf, writeDataImage } from '@ferry/testing';
import type { Finding } from './doctor.ts';
import { ferry } from './testing/run-ferry.ts';

const doctor = async (env: Record<string, string>) => {
  const result = await ferry(['doctor', '--json'], { HOME: process.env.HOME ?? '/root', ...env });
  const { findings } = JSON.parse(result.stdout) as { findings: Finding[] };
  return { code: result.code, byCheck: new Map(findings.map((f) => [f.check, f])), findings };
};

describe('ferry doctor', () => {
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-doctor-'));

  beforeAll(async () => {
    nats = await natsWithStreams();
    const vm = join(dir, 'vms', 'doc1');
    mkdirSync(vm, { recursive: true });
    writeDataImage(join(vm, 'doc1.raw'), 1024 * 1024);
    vmdkOf(join(vm, 'doc1.raw'), join(vm, 'doc1.vmdk'));
    rmSync(join(vm, 'doc1.raw'));
    writeFileSync(
      join(vm, 'doc1.vmx'),
      'displayName = "doc1"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "doc1.vmdk"\n',
    );
  }, 60_000);
  afterAll(async () => {
    await nats?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds everything in order on a machine set up for Ferry', async () => {
    const { code, byCheck, findings } = await doctor({
      NATS_URL: nats.server.url,
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      VMWARE_WORKSTATION_PATHS: join(dir, 'vms'),
      ENABLE_OPENSTACK_DEPLOYMENT: 'true',
      ...loopbackOpenStack().env,
    });
    expect(findings.filter((f) => f.status === 'missing')).toEqual([]);
    expect(code).toBe(0);
    expect(byCheck.get('nats-server')?.detail).toMatch(/^nats-server: v2\.\d+/);
    expect(byCheck.get('NATS JetStream')?.detail).toMatch(
      new RegExp(`JetStream with ${Object.keys(STREAMS).length} streams$`),
    );
    expect(byCheck.get('qemu-img')?.detail).toMatch(/^qemu-img version \d/);
    expect(byCheck.get('virt-v2v')?.detail).toMatch(/^virt-v2v \d/);
    expect(['ok', 'warning']).toContain(byCheck.get('KVM')?.status);
    expect(byCheck.get('MIGRATION_OUTPUT_DIR')?.detail).toMatch(/GiB free$/);
    for (const service of ['keystone', 'glance', 'nova', 'neutron'])
      expect(byCheck.get(`OpenStack ${service}`)?.status).toBe('ok');
    expect(byCheck.get('VMware workstation')).toMatchObject({
      status: 'ok',
      detail: `${join(dir, 'vms')}: 1 VMs`,
    });
  });

  it('names what is missing and how to fix it, and exits 1', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const { code, byCheck } = await doctor({
      NATS_URL: 'nats://127.0.0.1:1',
      // Under a file: no folder can be made there, whoever runs the test.
      MIGRATION_OUTPUT_DIR: join(dir, 'a-file', 'out'),
      VMWARE_ESXI_HOST: 'https://127.0.0.1:1',
      VMWARE_ESXI_USERNAME: 'u',
      VMWARE_ESXI_PASSWORD: 'doctor-pw',
      ENABLE_OPENSTACK_DEPLOYMENT: 'true',
      OPENSTACK_CLOUD_NAME: 'no-such-cloud',
    });
    expect(code).toBe(1);
    expect(byCheck.get('NATS JetStream')).toMatchObject({
      status: 'missing',
      fix: expect.stringMatching(/npm start runs its own/),
    });
    expect(byCheck.get('MIGRATION_OUTPUT_DIR')).toMatchObject({
      status: 'missing',
      fix: expect.stringMatching(/^set MIGRATION_OUTPUT_DIR/),
    });
    expect(byCheck.get('OpenStack')).toMatchObject({
      status: 'missing',
      detail: expect.stringMatching(/no-such-cloud/),
    });
    expect(byCheck.get('VMware esxi')).toMatchObject({ status: 'missing' });
    expect(JSON.stringify([...byCheck.values()])).not.toContain('doctor-pw');
  });

  it('shows the same findings as text for a person: one line each, the fix beneath', async () => {
    const env = {
      HOME: process.env.HOME ?? '/root',
      NATS_URL: 'nats://127.0.0.1:1',
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
    };
    const text = await ferry(['doctor'], env);
    const { code, findings } = await doctor(env);
    expect(text.code).toBe(code);
    const lines = text.stdout.trimEnd().split('\n');
    for (const f of findings) {
      const at = lines.findIndex((l) =>
        l.startsWith(`${f.status.padEnd(8)} ${f.check.padEnd(22)} `),
      );
      expect(at, f.check).toBeGreaterThanOrEqual(0);
      if (f.fix) expect(lines[at + 1]?.trim(), f.check).toBe(`fix: ${f.fix}`);
    }
    expect(text.stdout).toMatch(/^missing +NATS JetStream +/m);
  });

  it('without sources or a cloud, says what a dry run needs is there', async () => {
    const { byCheck } = await doctor({
      NATS_URL: nats.server.url,
      MIGRATION_OUTPUT_DIR: join(dir, 'out'),
      OPENSTACK_CLOUD_NAME: 'no-such-cloud',
    });
    expect(byCheck.get('OpenStack')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/deployment is a dry run/),
    });
    expect(byCheck.get('VMware')).toMatchObject({
      status: 'warning',
      fix: expect.stringMatching(/VMWARE_WORKSTATION_PATHS/),
    });
  });
});
