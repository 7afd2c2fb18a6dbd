// The shapes the console selects from the gateway's schema (services/gateway/src/schema.graphql).

export const MIGRATION_STATES = [
  'PENDING',
  'DISCOVERED',
  'CONVERTING',
  'UPLOADING',
  'DEPLOYED',
  'VERIFIED',
  'FAILED',
  'ROLLED_BACK',
] as const;
export type MigrationState = (typeof MIGRATION_STATES)[number];

export const POWER_STATES = ['poweredOff', 'poweredOn', 'suspended'] as const;
export type PowerState = (typeof POWER_STATES)[number];

export type SourceKind = 'workstation' | 'esxi' | 'vcenter';

export interface Source {
  readonly kind: SourceKind;
  readonly id: string;
  readonly key: string;
  readonly reachable: boolean;
  readonly error: string | null;
  readonly vmCount: number;
}

export interface ActiveJob {
  readonly id: string;
  readonly state: MigrationState;
  readonly phase: string;
}

export interface Vm {
  readonly key: string;
  readonly name: string;
  readonly source: Pick<Source, 'kind' | 'id' | 'key' | 'reachable'>;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly firmware: string;
  readonly secureBoot: boolean;
  readonly guestOs: string;
  readonly powerState: PowerState;
  readonly hasSnapshots: boolean;
  readonly disks: readonly {
    readonly index: number;
    readonly controller: string;
    readonly slot: string;
    readonly path: string;
    readonly capacityBytes: number;
  }[];
  readonly totalDiskBytes: number;
  readonly nics: readonly {
    readonly index: number;
    readonly network: string;
    readonly mac: string | null;
    readonly addresses: readonly string[];
  }[];
  readonly labels: readonly { readonly key: string; readonly value: string }[];
  readonly problems: readonly string[];
  readonly stale: boolean;
  readonly activeJob: ActiveJob | null;
}

export interface UnreadableVm {
  readonly location: string;
  readonly source: { readonly key: string };
  readonly error: string;
}

export interface StageTiming {
  readonly stage: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly outcome: string;
}

export interface DiskProgress {
  readonly diskIndex: number;
  readonly path: string;
  readonly capacityBytes: number;
  readonly percent: number;
  readonly bytesDone: number | null;
}

export interface MigrationError {
  readonly stage: string;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly at: string;
}

/** A job as the dashboard lists it. */
export interface MigrationSummary {
  readonly id: string;
  readonly state: MigrationState;
  readonly phase: string;
  readonly finished: boolean;
  /** Asked of the job's state machine by the gateway: the console repeats no rule. */
  readonly canCancel: boolean;
  readonly canRetry: boolean;
  readonly canRerunRollback: boolean;
  readonly vmKey: string;
  readonly vmName: string;
  readonly source: { readonly key: string };
  readonly attempt: number;
  readonly dryRun: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly eventCount: number;
  readonly stages: readonly StageTiming[];
  readonly disks: readonly DiskProgress[];
  readonly error: Pick<MigrationError, 'stage' | 'code' | 'message'> | null;
}

export interface MigrationOptions {
  readonly strategy: string;
  readonly bootMode: string;
  readonly flavor: string | null;
  readonly networkMapping: readonly { readonly source: string; readonly target: string }[];
  readonly keepMac: boolean;
  readonly keepIps: boolean;
  readonly availabilityZone: string | null;
  readonly securityGroups: readonly string[];
  readonly keyName: string | null;
  readonly volumeType: string | null;
  readonly serverName: string | null;
}

export interface ValidationCheckView {
  readonly name: string;
  readonly outcome: string;
  readonly detail: string;
  readonly severity: string | null;
  readonly facts: string | null;
}

export interface ToolLogLine {
  readonly at: string;
  readonly tool: string;
  readonly kind: string;
  readonly text: string;
}

export interface RollbackStep {
  readonly kind: string;
  readonly id: string;
  readonly name: string | null;
  readonly outcome: string;
  readonly detail: string;
  readonly at: string;
}

export interface TimelineEvent {
  readonly revision: number;
  readonly type: string;
  readonly at: string;
  readonly summary: string;
  readonly commandId: string;
  readonly actor: Actor | null;
  readonly data: unknown;
}

/** Who asked: a person signed in, or one of Ferry's trusted systems. */
export interface Actor {
  readonly kind: 'person' | 'system';
  readonly id: string;
  readonly name: string | null;
}

/** A job with everything its detail page shows. */
export interface MigrationDetail extends Omit<MigrationSummary, 'error'> {
  readonly options: MigrationOptions;
  readonly flags: {
    readonly realConversion: boolean;
    readonly openstackDeployment: boolean;
    readonly rollback: boolean;
  };
  readonly validation: {
    readonly outcome: string;
    readonly at: string;
    readonly checks: readonly ValidationCheckView[];
  } | null;
  readonly conversion: {
    readonly strategy: string;
    readonly dryRun: boolean;
    readonly commands: readonly string[];
    readonly startedAt: string;
    readonly completedAt: string | null;
  } | null;
  readonly artifacts: readonly {
    readonly diskIndex: number;
    readonly path: string;
    readonly format: string;
    readonly virtualSize: number;
    readonly allocatedSize: number;
    readonly sha256: string | null;
    readonly imageId: string | null;
    readonly imageHash: string | null;
  }[];
  readonly imageId: string | null;
  readonly imageIds: readonly string[];
  readonly serverId: string | null;
  readonly ports: readonly string[];
  readonly volumes: readonly string[];
  readonly resources: readonly {
    readonly kind: string;
    readonly id: string;
    readonly name: string | null;
  }[];
  readonly error: MigrationError | null;
  readonly rollback: {
    readonly startedAt: string;
    readonly outcome: string | null;
    readonly completedAt: string | null;
    readonly steps: readonly RollbackStep[];
  } | null;
  readonly timeline: readonly TimelineEvent[];
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

export interface MigrationPage {
  readonly edges: readonly { readonly cursor: string; readonly node: MigrationSummary }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

export interface MigrationOptionsInput {
  strategy?: string;
  bootMode?: string;
  flavor?: string;
  networkMapping?: { source: string; target: string }[];
  keepMac?: boolean;
  keepIps?: boolean;
  availabilityZone?: string;
  securityGroups?: string[];
  keyName?: string;
  volumeType?: string;
  serverName?: string;
}

export interface MigrateResult {
  readonly commandId: string;
  readonly jobs: readonly { readonly jobId: string; readonly vmKey: string }[];
  readonly skipped: readonly {
    readonly vmKey: string;
    readonly reason: string;
    readonly activeJobId: string | null;
    readonly detail: string | null;
  }[];
}

export interface CommandOutcome {
  readonly commandId: string;
  readonly jobId: string | null;
  readonly accepted: boolean;
  readonly reason: string | null;
}

export interface Health {
  readonly status: string;
  readonly components: readonly {
    readonly kind: string;
    readonly name: string;
    readonly ok: boolean;
    readonly status: string;
    readonly latencyMs: number | null;
    readonly version: string | null;
    readonly url: string | null;
    readonly detail: string | null;
  }[];
}
