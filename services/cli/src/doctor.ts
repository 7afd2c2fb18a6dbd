import { execFile } from 'node:child_process';
import { mkdirSync, statfsSync } from 'node:fs';
import { constants, access } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { ConfigError, environment, loadConfig } from '@ferry/config';
import { libguestfsEnvironment } from '@ferry/converters';
import {
  connectNats,
  NATS_SECURITY_SETTINGS,
  natsSecurity,
  type NatsSecurity,
} from '@ferry/messaging';
import {
  CloudConfigError,
  loadCloudConfig,
  OpenStackHttp,
  OpenStackSession,
  openstackHealth,
} from '@ferry/openstack';
import { configuredSources, SOURCE_SETTINGS } from '@ferry/vmware';
import { document, FORMAT_FLAGS, formatOf, type Format } from './format.ts';
import { UsageError } from './nats.ts';

const run = promisify(execFile);
const GiB = 1024 ** 3;

export interface Finding {
  readonly check: string;
  readonly status: 'ok' | 'warning' | 'missing';
  readonly detail: string;
  /** What to do about it, when it is not ok. */
  readonly fix?: string;
}

const SETTINGS = [
  'NATS_URL',
  ...NATS_SECURITY_SETTINGS,
  'MIGRATION_OUTPUT_DIR',
  'ENABLE_REAL_CONVERSION',
  'ENABLE_OPENSTACK_DEPLOYMENT',
  'OPENSTACK_CLOUD_NAME',
  'OPENSTACK_TIMEOUT_SECONDS',
  ...SOURCE_SETTINGS,
] as const;

/**
 * `ferry doctor`: whether this machine can run Ferry, one line per check (ok / warning / missing,
 * and how to fix). Exit 0 when nothing is missing, 1 otherwise, 2 on a bad setting.
 */
export const DOCTOR_FLAGS = FORMAT_FLAGS;

export async function doctor(args: string[]): Promise<number> {
  let format: Format;
  let config: ReturnType<typeof loadConfig<(typeof SETTINGS)[number]>>;
  try {
    format = formatOf(parseArgs({ args, options: DOCTOR_FLAGS }).values);
    config = loadConfig(SETTINGS, environment());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TypeError || error instanceof UsageError) {
      process.stderr.write(`ferry doctor: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  const findings = (
    await Promise.all([
      tool(
        process.env.NATS_SERVER_BIN || 'nats-server',
        ['--version'],
        'bash deploy/dev/nats-server.sh (npm start installs nats-server >= 2.10.23)',
        'nats-server',
      ),
      nats(config.NATS_URL, natsSecurity(config)),
      tool('qemu-img', ['--version'], 'apt-get install qemu-utils'),
      tool('virt-v2v', ['--version'], 'apt-get install virt-v2v (for guest conversion)'),
      kvm(),
      outputDir(config.MIGRATION_OUTPUT_DIR),
      openstack(config),
      vmware(config),
    ])
  ).flat();
  if (format !== 'table') process.stdout.write(document(format, { findings }));
  else
    for (const f of findings)
      process.stdout.write(
        `${f.status.padEnd(8)} ${f.check.padEnd(22)} ${f.detail}${f.fix ? `\n${' '.repeat(32)}fix: ${f.fix}` : ''}\n`,
      );
  return findings.some((f) => f.status === 'missing') ? 1 : 0;
}

async function tool(
  command: string,
  args: string[],
  fix: string,
  check = command,
): Promise<Finding> {
  try {
    const { stdout } = await run(command, args, { timeout: 30_000 });
    return { check, status: 'ok', detail: stdout.split('\n')[0]?.trim() ?? '' };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      check,
      status: 'missing',
      detail: missing ? 'not installed' : `does not run: ${(error as Error).message}`,
      fix,
    };
  }
}

const MIN_NATS_VERSION = '2.10.23';

async function nats(url: string, security: NatsSecurity): Promise<Finding> {
  const check = 'NATS JetStream';
  try {
    const nc = await connectNats({
      url,
      name: 'ferry-doctor',
      identity: 'client',
      security,
      failFast: true,
    });
    try {
      const account = await (await jetstreamManager(nc)).getAccountInfo();
      const version = nc.info?.version ?? '?';
      const detail = `${url}: nats-server ${version}, JetStream with ${account.streams} streams`;
      // Older servers acknowledge writes before they are on disk (no sync_interval), and 2.10.20-22 lose streams on a crash.
      return version.localeCompare(MIN_NATS_VERSION, 'en', { numeric: true }) >= 0
        ? { check, status: 'ok', detail }
        : {
            check,
            status: 'warning',
            detail: `${detail}; older than ${MIN_NATS_VERSION}, which Ferry is tested on`,
            fix: `run nats-server >= ${MIN_NATS_VERSION} with jetstream { sync_interval: always } (deploy/nats/)`,
          };
    } finally {
      await nc.close();
    }
  } catch (error) {
    return {
      check,
      status: 'missing',
      detail: `${url}: ${(error as Error).message}`,
      fix: 'start a nats-server with -js (npm start runs its own), or set NATS_URL',
    };
  }
}

function kvm(): Finding {
  const env = libguestfsEnvironment();
  return env['LIBGUESTFS_BACKEND_SETTINGS']
    ? {
        check: 'KVM',
        status: 'warning',
        detail:
          'no hardware virtualisation here: virt-v2v runs its appliance under software emulation (several times slower)',
        fix: 'run the conversion service on a host (or a VM with nested virtualisation) with /dev/kvm',
      }
    : { check: 'KVM', status: 'ok', detail: '/dev/kvm usable: virt-v2v runs at full speed' };
}

async function outputDir(dir: string): Promise<Finding> {
  const check = 'MIGRATION_OUTPUT_DIR';
  try {
    mkdirSync(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const { bavail, bsize } = statfsSync(dir);
    const free = (bavail * bsize) / GiB;
    return free < 20
      ? {
          check,
          status: 'warning',
          detail: `${dir}: ${free.toFixed(1)} GiB free`,
          fix: 'converted disks need about their virtual size: point MIGRATION_OUTPUT_DIR at a larger volume',
        }
      : { check, status: 'ok', detail: `${dir}: ${free.toFixed(1)} GiB free` };
  } catch (error) {
    return {
      check,
      status: 'missing',
      detail: `${dir}: ${(error as Error).message}`,
      fix: 'set MIGRATION_OUTPUT_DIR to a folder this user can write',
    };
  }
}

async function openstack(config: {
  ENABLE_OPENSTACK_DEPLOYMENT: boolean;
  OPENSTACK_CLOUD_NAME: string;
  OPENSTACK_TIMEOUT_SECONDS: number;
}): Promise<Finding[]> {
  let session: OpenStackSession;
  const http = new OpenStackHttp({
    timeoutMs: config.OPENSTACK_TIMEOUT_SECONDS * 1000,
    retries: 0,
  });
  try {
    session = new OpenStackSession(
      loadCloudConfig({ cloud: config.OPENSTACK_CLOUD_NAME, env: environment() }),
      http,
    );
  } catch (error) {
    await http.close();
    if (!(error instanceof CloudConfigError)) throw error;
    return [
      config.ENABLE_OPENSTACK_DEPLOYMENT
        ? {
            check: 'OpenStack',
            status: 'missing',
            detail: error.message,
            fix: 'write a clouds.yaml (or set OS_CLOUD / the OS_* variables)',
          }
        : {
            check: 'OpenStack',
            status: 'ok',
            detail:
              'no cloud configured; deployment is a dry run (ENABLE_OPENSTACK_DEPLOYMENT=false)',
          },
    ];
  }
  try {
    return (await openstackHealth(session, http)).map((s) => ({
      check: `OpenStack ${s.service}`,
      status: s.reachable ? 'ok' : 'missing',
      detail: s.reachable ? `${s.url ?? ''} ${s.version ?? ''}`.trim() : (s.error ?? 'unreachable'),
      ...(s.reachable
        ? {}
        : { fix: 'check the cloud in clouds.yaml and that this host reaches it' }),
    }));
  } finally {
    await http.close();
  }
}

async function vmware(config: Parameters<typeof configuredSources>[0]): Promise<Finding[]> {
  const sources = configuredSources(config);
  if (sources.length === 0)
    return [
      {
        check: 'VMware',
        status: 'warning',
        detail: 'no source configured: nothing to discover',
        fix: 'set VMWARE_WORKSTATION_PATHS, or VMWARE_ESXI_HOST / VMWARE_VCENTER_HOST with their user and password',
      },
    ];
  return Promise.all(
    sources.map(async (source): Promise<Finding> => {
      const check = `VMware ${source.ref.kind}`;
      try {
        const { vms, unreadable } = await source.scan();
        return {
          check,
          status: 'ok',
          detail: `${source.ref.id}: ${vms.length} VMs${unreadable.length ? `, ${unreadable.length} unreadable` : ''}`,
        };
      } catch (error) {
        return {
          check,
          status: 'missing',
          detail: `${source.ref.id}: ${(error as Error).message}`,
          fix: 'check the source settings, the credentials and that this host reaches it',
        };
      }
    }),
  );
}
