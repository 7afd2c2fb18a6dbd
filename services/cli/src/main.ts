#!/usr/bin/env -S node --conditions=ferry-source
// ferry: Ferry's command line. Run with Node 24 (npx ferry, or npm exec ferry).
import { completion } from './completion.ts';
import { deadLetters } from './dead-letters.ts';
import { discover } from './discover.ts';
import { doctor } from './doctor.ts';
import { cancel, retry, rollback } from './job-requests.ts';
import { job, jobs } from './jobs.ts';
import { logs } from './logs.ts';
import { migrate } from './migrate.ts';
import { OPTIONS_USAGE } from './options.ts';
import { openstack } from './openstack-health.ts';
import { refresh } from './refresh.ts';

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = {
  discover,
  doctor,
  openstack,
  refresh,
  migrate,
  jobs,
  job,
  logs,
  cancel,
  retry,
  rollback,
  'dead-letters': deadLetters,
  completion,
};
const usage = `usage: ferry <command> [options]

commands:
  discover   print the inventory of the VMware sources: one VM per line (no NATS needed); a source
             that cannot be read, and each VM that cannot, said on stderr
             --workstation DIR (repeatable)  --esxi HOST  --vcenter HOST
             --username USER  --insecure  --thumbprint AA:BB:...
             passwords come from VMWARE_ESXI_PASSWORD / VMWARE_VCENTER_PASSWORD, never from the command line;
             without source options, the sources configured in the environment (.env) are used
             exit 0: every source read; 1: one could not be
  refresh    ask the discovery service to read its sources again and wait until it has: each source,
             refreshed or unreachable, and how many changes it recorded
             --source KIND:ID  only that source (e.g. esxi:esx1.example.com)
             --timeout SECONDS (default 120)
             exit 0: every source answered; 1: one is unreachable (its VMs are stale);
             3: refused (no such source), no answer, or NATS unreachable
  doctor     whether this machine can run Ferry: nats-server and JetStream at NATS_URL, qemu-img,
             virt-v2v and KVM, free space in MIGRATION_OUTPUT_DIR, OpenStack, each VMware source;
             one line each (ok, warning, missing, and how to fix)  --json
             exit 0: nothing missing; 1: something is
  openstack health
             each OpenStack service (Keystone, Glance, Nova, Neutron, Cinder): reachable, its API version
             --cloud NAME (else OS_CLOUD, else OPENSTACK_CLOUD_NAME), from clouds.yaml or the OS_* variables
             exit 0: every one reachable; 1: one is not
  migrate VM-KEY...
             create one migration job per VM (keys as ferry discover prints them); prints the jobs created
             and the VMs skipped, and why
             --wait  follow every job, one line per event, until it is VERIFIED, ROLLED_BACK, or FAILED
                     with rollback off    --json  JSON lines: the outcome, then each event
             ${OPTIONS_USAGE}
             --command-id ID (default: a new UUID)
             --timeout SECONDS  how long to wait for the jobs service's answer (default 30)
             exit 0: done (with --wait: every job VERIFIED, dry runs included); 1: a job failed or was
             rolled back, a VM key is unknown, or the target's quotas cannot hold the selection (a VM
             skipped for its active job is not an error);
             3: rejected, no answer, or NATS unreachable
  jobs       every job: state, VM, attempt, updated, image, server, failure
             --state STATE (PENDING, DISCOVERED, CONVERTING, UPLOADING, DEPLOYED, VERIFIED, FAILED,
             ROLLED_BACK)  --json
  job JOB-ID one job: its summary (state, options, stage timings, disks, commands, artifacts,
             resources, failure, rollback) and every event  --json
  logs JOB-ID
             what virt-v2v and qemu-img said while converting the job's disks (secrets removed), oldest
             first  --last N (default 2000)  --json  JSON lines: at, tool, kind, text
             exit 0: shown (an empty log too); 1: no such job
  cancel JOB-ID...
             cancel active jobs: each fails as asked and is rolled back  --reason TEXT
  retry JOB-ID...
             start a new attempt of rolled-back jobs; options given replace the job's (edit and retry):
             ${OPTIONS_USAGE}
             --reason TEXT
  rollback JOB-ID...
             run failed jobs' rollback again (after one that could not remove everything, or that
             never finished)  --reason TEXT
             cancel, retry and rollback: one request per job (at most 500), each job's answer printed;
             --timeout SECONDS (default 30); exit 0: every one accepted; 3: one refused or unanswered,
             or NATS unreachable
  dead-letters
             the commands set aside in FERRY_DLQ (they could not succeed, or failed every delivery):
             when, which command and job, after how many deliveries, why  --last N (default 100)  --json
  dead-letters replay SEQ...
             send each again where it was first sent, and remove it from FERRY_DLQ  --json
             dead-letters speaks as Ferry's admin (under NATS's auth: NATS_NKEY=admin.nk);
             exit 0: listed, or every one sent again; 1: a sequence number holds no dead letter;
             3: NATS unreachable or the stream refused
  completion bash
             a bash completion script for the commands, their flags and the values of --strategy,
             --boot-mode and --state: source <(ferry completion bash)

  Output: text or a table by default, on every command but completion; -f json or -f yaml
  (--json for short) print the same for a machine: one document, or, for what streams
  (migrate's events, logs' lines), JSON lines and YAML documents

  refresh, migrate, jobs, job, logs, cancel, retry, rollback and dead-letters speak to Ferry over NATS (NATS_URL, default nats://127.0.0.1:4222)
exit 2: a usage error
`;

const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(command ? `ferry: unknown command '${command}'\n\n${usage}` : usage);
  process.exit(2);
}
process.exit(await run(args));
