import type { Resource } from '@ferry/contracts';
import type { CommandContext } from '@ferry/domain';
import { CommandRejectedError } from '@ferry/messaging';
import {
  runStage,
  StageError,
  type Delivery,
  type StageDefinition,
  type StageRun,
  type StageRunnerDeps,
} from '@ferry/stages';
import {
  FERRY_TAG,
  jobMarks,
  jobTag,
  bootModeFor,
  resolveDeployTarget,
  serverName,
  sourceMetadata,
  type Cinder,
  type Glance,
  type Neutron,
  type Nova,
  type Placement,
  onlyOne,
} from '@ferry/openstack';
import { asComputeError } from './compute-failure.ts';
import { imagesByDisk } from './job-images.ts';
import { portsFor } from './ports.ts';
import { blockDevice, volumesFor } from './volumes.ts';

export interface ComputeDeps {
  /** What the stage runner needs: the store, NATS, leases, the service's stopping signal. */
  readonly runner: StageRunnerDeps;
  readonly nova: Nova;
  readonly neutron: Neutron;
  readonly cinder: Cinder;
  /** Where the credentials may read it: whether the chosen zone has room for the flavor. */
  readonly placement?: Placement;
  readonly glance: Glance;
  /** OPENSTACK_NETWORK_MAPPING: source network name → Neutron network name or id. */
  readonly networkMapping: Readonly<Record<string, string>>;
  readonly volumeTimeoutMs: number;
  readonly verifyTimeoutMs: number;
  /** How long verification reads the console log for a login prompt; 0: ACTIVE is enough. */
  readonly bootWaitMs: number;
  readonly pollMs: number;
}

/** The deployment, as the stage runner runs it: leased when it deploys for real. */
export const DEPLOYMENT: StageDefinition = {
  stage: 'deployment',
  leased: (job) => job.flags.openstackDeployment,
  failureOf: (error) => asComputeError(error),
};

/**
 * Creates the job's server: ports on the mapped Neutron networks (with the source MACs when asked),
 * from the image for a single disk, or from one Cinder volume per disk (boot disk first, data disks
 * attached in the source's order). Every resource is marked with the job and recorded as soon as it
 * exists; a retry finds them again instead of creating more, and after each create, any twin that
 * carries the job's marks (made by a holder whose lease lapsed) is removed.
 */
export function deployJob(
  deps: ComputeDeps,
  jobId: string,
  context: CommandContext,
  delivery: Delivery,
): Promise<void> {
  return runStage(deps.runner, DEPLOYMENT, jobId, context, delivery, (run) => deploy(deps, run));
}

async function deploy(deps: ComputeDeps, { state, decide, signal, progress }: StageRun) {
  const { job } = state;
  const { jobId } = job;
  const vm = job.vm;
  if (!vm) throw new CommandRejectedError('illegal-state', `job ${jobId} has not been validated`);
  const bootMode = bootModeFor(vm, job.options.bootMode);
  if (!job.flags.openstackDeployment) {
    // The dry run records what a real run would use, when the cloud can be asked (read-only).
    const preview = await resolveDeployTarget(deps, vm, job.options, deps.networkMapping).catch(
      () => undefined,
    );
    const target = preview && !('problem' in preview) ? preview : undefined;
    await decide(
      {
        type: 'RecordServerDeployed',
        data: {
          reused: false,
          serverId: null,
          flavor: target?.flavor.name ?? job.options.flavor ?? 'dry-run',
          bootMode,
          networks: target ? [...target.networkIds] : [],
          ports: [],
          volumes: [],
        },
      },
      'deployed',
    );
    return;
  }
  const record = async (resource: Resource) => {
    progress();
    await decide({ type: 'RecordResource', data: { resource } }, `${resource.kind}:${resource.id}`);
  };
  const images = await imagesByDisk(deps.glance, jobId, vm);
  if (bootMode === 'image' && vm.disks.length > 1)
    throw new StageError(
      'boot-mode-unsupported',
      `${vm.name} has ${vm.disks.length} disks: booting from an image carries only the first; deploy it with bootMode "volume"`,
      false,
    );
  const target = await resolveDeployTarget(deps, vm, job.options, deps.networkMapping);
  if ('problem' in target) throw new StageError(target.problem.code, target.problem.message, false);
  const networks = target.networkIds;
  const ports = await portsFor(
    deps.neutron,
    jobId,
    vm,
    {
      networkIds: networks,
      keepMac: job.options.keepMac,
      keepIps: job.options.keepIps ?? false,
      securityGroupIds: target.placement.securityGroupIds,
    },
    record,
  );
  const volumes =
    bootMode === 'volume'
      ? await volumesFor(
          deps,
          jobId,
          vm,
          images,
          record,
          { signal, progress },
          target.placement.volumeTypeId,
        )
      : [];
  const [existing] = await deps.nova.serversTagged(jobTag(jobId));
  const server =
    existing ??
    (await onlyOne(
      await deps.nova.createServer({
        name: serverName(job.options.serverName, vm, jobId),
        flavorRef: target.flavor.id,
        ...(bootMode === 'image' ? { imageRef: images.get(0) as string } : {}),
        networks: ports.length > 0 ? ports.map((p) => ({ port: p.id })) : 'none',
        ...(bootMode === 'volume' ? { blockDevices: volumes.map(blockDevice) } : {}),
        // Ferry's marks last: the source's metadata cannot hide which job the server is.
        metadata: { ...sourceMetadata(vm), ...jobMarks(jobId, vm.key) },
        tags: [FERRY_TAG, jobTag(jobId)],
        ...(target.placement.availabilityZone
          ? { availabilityZone: target.placement.availabilityZone }
          : {}),
        ...(target.placement.keyName ? { keyName: target.placement.keyName } : {}),
      }),
      () => deps.nova.serversTagged(jobTag(jobId)),
      (id) => deps.nova.deleteServer(id),
    ));
  await record({ kind: 'server', id: server.id, name: server.name });
  await decide(
    {
      type: 'RecordServerDeployed',
      data: {
        reused: existing !== undefined,
        serverId: server.id,
        flavor: target.flavor.name,
        bootMode,
        networks,
        ports: ports.map((p) => p.id),
        volumes: volumes.map((v) => v.id),
      },
    },
    'deployed',
  );
}
