/** JetStream streams: commands are a work queue, events the append-only store. */
export const STREAMS = {
  commands: 'FERRY_CMD',
  events: 'FERRY_EVT',
  deadLetters: 'FERRY_DLQ',
  toolLogs: 'FERRY_LOG',
} as const;

export const COMMAND_SUBJECT_PREFIX = 'ferry.cmd';
export const EVENT_SUBJECT_PREFIX = 'ferry.evt';
export const DEAD_LETTER_SUBJECT_PREFIX = 'ferry.dlq';
export const TOOL_LOG_SUBJECT_PREFIX = 'ferry.log';
/** A job's tool log: what virt-v2v and qemu-img said while they worked on it. */
export const toolLogSubject = (jobId: string) => `${TOOL_LOG_SUBJECT_PREFIX}.${jobId}`;

/** `ferry.cmd.<service>.<verb>`: the service that handles a command is in its subject. */
export const COMMAND_SUBJECTS = {
  CreateMigrations: 'ferry.cmd.migration.create',
  CancelMigration: 'ferry.cmd.migration.cancel',
  RetryMigration: 'ferry.cmd.migration.retry',
  RerunRollback: 'ferry.cmd.migration.rollback',
  ValidateMigration: 'ferry.cmd.migration.validate',
  RefreshInventory: 'ferry.cmd.discovery.refresh',
  ConvertDisks: 'ferry.cmd.conversion.convert',
  UploadImage: 'ferry.cmd.image.upload',
  DeployServer: 'ferry.cmd.compute.deploy',
  VerifyServer: 'ferry.cmd.compute.verify',
  RollBackMigration: 'ferry.cmd.rollback.run',
} as const;
export type CommandType = keyof typeof COMMAND_SUBJECTS;
export type CommandSubject = (typeof COMMAND_SUBJECTS)[CommandType];

/** The commands other systems may send: what an operator asks for, never a stage's own command. */
export const PUBLIC_COMMANDS = [
  'CreateMigrations',
  'CancelMigration',
  'RetryMigration',
  'RefreshInventory',
] as const satisfies readonly CommandType[];

/** Event streams by category; each stream is `<category>-<id>` on subject `ferry.evt.<category>.<id>`. */
export const EVENT_CATEGORIES = [
  'migration',
  'vm',
  'inventory',
  'selection',
  'refresh',
  'rejection',
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export const eventSubject = (category: EventCategory, id: string) =>
  `${EVENT_SUBJECT_PREFIX}.${category}.${id}`;
export const streamName = (category: EventCategory, id: string) => `${category}-${id}`;
/** A job's stream: every event of the job, in order. */
export const migrationStream = (jobId: string) => streamName('migration', jobId);
/** A VM's claim stream: which job holds the VM. */
export const vmClaimStream = (vmKey: string) => streamName('vm', vmKey);

/**
 * The id of one decision a handler makes for a command (`<command id>:<step>`), which the events it
 * decides carry: a redelivered command makes the same decisions under the same ids, and its sender
 * finds what its command did by them.
 */
export const decisionId = (commandId: string, step: string): string =>
  `${commandId}:${step}`.slice(0, 128);

/** Whether an event was decided for the command with this id (by it, or by one of its steps). */
export const decidedFor = (commandId: string, eventCommandId: string): boolean =>
  eventCommandId === commandId || eventCommandId.startsWith(`${commandId}:`);

/**
 * Where the rejection of a command is recorded: `rejection-<32 hex of sha256(commandId)>`, so a
 * sender in any language finds the answer to its command by the id it chose.
 */
export const rejectionStreamId = (commandId: string): Promise<string> => commandDigest(commandId);

/**
 * Where the outcome of a CreateMigrations command is recorded (MigrationSelectionProcessed, on
 * `selection-<id>`): the same digest of the command id, so the sender finds its jobs by the id it chose.
 */
export const selectionStreamId = (commandId: string): Promise<string> => commandDigest(commandId);

/**
 * Where the outcome of a RefreshInventory command is recorded (InventoryRefreshCompleted, on
 * `refresh-<id>`): the same digest of the command id, so the sender knows when its refresh ended.
 */
export const refreshStreamId = (commandId: string): Promise<string> => commandDigest(commandId);

async function commandDigest(commandId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(commandId));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}
