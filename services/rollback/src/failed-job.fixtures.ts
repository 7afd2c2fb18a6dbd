// For the rollback tests: a failed job whose resources really exist in the loopback OpenStack and on disk.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationEvent, Resource, VmDescription } from '@ferry/contracts';
import type { EventStore } from '@ferry/event-store';
import { failedJob, testVm } from '@ferry/stages/testing';
import { FERRY_TAG, jobMarks, jobPortName, jobTag, type Nova } from '@ferry/openstack';
import { eventually, type LoopbackOpenStack } from '@ferry/testing';

const MiB = 1024 * 1024;

export const vmOf = (jobId: string): VmDescription => ({
  ...testVm,
  key: `ws-${jobId}`,
  name: jobId,
  disks: [
    { index: 0, controller: 'scsi', slot: 'scsi0:0', path: '/src/0.vmdk', capacityBytes: 64 * MiB },
  ],
  nics: [{ index: 0, mac: null, macKind: 'generated', network: 'VM Network' }],
});

/** The job's folder as a conversion leaves it: the disk, a partial one, the manifest. */
export function jobFolder(outputDir: string, jobId: string): { folder: string; disk: string } {
  const folder = join(outputDir, jobId);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'disk-0.qcow2'), 'converted');
  writeFileSync(join(folder, 'disk-1.qcow2.part'), 'half converted');
  writeFileSync(join(folder, 'manifest.json'), '{"artifacts":[]}\n');
  return { folder, disk: join(folder, 'disk-0.qcow2') };
}

/** A Glance image of the job, tagged as the image service tags them, made by the openstack CLI. */
export const jobImage = (cloud: LoopbackOpenStack, jobId: string, name: string, qcow2: string) =>
  cloud.cli<{ id: string }>(
    'image',
    'create',
    '--disk-format',
    'qcow2',
    '--container-format',
    'bare',
    '--file',
    qcow2,
    '--tag',
    FERRY_TAG,
    '--tag',
    jobTag(jobId),
    name,
  ).id;

/**
 * A job FAILED after its deployment made everything: an image, a port, a volume, a server on the
 * port with the volume attached (each recorded on the job, marked as the services mark them), and
 * its folder of files; plus an image tagged with the job that its events never recorded.
 */
export async function deployedThenFailed(
  o: { cloud: LoopbackOpenStack; store: EventStore; nova: Nova; outputDir: string; qcow2: string },
  jobId: string,
): Promise<{ recorded: Resource[]; orphan: string; folder: string }> {
  const { cloud, nova } = o;
  const vm = vmOf(jobId);
  const image = jobImage(cloud, jobId, `${jobId}-disk0`, o.qcow2);
  const orphan = jobImage(cloud, jobId, `${jobId}-unrecorded`, o.qcow2);
  const port = cloud.cli<{ id: string }>(
    'port',
    'create',
    '--network',
    'private',
    jobPortName(jobId, 0),
  ).id;
  const volume = cloud.cli<{ id: string }>(
    'volume',
    'create',
    '--size',
    '1',
    '--property',
    `ferry_job_id=${jobId}`,
    `${jobId}-data`,
  ).id;
  const server = await nova.createServer({
    name: jobId,
    flavorRef: '1',
    imageRef: image,
    networks: [{ port }],
    metadata: jobMarks(jobId, vm.key),
    tags: [FERRY_TAG, jobTag(jobId)],
  });
  const status = (kind: 'volume' | 'server', id: string) =>
    cloud.cli<{ status: string }>(kind, 'show', id).status;
  await eventually(() => status('server', server.id) === 'ACTIVE', 'server ACTIVE', {
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  await eventually(() => status('volume', volume) === 'available', 'volume available', {
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  cloud.cli('server', 'add', 'volume', server.id, volume);
  await eventually(() => status('volume', volume) === 'in-use', 'volume attached', {
    timeoutMs: 120_000,
    intervalMs: 500,
  });
  const { folder, disk } = jobFolder(o.outputDir, jobId);
  const recorded: Resource[] = [
    { kind: 'image', id: image },
    { kind: 'port', id: port },
    { kind: 'volume', id: volume },
    { kind: 'server', id: server.id },
  ];
  await failedJob(o.store, jobId, {
    vm,
    artifacts: [
      {
        diskIndex: 0,
        path: disk,
        format: 'qcow2',
        virtualSize: 64 * MiB,
        allocatedSize: 1,
        sha256: 'a'.repeat(64),
      },
    ],
    resources: recorded,
  });
  return { recorded: [{ kind: 'artifact', id: disk }, ...recorded], orphan, folder };
}

/** What is left of the job in OpenStack, as the openstack CLI sees it. */
export function leftInOpenStack(cloud: LoopbackOpenStack, jobId: string, volumes: string[]) {
  const ids = (rows: { ID: string }[]) => rows.map((r) => r.ID);
  return {
    servers: ids(
      cloud.cli('--os-compute-api-version', '2.26', 'server', 'list', '--tags', jobTag(jobId)),
    ),
    ports: ids(cloud.cli('port', 'list', '--name', jobPortName(jobId, 0))),
    volumes: ids(cloud.cli('volume', 'list', '--all-projects')).filter((id) =>
      volumes.includes(id),
    ),
    images: ids(cloud.cli('image', 'list', '--tag', jobTag(jobId))),
  };
}

/** The rollback steps a job's events record: kind, id, outcome. */
export const stepsOf = (events: readonly MigrationEvent[]) =>
  events.flatMap((e) =>
    e.type === 'RollbackStepCompleted'
      ? [[e.data.resource.kind, e.data.resource.id, e.data.outcome] as const]
      : [],
  );
