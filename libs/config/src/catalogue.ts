import { hostname } from 'node:os';
import {
  boolean,
  integer,
  integers,
  listOf,
  named,
  oneOf,
  optionalText,
  path,
  pathList,
  subjectToken,
  text,
  url,
} from './setting.ts';

const concurrency = (service: string, fallback: number) =>
  integer(
    fallback,
    { min: 1, max: 256 },
    {
      description: `How many commands the ${service} service handles at once (its consumer's max_ack_pending).`,
    },
  );

const stageBudget = (stage: string, fallback: number, plus = '') =>
  integer(
    fallback,
    { min: 10, max: 30 * 24 * 3600 },
    {
      description: `How long a job may stay in ${stage}${plus}: past it, the watchdog fails the job (\`stage-timeout\`) and rollback follows.`,
    },
  );
const perGib = (stage: string, fallback: number) =>
  integer(
    fallback,
    { min: 0, max: 24 * 3600 },
    { description: `What each GiB of the VM's disks adds to the ${stage} budget.` },
  );

/** Every setting Ferry reads, in the seed's names; each service picks the ones it uses. Defaults are safe. */
export const catalogue = named({
  ENABLE_REAL_CONVERSION: boolean(false, {
    description:
      'Run virt-v2v / qemu-img for real; off, conversion records the command it would run (a dry run).',
  }),
  ENABLE_OPENSTACK_DEPLOYMENT: boolean(false, {
    description: 'Upload to Glance and boot in Nova for real; off, those stages are dry runs.',
  }),
  ENABLE_ROLLBACK: boolean(true, {
    description: 'Remove what a failed job created.',
  }),
  ROLLBACK_KEEP: listOf(['artifact', 'image', 'volume', 'port', 'server'], {
    description:
      'What a rollback leaves in place, for a look at why the job failed: resource kinds separated by commas (artifact, image, volume, port, server); empty removes everything.',
  }),
  MIGRATION_OUTPUT_DIR: path('/var/tmp/ferry/migrations', {
    description: 'Where converted disks are written, one folder per job.',
  }),
  FERRY_HOST: subjectToken(
    () =>
      hostname()
        .replace(/[^A-Za-z0-9_-]/g, '-')
        .slice(0, 64) || 'localhost',
    {
      description:
        "This machine's name among Ferry's conversion hosts (letters, digits, - and _); unset, its host name. The disks the conversion service converts stay in this machine's MIGRATION_OUTPUT_DIR and are uploaded by the image service of the same FERRY_HOST: uploads are routed to it, so conversion hosts share no folder. The conversion and image services of one machine (or of one shared folder) give the same name.",
    },
  ),
  VIRTIO_WIN: text('', {
    description:
      "The virtio-win drivers virt-v2v installs in Windows guests: the ISO or folder (Red Hat's virtio-win package); empty: virt-v2v's own default (/usr/share/virtio-win), and a Windows guest without them keeps its emulated devices.",
  }),
  VIRT_V2V_TIMEOUT_SECONDS: integer(
    7200,
    { min: 60, max: 7 * 24 * 3600 },
    {
      description:
        'A conversion running longer than this is stopped and the job fails with `timeout`.',
    },
  ),
  NATS_URL: url('nats://127.0.0.1:4222', ['nats:', 'tls:'], {
    description: 'The NATS server(s) with JetStream, comma-separated for a cluster.',
  }),
  NATS_NKEY: optionalText({
    description:
      "A file holding this process's NATS nkey seed: who it connects as (npm start makes one per service).",
  }),
  NATS_CREDS: optionalText({
    description: 'A NATS credentials file (JWT and seed, as nsc makes them), instead of NATS_NKEY.',
  }),
  NATS_MONITOR_URL: optionalText({
    description:
      "NATS's monitoring endpoint (the server's `http` port, e.g. `http://127.0.0.1:8222`): where the gateway reads how full JetStream's store is (`/jsz`), for ferry_jetstream_storage_bytes, its limit and the FerryEventStoreFilling alert. Unset, those two metrics are not served.",
  }),
  NATS_CA: optionalText({
    description: "The CA that signed the NATS server's certificate: the connection is TLS.",
  }),
  NATS_CERT: optionalText({
    description: 'A client certificate for NATS servers that verify clients (with NATS_KEY).',
  }),
  NATS_KEY: optionalText({ description: "NATS_CERT's private key." }),
  NATS_STREAM_REPLICAS: integer(
    1,
    { min: 1, max: 5 },
    {
      description: "Replicas of Ferry's streams: 1 on one machine, 3 in a cluster.",
    },
  ),
  NATS_ACK_WAIT_SECONDS: integer(
    60,
    { min: 2, max: 3600 },
    {
      description:
        'How long a command (or, for the process manager, an event) may go unanswered before another replica gets it: a crashed worker is replaced this quickly. Long work keeps its message with in-progress acks every third of it.',
    },
  ),
  STAGE_LEASE_SECONDS: integer(
    // Longer than one OpenStack request may take (OPENSTACK_TIMEOUT_SECONDS), which reports no progress.
    120,
    { min: 5, max: 3600 },
    {
      description:
        "How long a stage's holder keeps it without progress: work that reports none for this long is stopped (and fails as `stalled`), and another replica may take the stage over 15 s later.",
    },
  ),
  OUTAGE_WAIT_SECONDS: integer(
    900,
    { min: 10, max: 7 * 24 * 3600 },
    {
      description:
        "How long after a command was sent an outage of NATS or the event store is waited out without counting against the command's retries.",
    },
  ),
  COMMAND_MAX_FAILURES: integer(
    5,
    { min: 1, max: 100 },
    {
      description:
        'Failed deliveries of a command (its handler erred) before it goes to the dead-letter stream, where an admin may replay it.',
    },
  ),
  COMMAND_BACKOFF_SECONDS: integers(
    [1, 5, 15, 30, 60],
    { min: 0, max: 3600 },
    {
      description:
        'The waits before a failed command is delivered again: the first after the first failure, and so on; the last repeats.',
    },
  ),
  REACTION_MAX_FAILURES: integer(
    10,
    { min: 1, max: 100 },
    {
      description:
        "Failed deliveries of a job's event to the jobs service (sending the job's next command failed) before it goes to the dead-letter stream; the watchdog then fails the job when its stage's time is up.",
    },
  ),
  REACTION_BACKOFF_SECONDS: integers(
    [1, 2, 5, 10, 30],
    { min: 0, max: 3600 },
    {
      description:
        "The waits before a job's event whose reaction failed is delivered again: the first after the first failure, and so on; the last repeats.",
    },
  ),
  WATCHDOG_INTERVAL_SECONDS: integer(
    30,
    { min: 1, max: 3600 },
    { description: 'How often the jobs service looks for stages past their budget.' },
  ),
  STAGE_BUDGET_VALIDATION_SECONDS: stageBudget('validation', 900),
  STAGE_BUDGET_CONVERSION_SECONDS: stageBudget('conversion', 3600, ' plus its per-GiB part'),
  STAGE_BUDGET_CONVERSION_SECONDS_PER_GIB: perGib('conversion', 600),
  STAGE_BUDGET_UPLOAD_SECONDS: stageBudget('upload', 1800, ' plus its per-GiB part'),
  STAGE_BUDGET_UPLOAD_SECONDS_PER_GIB: perGib('upload', 300),
  STAGE_BUDGET_DEPLOYMENT_SECONDS: stageBudget('deployment', 3600),
  STAGE_BUDGET_VERIFICATION_SECONDS: stageBudget('verification', 1800),
  ROLLBACK_DEADLINE_SECONDS: integer(
    21600,
    { min: 60, max: 30 * 24 * 3600 },
    {
      description:
        'How long a rollback keeps trying to remove a resource while the cloud does not answer, before that step is recorded failed (an operator can run the rollback again).',
    },
  ),
  UPLOAD_MIN_MIB_PER_SECOND: integer(
    2,
    { min: 1, max: 10_000 },
    {
      description:
        'The slowest an upload to Glance may go: one that would take longer at this rate (plus OPENSTACK_TIMEOUT_SECONDS) is stopped and the job fails with `timeout`.',
    },
  ),
  JOBS_CONCURRENCY: concurrency('jobs', 16),
  DISCOVERY_CONCURRENCY: concurrency('discovery', 2),
  CONVERSION_CONCURRENCY: concurrency('conversion', 2),
  IMAGE_CONCURRENCY: concurrency('image', 2),
  COMPUTE_CONCURRENCY: concurrency('compute', 4),
  ROLLBACK_CONCURRENCY: concurrency('rollback', 4),
  GATEWAY_HOST: text('127.0.0.1', {
    description:
      'The address the gateway (GraphQL, health, metrics, the console) listens on; 0.0.0.0 for every interface.',
  }),
  GATEWAY_ALLOWED_ORIGINS: text('', {
    description:
      "Origins other than the gateway's own whose pages may use it (comma-separated, as https://console.example.com).",
  }),
  GATEWAY_SNAPSHOT_FILE: path('/var/tmp/ferry/gateway/projections.snapshot', {
    description:
      "Where the gateway saves its projections with the store's position they were folded to: a start takes the save back and folds only the commits after it (a save of another store or version is left, and the whole store folded). Losing it costs one slower start, nothing else.",
  }),
  GATEWAY_SNAPSHOT_SECONDS: integer(
    300,
    { min: 10, max: 24 * 3600 },
    {
      description:
        'How often the gateway saves its projections while commits come in (and once more when it stops).',
    },
  ),
  GATEWAY_MUTATIONS_PER_MINUTE: integer(
    60,
    { min: 1, max: 100_000 },
    { description: 'Changes (GraphQL mutations) one signed-in person may ask a minute.' },
  ),
  OIDC_ISSUER: optionalText({
    description:
      "The OpenID provider people sign in with (its issuer URL): the gateway then checks every operation's role.",
    example: '',
  }),
  OIDC_CLIENT_ID: text('ferry', { description: "The gateway's client id at the OpenID provider." }),
  OIDC_AUDIENCE: optionalText({
    description: 'The audience a bearer token must be for (OIDC_CLIENT_ID unless set).',
  }),
  OIDC_ROLES_CLAIM: text('roles', {
    description:
      'Where the roles are in a token (dots for nested claims, as realm_access.roles): viewer, operator, admin, plain or ferry- prefixed.',
  }),
  GATEWAY_SESSION_SECRET_FILE: optionalText({
    description:
      "A file of at least 32 random bytes that seals the console's sign-in cookies: the same file for every gateway replica. Unset, each start makes its own, and people sign in again after a restart.",
  }),
  GATEWAY_LOCAL_ADMIN_PASSWORD_FILE: optionalText({
    description:
      'A file holding the password of a local administrator who signs in to the console without an OpenID provider (npm start makes one at first start): sign-in is then on.',
  }),
  GATEWAY_PORT: integer(
    8080,
    { min: 1, max: 65535 },
    { description: 'The port the gateway listens on.' },
  ),
  CONSOLE_DIR: optionalText({
    description:
      "The console's built files the gateway serves at `/`; services/console/dist by default.",
    example: '/opt/ferry/console',
  }),
  METRICS_PORT: integer(
    0,
    { min: 0, max: 65535 },
    {
      description:
        'Where a worker serves Prometheus metrics (`GET /metrics`); 0 serves none. The gateway serves them on its own port. `npm start` gives each worker its own.',
    },
  ),
  METRICS_HOST: text('127.0.0.1', {
    description: "The address the workers' metrics listen on; 0.0.0.0 for every interface.",
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info', {
    description: 'The least severe level written to the logs.',
  }),
  LOG_FORMAT: oneOf(['auto', 'json', 'pretty'], 'auto', {
    description:
      'How a service shows its log lines on standard output: `auto` readable on a terminal (`npm start`) and JSON lines otherwise (a supervisor, a container), or always `json` or `pretty`. The files under LOG_DIR are JSON lines whatever this says.',
  }),
  LOG_DIR: path('logs', {
    description: 'Where `app.log` (API side) and `worker.log` (workers) are written.',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText({
    description:
      'Where traces go over OTLP/HTTP (a collector, e.g. `http://127.0.0.1:4318`; spans are posted to `/v1/traces`); the other `OTEL_EXPORTER_OTLP_*` variables apply. Unset with FERRY_TRACE_FILE unset too (the default), tracing is off and costs nothing.',
  }),
  FERRY_TRACE_FILE: optionalText({
    description:
      'A file each service appends its spans to, one JSON object per line (for tests, or without a collector), e.g. `logs/traces-{service}.jsonl`: a `{service}` in it is replaced by the service name.',
  }),
  VMWARE_WORKSTATION_PATHS: pathList({
    description:
      'Folders searched for Workstation VMs (.vmx); nothing outside them is ever opened.',
    example: '/srv/vmware/vms',
  }),
  VMWARE_ESXI_HOST: optionalText({
    description: 'An ESXi host or vCenter to discover VMs on.',
    example: 'esxi.example.internal',
  }),
  VMWARE_ESXI_USERNAME: optionalText({
    description: 'Its read-only user.',
    example: 'ferry-readonly',
  }),
  VMWARE_ESXI_PASSWORD: optionalText({
    description: 'Its password.',
    secret: true,
  }),
  VMWARE_ESXI_THUMBPRINT: optionalText({
    description: 'Accept exactly this certificate from the host: its SHA-1 thumbprint (AA:BB:...).',
  }),
  VMWARE_VCENTER_HOST: optionalText({
    description: 'A vCenter to discover VMs on.',
    example: 'vcenter.example.internal',
  }),
  VMWARE_VCENTER_USERNAME: optionalText({
    description: 'Its read-only user.',
    example: 'ferry-readonly@vsphere.local',
  }),
  VMWARE_VCENTER_PASSWORD: optionalText({ description: 'Its password.', secret: true }),
  VMWARE_VCENTER_INSECURE: boolean(false, {
    description: 'Accept a self-signed certificate from the vCenter.',
  }),
  VMWARE_VCENTER_THUMBPRINT: optionalText({
    description: 'Accept exactly this certificate from the vCenter: its SHA-1 thumbprint.',
  }),
  DISCOVERY_INTERVAL_SECONDS: integer(
    300,
    { min: 0, max: 86400 },
    {
      description: 'How often every source is refreshed; 0 refreshes only on request.',
    },
  ),
  VMWARE_ESXI_INSECURE: boolean(false, {
    description: 'Accept a self-signed certificate from the host.',
  }),
  OPENSTACK_CLOUD_NAME: text('openstack', {
    description: 'The cloud in clouds.yaml (OS_CLOUD, when set, takes precedence).',
  }),
  OPENSTACK_TIMEOUT_SECONDS: integer(
    60,
    { min: 1, max: 3600 },
    {
      description: 'Timeout of one OpenStack API request.',
    },
  ),
  OPENSTACK_RETRIES: integer(
    3,
    { min: 0, max: 20 },
    {
      description: 'Retries of an OpenStack request that failed in a way that may pass.',
    },
  ),
  IMAGE_ACTIVE_TIMEOUT_SECONDS: integer(
    600,
    { min: 10, max: 86400 },
    {
      description: 'How long Glance may take to make an uploaded image active.',
    },
  ),
  VOLUME_READY_TIMEOUT_SECONDS: integer(
    1800,
    { min: 10, max: 86400 },
    {
      description: "How long Cinder may take to make a volume of a disk's image.",
    },
  ),
  OPENSTACK_NETWORK_MAPPING: text('', {
    description:
      'Source network names to Neutron network names or ids, `source=target` pairs separated by commas (`VM Network=private,*=private`); `*` maps every other network. A job can override it.',
  }),
  OPENSTACK_VERIFY_TIMEOUT_SECONDS: integer(
    600,
    { min: 10, max: 86400 },
    {
      description: 'How long a server may take to become ACTIVE.',
    },
  ),
  OPENSTACK_QUOTA_PRECHECK: boolean(true, {
    description:
      "Before making a selection's jobs, check that the project's quotas hold them all (instances, cores, RAM, ports, volumes, gigabytes): a selection that cannot fit is refused whole, the shortfall named. Off: each job meets the quotas when it deploys.",
  }),
  OPENSTACK_VERIFY_BOOT_SECONDS: integer(
    300,
    { min: 0, max: 3600 },
    {
      description:
        "After ACTIVE, how long verification reads the server's console log for a login prompt and the addresses the guest shows (recorded as evidence; none is no failure, as many guests write nothing to the serial port); 0 skips it.",
    },
  ),
  OPENSTACK_VERIFY_INTERVAL_SECONDS: integer(
    5,
    { min: 1, max: 600 },
    {
      description: "How often the server's status is polled.",
    },
  ),
});

export type SettingName = keyof typeof catalogue;
