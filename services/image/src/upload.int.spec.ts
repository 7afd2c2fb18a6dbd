import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, MigrationEvent, VmDescription } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import {
  commandContext,
  convertedJob,
  delivered,
  natsWithStreams,
  testVm,
} from '@ferry/stages/testing';
import { Glance, loadCloudConfig, OpenStackHttp, OpenStackSession, jobTag } from '@ferry/openstack';
import { loopbackOpenStack, type LoopbackOpenStack } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactVersion } from './image-properties.ts';
import { uploadJob, type UploadDeps } from './upload-job.ts';

const MiB = 1024 * 1024;
// Job ids of this run: a warm cloud keeps what earlier runs left, and tags find images by job.
const run = randomBytes(3).toString('hex');

/** A qcow2 holding `mib` MiB of a byte pattern, with its manifest entry. */
function artifactFile(dir: string, diskIndex: number, mib: number, pattern: number): Artifact {
  const path = join(dir, `disk-${diskIndex}-${pattern}.qcow2`);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'compat=1.1', path, '64M']);
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -P ${pattern} 0 ${mib}M`, path]);
  return {
    diskIndex,
    path,
    format: 'qcow2',
    virtualSize: 64 * MiB,
    allocatedSize: statSync(path).blocks * 512,
    sizeBytes: statSync(path).size,
    modifiedAtMs: statSync(path).mtimeMs,
  };
}
const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the image service against a real Glance', () => {
  let cloud: LoopbackOpenStack;
  let nats: Awaited<ReturnType<typeof natsWithStreams>>;
  let store: JetStreamEventStore;
  let http: OpenStackHttp;
  let glance: Glance;
  let deps: UploadDeps;
  let dir: string;
  const vmWith = (jobId: string, disks: number): VmDescription => ({
    ...testVm,
    key: `ws-${jobId}`,
    name: `vm-${jobId}`,
    firmware: 'efi',
    disks: Array.from({ length: disks }, (_, index) => ({
      index,
      controller: index === 0 ? 'sata' : 'scsi',
      slot: `x${index}`,
      path: `/src/${index}.vmdk`,
      capacityBytes: 64 * MiB,
    })),
  });
  const events = async (jobId: string) =>
    (await store.read<MigrationEvent>(migrationStream(jobId))).events;
  const imagesOf = (jobId: string) =>
    cloud.cli<{ ID: string; Name: string; Status: string }[]>(
      'image',
      'list',
      '--tag',
      jobTag(jobId),
    );

  beforeAll(async () => {
    cloud = loopbackOpenStack();
    nats = await natsWithStreams();
    store = new JetStreamEventStore(await nats.connect());
    http = new OpenStackHttp({ timeoutMs: 60_000, retries: 2 });
    glance = new Glance(new OpenStackSession(loadCloudConfig({ env: cloud.env }), http));
    deps = {
      runner: { store, nc: await nats.connect(), service: 'image', leaseMs: 60_000 },
      glance,
      activeTimeoutMs: 60_000,
      pollMs: 200,
      minBytesPerSecond: 1024 * 1024,
      requestTimeoutMs: 60_000,
    };
    dir = mkdtempSync(join(tmpdir(), 'ferry-image-'));
  }, 20 * 60_000);
  afterAll(async () => {
    for (const job of ['up1', 'up2', 'up3', 'up4', 'up5', 'up6', 'up7', 'up8', 'up9'])
      for (const image of await glance.list({ tag: jobTag(`${run}-${job}`) }))
        await glance.delete(image.id);
    await http.close();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads each disk as its own tagged image, active, with the boot properties and the checksums of what was sent', async () => {
    const artifacts = [artifactFile(dir, 0, 4, 0x41), artifactFile(dir, 1, 2, 0x42)];
    await convertedJob(store, `${run}-up1`, {
      vm: vmWith(`${run}-up1`, 2),
      artifacts,
      flags: { realConversion: true, openstackDeployment: true, rollback: true },
    });
    await uploadJob(deps, `${run}-up1`, commandContext('upload-up1'), delivered());
    const history = await events(`${run}-up1`);
    const completed = history.at(-1);
    expect(completed?.type).toBe('ImageUploadCompleted');
    const images = await glance.list({ tag: jobTag(`${run}-up1`) });
    expect(images.map((i) => [i.ferry_disk_index, i.status]).sort()).toEqual([
      ['0', 'active'],
      ['1', 'active'],
    ]);
    const boot = images.find((i) => i.ferry_disk_index === '0');
    expect(boot).toMatchObject({
      name: `vm-${run}-up1`,
      disk_format: 'qcow2',
      hw_firmware_type: 'uefi',
      hw_disk_bus: 'sata',
      ferry_job_id: `${run}-up1`,
      ferry_sha256: sha256Of(artifacts[0]?.path ?? ''),
      ferry_artifact: `${artifacts[0]?.sizeBytes}@${artifacts[0]?.modifiedAtMs}`,
      os_hash_value: createHash('sha512')
        .update(readFileSync(artifacts[0]?.path ?? ''))
        .digest('hex'),
    });
    // The sha256 of what was sent, beside Glance's own hash of what it got, for each disk.
    expect(completed?.data).toMatchObject({
      reused: false,
      imageId: boot?.id,
      checksum: boot?.os_hash_value,
      disks: artifacts.map((a) => {
        const image = images.find((i) => i.ferry_disk_index === String(a.diskIndex));
        return {
          diskIndex: a.diskIndex,
          imageId: image?.id,
          sha256: sha256Of(a.path),
          imageHash: `sha512:${image?.os_hash_value}`,
        };
      }),
    });
    // Both images are on the job before the upload ends, so rollback finds them.
    expect(
      history.filter((e) => e.type === 'ImageUploadStarted' || e.type === 'ResourceRecorded')
        .length,
    ).toBe(2);
    expect(imagesOf(`${run}-up1`)).toHaveLength(2);
  });

  /** What an attempt killed mid-way leaves: the job UPLOADING with `imageId` recorded. */
  async function startedWith(jobId: string, imageId: string) {
    await handleCommand(store, migrationDecider, migrationStream(jobId), {
      type: 'StartImageUpload',
      data: { imageId, imageName: `vm-${jobId}` },
      metadata: commandContext(`start-upload-${jobId}`),
    });
  }
  const imageOf = (jobId: string, a: Artifact) =>
    glance.create({
      name: `vm-${jobId}`,
      diskFormat: 'qcow2',
      tags: ['ferry', jobTag(jobId)],
      properties: {
        ferry_disk_index: String(a.diskIndex),
        ferry_artifact: artifactVersion(a) ?? '',
      },
    });

  it('a retry reuses the active image of the same artifact and deletes a half-made one: never two images for a disk', async () => {
    const [artifact] = [artifactFile(dir, 0, 1, 0x43)] as [Artifact];
    await convertedJob(store, `${run}-up2`, { vm: vmWith(`${run}-up2`, 1), artifacts: [artifact] });
    const uploaded = await imageOf(`${run}-up2`, artifact);
    await glance.upload(
      uploaded.id,
      () => createReadStream(artifact.path),
      statSync(artifact.path).size,
    );
    await glance.setProperties(uploaded.id, { ferry_sha256: sha256Of(artifact.path) });
    const half = await imageOf(`${run}-up2`, artifact);
    await startedWith(`${run}-up2`, uploaded.id);

    await uploadJob(deps, `${run}-up2`, commandContext('upload-up2'), delivered());
    expect((await events(`${run}-up2`)).at(-1)).toMatchObject({
      type: 'ImageUploadCompleted',
      data: {
        reused: true,
        imageId: uploaded.id,
        disks: [{ diskIndex: 0, imageId: uploaded.id, sha256: sha256Of(artifact.path) }],
      },
    });
    expect(imagesOf(`${run}-up2`).map((i) => [i.ID, i.Status])).toEqual([[uploaded.id, 'active']]);
    expect(await glance.get(half.id)).toBeUndefined();
  });

  it('a retry that finds only a half-uploaded image deletes it and uploads anew', async () => {
    const [artifact] = [artifactFile(dir, 0, 1, 0x44)] as [Artifact];
    await convertedJob(store, `${run}-up3`, { vm: vmWith(`${run}-up3`, 1), artifacts: [artifact] });
    const half = await imageOf(`${run}-up3`, artifact);
    await startedWith(`${run}-up3`, half.id);

    await uploadJob(deps, `${run}-up3`, commandContext('upload-up3'), delivered());
    const completed = (await events(`${run}-up3`)).at(-1);
    expect(completed).toMatchObject({ type: 'ImageUploadCompleted', data: { reused: false } });
    const images = imagesOf(`${run}-up3`);
    expect(images).toHaveLength(1);
    expect(images[0]?.ID).not.toBe(half.id);
    expect((completed?.data as { imageId: string }).imageId).toBe(images[0]?.ID);
    // The replacement is on the job too, so rollback removes it.
    expect(
      (await events(`${run}-up3`)).some(
        (e) =>
          e.type === 'ResourceRecorded' &&
          (e.data as { resource: { id: string } }).resource.id === images[0]?.ID,
      ),
    ).toBe(true);
  });

  it('refuses an artifact qemu-img check rejects, creating nothing', async () => {
    const [bad] = [artifactFile(dir, 0, 1, 0x45)] as [Artifact];
    const header = readFileSync(bad.path).subarray(0, 104);
    const refcountTable = Number(header.readBigUInt64BE(48));
    const fd = openSync(bad.path, 'r+');
    writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, refcountTable);
    closeSync(fd);
    // As a conversion that recorded it so would have.
    const recorded = { ...bad, modifiedAtMs: statSync(bad.path).mtimeMs };
    await convertedJob(store, `${run}-up4`, { vm: vmWith(`${run}-up4`, 1), artifacts: [recorded] });
    await uploadJob(deps, `${run}-up4`, commandContext('upload-up4'), delivered());
    expect((await events(`${run}-up4`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        stage: 'upload',
        code: 'artifact-corrupt',
        retryable: false,
        message: expect.stringMatching(/fails qemu-img check/),
      },
    });
    expect(await glance.list({ tag: jobTag(`${run}-up4`) })).toEqual([]);
  });

  it('refuses an artifact changed since its conversion, creating nothing', async () => {
    const [artifact] = [artifactFile(dir, 0, 1, 0x4a)] as [Artifact];
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x4b 0 64k', artifact.path]);
    await convertedJob(store, `${run}-up8`, { vm: vmWith(`${run}-up8`, 1), artifacts: [artifact] });
    await uploadJob(deps, `${run}-up8`, commandContext('upload-up8'), delivered());
    expect((await events(`${run}-up8`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        stage: 'upload',
        code: 'artifact-changed',
        retryable: false,
        message: expect.stringMatching(/changed after its conversion/),
      },
    });
    expect(await glance.list({ tag: jobTag(`${run}-up8`) })).toEqual([]);
  });

  it('refuses bytes other than the hash recorded for the artifact, deleting the image it sent them to', async () => {
    const [artifact] = [artifactFile(dir, 0, 1, 0x4c)] as [Artifact];
    const recorded = { ...artifact, sha256: 'f'.repeat(64) };
    await convertedJob(store, `${run}-up9`, { vm: vmWith(`${run}-up9`, 1), artifacts: [recorded] });
    await uploadJob(deps, `${run}-up9`, commandContext('upload-up9'), delivered());
    const history = await events(`${run}-up9`);
    expect(history.at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        stage: 'upload',
        code: 'artifact-changed',
        retryable: false,
        message: expect.stringContaining(`now hashes to sha256 ${sha256Of(artifact.path)}`),
      },
    });
    // The image was recorded before its data went, and is gone now.
    const started = history.find((e) => e.type === 'ImageUploadStarted');
    expect(await glance.get((started?.data as { imageId: string }).imageId)).toBeUndefined();
    expect(await glance.list({ tag: jobTag(`${run}-up9`) })).toEqual([]);
  });

  it('a dry run records that it would upload, and creates no image', async () => {
    await convertedJob(store, `${run}-up5`, {
      vm: vmWith(`${run}-up5`, 1),
      artifacts: [artifactFile(dir, 0, 1, 0x46)],
      flags: { realConversion: true, openstackDeployment: false, rollback: true },
    });
    await uploadJob(deps, `${run}-up5`, commandContext('upload-up5'), delivered());
    expect(
      (await events(`${run}-up5`))
        .slice(-2)
        .map((e) => [e.type, (e.data as { dryRun: boolean }).dryRun]),
    ).toEqual([
      ['ImageUploadStarted', true],
      ['ImageUploadCompleted', true],
    ]);
    expect(await glance.list({ tag: jobTag(`${run}-up5`) })).toEqual([]);
  });

  it('without an OpenStack configured, a job that uploads fails naming what is missing', async () => {
    const nowhere = new Glance(
      new OpenStackSession(
        () => loadCloudConfig({ env: { OS_CLIENT_CONFIG_FILE: join(dir, 'missing.yaml') } }),
        http,
      ),
    );
    await convertedJob(store, `${run}-up6`, {
      vm: vmWith(`${run}-up6`, 1),
      artifacts: [artifactFile(dir, 0, 1, 0x47)],
    });
    await uploadJob(
      { ...deps, glance: nowhere },
      `${run}-up6`,
      commandContext('upload-up6'),
      delivered(),
    );
    expect((await events(`${run}-up6`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: {
        code: 'openstack-unconfigured',
        retryable: false,
        message: expect.stringMatching(
          /^no OpenStack to upload to: .*missing\.yaml \(clouds\.yaml\) cannot be read$/,
        ),
      },
    });
  });

  it('a real upload after a dry-run conversion fails plainly: there is nothing to upload', async () => {
    await convertedJob(store, `${run}-up7`, {
      vm: vmWith(`${run}-up7`, 1),
      artifacts: [],
      flags: { realConversion: false, openstackDeployment: true, rollback: true },
    });
    await uploadJob(deps, `${run}-up7`, commandContext('upload-up7'), delivered());
    expect((await events(`${run}-up7`)).at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: { stage: 'upload', code: 'no-artifacts', retryable: false },
    });
  });
});
