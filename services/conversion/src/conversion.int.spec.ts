import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  STREAMS,
  type MigrationEvent,
  type VmDescription,
  migrationStream,
} from '@ferry/contracts';
import { migrationDecider } from '@ferry/domain';
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import { rejectionRecorder } from '@ferry/stages';
import { delivered } from '@ferry/stages/testing';
import {
  connectNats,
  provisionStreams,
  publishCommand,
  type NatsConnection,
} from '@ferry/messaging';
import { createFerryMicroservice } from '@ferry/messaging/nest';
import {
  eventually,
  startNatsServer,
  startVsphereSimulator,
  type NatsServer,
  type VsphereSimulator,
  plainVm,
  sameDiskAs,
  vmdkOf,
  writeDataImage,
} from '@ferry/testing';
import { discoverVsphere, type VsphereConnection } from '@ferry/vmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuImgConvert } from '@ferry/converters';
import { allocatedSize, writeManifest } from './artifacts.ts';
import { ConversionModule } from './conversion.module.ts';
import { convertJob } from './convert-job.ts';

const MiB = 1024 * 1024;
const context = (commandId: string) => ({
  commandId,
  correlationId: commandId,
  now: '2026-11-25T10:00:00Z',
});

describe('the conversion service', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamEventStore;
  let dir: string;
  let out: string;
  let app: Awaited<ReturnType<typeof createFerryMicroservice>>;
  const runner = () => ({ store, nc, service: 'conversion', leaseMs: 60_000 });

  /** A VM with two real disks, and a job for it created and validated. */
  async function validatedJob(
    jobId: string,
    realConversion: boolean,
    diskPaths: string[],
    extra: {
      strategy?: 'qemu-img' | 'virt-v2v';
      vmx?: string;
      source?: VmDescription['source'];
      /** The VM as discovery described it, instead of one made from the disk paths. */
      vm?: VmDescription;
      /** The disks' sub-format, as discovery records it (none: not known). */
      subformat?: VmDescription['disks'][number]['subformat'];
    } = {},
  ) {
    const vm: VmDescription = extra.vm ?? {
      key: `ws-${jobId}`,
      name: jobId,
      source: extra.source ?? { kind: 'workstation', id: dir },
      cpus: 1,
      memoryMiB: 512,
      firmware: 'bios',
      secureBoot: false,
      guestOs: 'other',
      powerState: 'poweredOff',
      hasSnapshots: false,
      disks: diskPaths.map((path, index) => ({
        index,
        controller: 'scsi',
        slot: `scsi0:${index}`,
        path,
        capacityBytes: 64 * MiB,
        ...(extra.subformat && { subformat: extra.subformat, chainLength: 1 }),
      })),
      nics: [],
      ...(extra.vmx ? { labels: { path: extra.vmx } } : {}),
    };
    const stream = migrationStream(jobId);
    await handleCommand(store, migrationDecider, stream, {
      type: 'CreateMigration',
      data: {
        jobId,
        vmKey: vm.key,
        vmName: vm.name,
        source: vm.source,
        options: {
          strategy: extra.strategy ?? 'qemu-img',
          bootMode: 'image',
          flavor: null,
          networkMapping: {},
          keepMac: false,
        },
        flags: { realConversion, openstackDeployment: false, rollback: true },
      },
      metadata: context(`${jobId}-create`),
    });
    await handleCommand(store, migrationDecider, stream, {
      type: 'RecordValidation',
      data: { vm, checks: [{ name: 'disks-present', outcome: 'passed', detail: 'ok' }] },
      metadata: context(`${jobId}-validate`),
    });
    return stream;
  }
  /** What a run that died after converting, before recording it, leaves: the job CONVERTING, the artifact and its manifest. */
  async function crashedRunLeftovers(
    stream: string,
    jobId: string,
    { damaged }: { damaged: boolean },
  ) {
    await handleCommand(store, migrationDecider, stream, {
      type: 'StartConversion',
      data: {
        strategy: 'qemu-img',
        commands: [],
        disks: [{ diskIndex: 0, path: join(dir, 'a.vmdk'), capacityBytes: 64 * MiB }],
      },
      metadata: context(`${jobId}-start`),
    });
    const target = join(out, jobId, 'disk-0.qcow2');
    mkdirSync(join(out, jobId), { recursive: true });
    await qemuImgConvert({ source: join(dir, 'a.vmdk'), sourceFormat: 'vmdk', target });
    const written = statSync(target);
    await writeManifest(join(out, jobId), [
      {
        diskIndex: 0,
        path: target,
        format: 'qcow2',
        virtualSize: 64 * MiB,
        allocatedSize: await allocatedSize(target),
        sizeBytes: written.size,
        modifiedAtMs: written.mtimeMs,
      },
    ]);
    if (damaged) {
      // Its header overwritten, then its length and mtime put back: only qemu-img check can tell.
      const fd = openSync(target, 'r+');
      writeSync(fd, Buffer.alloc(512), 0, 512, 0);
      closeSync(fd);
      utimesSync(target, written.atime, written.mtime);
    }
    return target;
  }

  const events = async (stream: string) => (await store.read<MigrationEvent>(stream)).events;
  const convert = async (jobId: string) => {
    await publishCommand(jetstream(nc), {
      type: 'ConvertDisks',
      data: { jobId },
      metadata: { commandId: `convert-${jobId}` },
    });
    await eventually(
      async () => (await jsm.streams.info(STREAMS.commands)).state.messages === 0,
      `${jobId} to be converted`,
      { timeoutMs: 60_000 },
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-conversion-'));
    out = join(dir, 'out');
    for (const [name, subformat] of [
      ['a', 'monolithicSparse'],
      ['b', 'streamOptimized'],
    ] as const) {
      execFileSync('qemu-img', ['create', '-q', '-f', 'raw', join(dir, `${name}.raw`), '64M']);
      execFileSync('dd', [
        'if=/dev/urandom',
        `of=${join(dir, `${name}.raw`)}`,
        'bs=1M',
        'count=8',
        'conv=notrunc',
        'status=none',
      ]);
      vmdkOf(join(dir, `${name}.raw`), join(dir, `${name}.vmdk`), subformat);
    }
    server = await startNatsServer();
    nc = await connectNats({ url: server.url, name: 'conversion-test' });
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm);
    store = new JetStreamEventStore(nc);
    app = await createFerryMicroservice(
      ConversionModule.register({
        runner: runner(),
        outputDir: out,
        host: 'int',
        timeoutMs: 60_000,
      }),
      {
        connection: nc,
        consumer: {
          durable: 'conversion',
          filterSubject: 'ferry.cmd.conversion.>',
          concurrency: 2,
          ackWaitMs: 10_000,
        },
        reject: rejectionRecorder(store),
      },
    );
    await app.listen();
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await nc.close();
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('converts every disk, recording the commands, progress and artifacts with their sizes and mtime', async () => {
    const stream = await validatedJob('j1', true, [join(dir, 'a.vmdk'), join(dir, 'b.vmdk')]);
    await convert('j1');
    const history = await events(stream);
    const started = history.find((e) => e.type === 'ConversionStarted');
    expect(started?.data).toMatchObject({
      strategy: 'qemu-img',
      dryRun: false,
      commands: [
        expect.arrayContaining(['qemu-img', 'convert', join(dir, 'a.vmdk')]),
        expect.arrayContaining([join(dir, 'b.vmdk')]),
      ],
    });
    const progress = history
      .filter((e) => e.type === 'ConversionProgressed')
      .map((e) => e.data as { diskIndex: number; percent: number });
    for (const disk of [0, 1]) {
      const ofDisk = progress.filter((p) => p.diskIndex === disk).map((p) => p.percent);
      expect(ofDisk.at(-1), `disk ${disk}`).toBe(100);
      expect([...ofDisk].sort((x, y) => x - y)).toEqual(ofDisk);
    }
    const completed = history.at(-1);
    expect(completed?.type).toBe('ConversionCompleted');
    const { artifacts } = completed?.data as unknown as {
      artifacts: {
        path: string;
        virtualSize: number;
        allocatedSize: number;
        sizeBytes: number;
        modifiedAtMs: number;
        sha256?: string;
      }[];
    };
    expect(artifacts.map((a) => a.path)).toEqual([
      join(out, 'j1', 'disk-0.qcow2'),
      join(out, 'j1', 'disk-1.qcow2'),
    ]);
    for (const a of artifacts) {
      const file = statSync(a.path);
      expect(a.virtualSize).toBe(64 * MiB);
      expect(a.allocatedSize).toBe(file.blocks * 512);
      expect([a.sizeBytes, a.modifiedAtMs]).toEqual([file.size, file.mtimeMs]);
      // The hash is the upload's, computed on what it sends.
      expect(a.sha256).toBeUndefined();
    }
    expect(readdirSync(join(out, 'j1')).sort()).toEqual([
      'disk-0.qcow2',
      'disk-1.qcow2',
      'manifest.json',
    ]);
  });

  it('a command redelivered after a crash reuses an intact artifact instead of converting again', async () => {
    const stream = await validatedJob('j2', true, [join(dir, 'a.vmdk')]);
    const target = await crashedRunLeftovers(stream, 'j2', { damaged: false });
    const convertedAt = statSync(target).mtimeMs;
    await convertJob(
      { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000 },
      'j2',
      context('redelivered'),
      delivered(),
    );
    expect((await events(stream)).at(-1)).toMatchObject({
      type: 'ConversionCompleted',
      data: { reused: true, artifacts: [{ path: target }] },
    });
    expect(statSync(target).mtimeMs).toBe(convertedAt);
  });

  it('a damaged artifact is not reused: it is converted again', async () => {
    const stream = await validatedJob('j4', true, [join(dir, 'a.vmdk')]);
    const target = await crashedRunLeftovers(stream, 'j4', { damaged: true });
    await convertJob(
      { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000 },
      'j4',
      context('redelivered'),
      delivered(),
    );
    const completed = (await events(stream)).at(-1);
    expect(completed).toMatchObject({ type: 'ConversionCompleted', data: { reused: false } });
    expect(execFileSync('qemu-img', ['check', '-q', target]).length).toBe(0);
    expect(
      (completed?.data as unknown as { artifacts: { modifiedAtMs: number }[] }).artifacts[0]
        ?.modifiedAtMs,
    ).toBe(statSync(target).mtimeMs);
  });

  it('a command for a job already converted changes nothing', async () => {
    const before = await events('migration-j1');
    await convertJob(
      { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000 },
      'j1',
      context('late'),
      delivered(),
    );
    expect(await events('migration-j1')).toEqual(before);
  });

  it('a cancel of the job stops its running conversion within 30 s, leaving no process and no partial artifact', async () => {
    // 1 GiB of data behind a hand-written monolithicFlat descriptor: a conversion that takes a while.
    const raw = join(dir, 'big-flat.vmdk');
    writeDataImage(raw, 1024 * MiB);
    writeFileSync(
      join(dir, 'big.vmdk'),
      '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 2097152 FLAT "big-flat.vmdk" 0\nddb.adapterType = "lsilogic"\n',
    );
    const stream = await validatedJob('big', true, [join(dir, 'big.vmdk')]);
    await publishCommand(jetstream(nc), {
      type: 'ConvertDisks',
      data: { jobId: 'big' },
      metadata: { commandId: 'convert-big' },
    });
    await eventually(
      async () => (await events(stream)).some((e) => e.type === 'ConversionProgressed'),
      'the conversion to be under way',
      { timeoutMs: 30_000 },
    );
    const cancelledAt = Date.now();
    await handleCommand(store, migrationDecider, stream, {
      type: 'CancelMigration',
      data: { reason: 'wrong VM', requestedBy: 'operator' },
      metadata: context('cancel-big'),
    });
    await eventually(
      async () => (await jsm.streams.info(STREAMS.commands)).state.messages === 0,
      'the conversion to stop',
      { timeoutMs: 30_000 },
    );
    expect(Date.now() - cancelledAt).toBeLessThan(30_000);
    const history = await events(stream);
    expect(history.find((e) => e.type === 'MigrationFailed')).toMatchObject({
      data: { code: 'cancelled' },
    });
    // The stage let go of its lease once its converter was gone: then rollback may sweep.
    expect(history.at(-1)).toMatchObject({
      type: 'StageReleased',
      data: { stage: 'conversion', reason: 'stopped: the job was cancelled' },
    });
    expect(history.some((e) => e.type === 'ConversionCompleted')).toBe(false);
    let running = '';
    try {
      running = execFileSync('pgrep', ['-f', join(out, 'big')], { encoding: 'utf8' }).trim();
    } catch {
      // pgrep exits 1 when nothing matches
    }
    expect(running).toBe('');
    expect(readdirSync(join(out, 'big'))).toEqual([]);
  });

  it('the virt-v2v strategy converts the whole guest, and names a disk without an operating system', async () => {
    writeFileSync(
      join(dir, 'blank.vmx'),
      '.encoding = "UTF-8"\ndisplayName = "blank"\nguestOS = "debian12-64"\nmemsize = "1024"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "a.vmdk"\n',
    );
    const stream = await validatedJob('v2v', true, [join(dir, 'a.vmdk')], {
      strategy: 'virt-v2v',
      vmx: 'blank.vmx',
    });
    await convertJob(
      { runner: runner(), outputDir: out, host: 'int', timeoutMs: 280_000 },
      'v2v',
      context('convert-v2v'),
      delivered(),
    );
    const history = await events(stream);
    expect(history.find((e) => e.type === 'ConversionStarted')?.data).toMatchObject({
      strategy: 'virt-v2v',
      commands: [expect.arrayContaining(['virt-v2v', '-i', 'vmx', join(dir, 'blank.vmx')])],
    });
    expect(history.at(-1)).toMatchObject({
      type: 'MigrationFailed',
      data: { stage: 'conversion', code: 'no-operating-system', retryable: false },
    });
  }, 300_000);

  /** Converts a vSphere VM's job; its history, once the qcow2 is found to hold what `vmdk` holds. */
  const convertedFromVsphere = async (
    jobId: string,
    vm: VmDescription,
    vsphere: readonly VsphereConnection[],
    vmdk: string,
  ) => {
    const stream = await validatedJob(jobId, true, [], { vm });
    await convertJob(
      { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000, vsphere },
      jobId,
      context(`convert-${jobId}`),
      delivered(),
    );
    const history = await events(stream);
    const completed = history.at(-1);
    expect(completed?.type).toBe('ConversionCompleted');
    const [artifact] = (completed?.data as unknown as { artifacts: { path: string }[] }).artifacts;
    sameDiskAs(vmdk, artifact?.path ?? '');
    return history;
  };

  describe('a VM on an ESXi datastore', () => {
    const credentials = { username: 'ferry-ro', password: 'dat@store-secret' };
    let sim: VsphereSimulator;
    let vm: VmDescription;
    const vsphere = () => [{ kind: 'esxi' as const, options: { url: sim.url, ...credentials } }];
    beforeAll(async () => {
      sim = await startVsphereSimulator({
        mode: 'esx',
        vms: [plainVm('esx01', [64 * MiB])],
        cutDownloadsAfter: 1024 * 1024,
        ...credentials,
      });
      const folder = join(sim.datastorePath, 'esx01');
      vmdkOf(join(dir, 'a.raw'), join(folder, 'esx01_0.vmdk'), 'monolithicFlat');
      [vm] = (await discoverVsphere({ url: sim.url, ...credentials })).vms as [VmDescription];
    }, 120_000);
    afterAll(async () => sim.stop());

    it('streams its disk from the datastore into qemu-img, resuming a broken transfer, with no local copy', async () => {
      const history = await convertedFromVsphere(
        'esx-ok',
        vm,
        vsphere(),
        join(sim.datastorePath, 'esx01', 'esx01_0.vmdk'),
      );
      const percents = history
        .filter((e) => e.type === 'ConversionProgressed')
        .map((e) => (e.data as { percent: number }).percent);
      expect(percents.at(-1)).toBe(100);
      expect([...percents].sort((x, y) => x - y)).toEqual(percents);
      // qemu-img read the flat extent as raw, over nbdkit's export on a socket of its own (the host
      // is plain HTTP here: nothing to pin), as it was recorded.
      const started = history.find((e) => e.type === 'ConversionStarted');
      const command = (started?.data as unknown as { commands: string[][] }).commands[0] ?? [];
      expect(command.slice(0, 5)).toEqual(['qemu-img', 'convert', '-p', '-f', 'raw']);
      expect(command.at(-2)).toMatch(/^nbd\+unix:\/\/\/\?socket=\/.+\/nbd\.sock$/);
      // A range per read, straight from the host; the first broke off after 1 MiB and was asked again.
      const gets = sim
        .downloads()
        .filter((r) => r.startsWith('GET /folder/esx01/esx01_0-flat'))
        .map((r) => r.trim());
      expect(gets[0]).toMatch(/^GET \/folder\/esx01\/esx01_0-flat\.vmdk bytes=0-\d+$/);
      expect(gets.filter((g) => g === gets[0])).toHaveLength(2);
      expect(gets.every((g) => / bytes=\d+-\d+$/.test(g))).toBe(true);
      // Nothing but the artifact was written: no copy of the source, not even for a while.
      expect(readdirSync(join(out, 'esx-ok')).sort()).toEqual(['disk-0.qcow2', 'manifest.json']);
      expect(JSON.stringify(history)).not.toContain(credentials.password);
    });

    it('virt-v2v reads the guest over HTTP from the loopback stream, inspecting it with no local copy', async () => {
      const before = sim.downloads().length;
      const stream = await validatedJob('esx-v2v', true, [], { vm, strategy: 'virt-v2v' });
      await convertJob(
        { runner: runner(), outputDir: out, host: 'int', timeoutMs: 280_000, vsphere: vsphere() },
        'esx-v2v',
        context('convert-esx-v2v'),
        delivered(),
      );
      const history = await events(stream);
      const domain = join(out, 'esx-v2v', 'domain.xml');
      expect(history.find((e) => e.type === 'ConversionStarted')?.data).toMatchObject({
        strategy: 'virt-v2v',
        commands: [expect.arrayContaining(['virt-v2v', '-i', 'libvirtxml', domain])],
      });
      // It read the disk (a disk of data, no operating system), which it can only have done over the stream.
      expect(history.at(-1)).toMatchObject({
        type: 'MigrationFailed',
        data: { stage: 'conversion', code: 'no-operating-system', retryable: false },
      });
      const gets = sim
        .downloads()
        .slice(before)
        .filter((r) => r.startsWith('GET /folder/esx01/esx01_0-flat'));
      expect(gets.length).toBeGreaterThan(0);
      expect(gets.every((g) => / bytes=\d+-\d+$/.test(g.trim()))).toBe(true);
      // No copy of the source, and the domain (the stream's secret path in it) gone with the run.
      expect(existsSync(join(out, 'esx-v2v', 'source'))).toBe(false);
      expect(existsSync(domain)).toBe(false);
      expect(JSON.stringify(history)).not.toContain(credentials.password);
    }, 300_000);

    it('fails with source-refused, naming the settings, when the host is not configured or refuses the login', async () => {
      const unconfigured = await validatedJob('esx-none', true, [], { vm });
      await convertJob(
        { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000 },
        'esx-none',
        context('convert-esx-none'),
        delivered(),
      );
      expect((await events(unconfigured)).at(-1)).toMatchObject({
        type: 'MigrationFailed',
        data: {
          code: 'source-refused',
          retryable: false,
          message: expect.stringMatching(
            /no esxi connection to 127\.0\.0\.1:\d+ is configured .*VMWARE_ESXI_HOST/,
          ),
        },
      });
      const refused = await validatedJob('esx-bad', true, [], { vm });
      const wrong = [
        {
          kind: 'esxi' as const,
          options: { url: sim.url, username: 'ferry-ro', password: 'wrong' },
        },
      ];
      await convertJob(
        { runner: runner(), outputDir: out, host: 'int', timeoutMs: 60_000, vsphere: wrong },
        'esx-bad',
        context('convert-esx-bad'),
        delivered(),
      );
      expect((await events(refused)).at(-1)).toMatchObject({
        type: 'MigrationFailed',
        data: {
          code: 'source-refused',
          message: expect.stringMatching(/refused the user name or password/),
        },
      });
    });
  });

  describe('a VM on an ESXi over TLS, its certificate pinned', () => {
    const credentials = { username: 'ferry-ro', password: 'tls-secret' };
    let sim: VsphereSimulator;
    beforeAll(async () => {
      sim = await startVsphereSimulator({
        mode: 'esx',
        tls: true,
        vms: [plainVm('tls01', [64 * MiB])],
        ...credentials,
      });
      vmdkOf(
        join(dir, 'a.raw'),
        join(sim.datastorePath, 'tls01', 'tls01_0.vmdk'),
        'monolithicFlat',
      );
    }, 120_000);
    afterAll(async () => sim.stop());

    /** Converts the VM as found at `url`; the source qemu-img read, as recorded. */
    const convertAt = async (jobId: string, url: string) => {
      const options = { url, thumbprint: sim.thumbprint, ...credentials };
      const [vm] = (await discoverVsphere(options)).vms as [VmDescription];
      const history = await convertedFromVsphere(
        jobId,
        vm,
        [{ kind: 'esxi', options }],
        join(sim.datastorePath, 'tls01', 'tls01_0.vmdk'),
      );
      const started = history.find((e) => e.type === 'ConversionStarted');
      return (started?.data as unknown as { commands: string[][] }).commands[0]?.at(-2);
    };

    it('reads a flat extent by nbdkit straight from the host, which curl trusts by the pinned certificate', async () => {
      expect(await convertAt('tls-direct', sim.url)).toMatch(/^nbd\+unix:\/\/\/\?socket=/);
    });

    it("reads it through Ferry's own stream when the certificate does not name the host as reached", async () => {
      // The simulator's certificate names 127.0.0.1 only: curl would refuse it as `localhost`.
      const asLocalhost = sim.url.replace('127.0.0.1', 'localhost');
      expect(await convertAt('tls-stream', asLocalhost)).toMatch(
        /^nbd:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/,
      );
    });
  });

  it('a dry run records the commands it would run and converts nothing', async () => {
    const stream = await validatedJob('dry', false, [join(dir, 'a.vmdk')]);
    await convert('dry');
    const history = await events(stream);
    expect(history.slice(-2).map((e) => [e.type, (e.data as { dryRun: boolean }).dryRun])).toEqual([
      ['ConversionStarted', true],
      ['ConversionCompleted', true],
    ]);
    expect((history.at(-2)?.data as unknown as { commands: string[][] }).commands[0]).toContain(
      'qemu-img',
    );
    expect(existsSync(join(out, 'dry'))).toBe(false);
  });

  it('two conversions whose outputs cannot both fit: the second waits for the first, then fails plainly; neither dies on ENOSPC', async () => {
    // A 40 MiB folder of its own, and two disks of 24 MiB of data each: either fits, not both.
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', small]);
    try {
      const disks = ['c', 'd'].map((name) => {
        const raw = join(dir, `${name}.raw`);
        execFileSync('qemu-img', ['create', '-q', '-f', 'raw', raw, '64M']);
        execFileSync('dd', [
          `if=/dev/urandom`,
          `of=${raw}`,
          'bs=1M',
          'count=24',
          'conv=notrunc',
          'status=none',
        ]);
        vmdkOf(raw, join(dir, `${name}.vmdk`), 'monolithicSparse');
        return join(dir, `${name}.vmdk`);
      });
      // One disk as discovery describes it (its size asked of the file system), one whose sub-format
      // is not known (its size asked of qemu-img): the same 24 MiB of data each.
      const streams = [
        await validatedJob('space-1', true, [disks[0] as string], {
          subformat: 'monolithicSparse',
        }),
        await validatedJob('space-2', true, [disks[1] as string]),
      ];
      const waits: string[] = [];
      const logger = {
        info: (_: unknown, message?: string) => {
          waits.push(String(message));
        },
        warn: () => undefined,
      };
      await Promise.all(
        ['space-1', 'space-2'].map((jobId) =>
          convertJob(
            { runner: { ...runner(), logger }, outputDir: small, host: 'int', timeoutMs: 60_000 },
            jobId,
            context(`convert-${jobId}`),
            delivered(),
          ),
        ),
      );
      const ends = await Promise.all(streams.map(async (s) => (await events(s)).at(-1)));
      expect(ends.map((e) => e?.type).sort()).toEqual(['ConversionCompleted', 'MigrationFailed']);
      expect(ends.find((e) => e?.type === 'MigrationFailed')?.data).toMatchObject({
        stage: 'conversion',
        code: 'no-space',
        message: expect.stringMatching(
          / bytes free; the disks need \d+ .*no other conversion is running/,
        ),
      });
      expect(waits).toEqual([
        expect.stringMatching(/^waiting for room in .*1 other conversion\(s\) still writing$/),
      ]);
      // No reservation outlives its conversion.
      expect(readdirSync(join(small, '.reservations'))).toEqual([]);
    } finally {
      execFileSync('umount', [small]);
    }
  });

  it('a missing disk fails the job with a typed reason, leaving no partial artifact', async () => {
    const stream = await validatedJob('gone', true, [join(dir, 'no-such-disk.vmdk')]);
    await convert('gone');
    const failed = (await events(stream)).at(-1);
    expect(failed).toMatchObject({
      type: 'MigrationFailed',
      data: { stage: 'conversion', code: 'missing-disk', retryable: false },
    });
    expect(readdirSync(join(out, 'gone')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
