import {
  COMMAND_SUBJECTS,
  PUBLIC_COMMANDS,
  uploadSubject,
  DEAD_LETTER_SUBJECT_PREFIX,
  EVENT_SUBJECT_PREFIX,
  STREAMS,
  TOOL_LOG_SUBJECT_PREFIX,
  type CommandType,
  type EventCategory,
} from '@ferry/contracts';
import { STAGE_COMMANDS } from '@ferry/domain';

/** The services that pull commands from FERRY_CMD: each is its own identity and durable consumer. */
export const WORKERS = ['discovery', 'jobs', 'conversion', 'image', 'compute', 'rollback'] as const;

/** Who connects to NATS: each service as itself, other systems as `client`, provisioning as `admin`. */
export const IDENTITIES = ['admin', 'client', ...WORKERS, 'gateway'] as const;
export type Identity = (typeof IDENTITIES)[number];

/** What an identity may publish and subscribe to, as nats-server's `permissions` say it. */
export interface Permissions {
  readonly publish: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny: readonly string[] };
}

interface Part {
  /** Durable consumers it pulls from: on FERRY_CMD (its commands) and on FERRY_EVT. */
  readonly commands?: boolean;
  /**
   * Its commands come on `<subject>.<host>`, one durable consumer per host (named `<identity>-<host>`):
   * it may make and pull any consumer of those subjects, and none of another identity's.
   */
  readonly commandsByHost?: string;
  readonly eventConsumers?: readonly string[];
  /** The categories of event streams it appends to. */
  readonly appends?: readonly EventCategory[];
  readonly sends?: readonly CommandType[];
  /** Follows its jobs' commits as they are stored (a stage that must stop when its job is cancelled). */
  readonly watchesJobs?: boolean;
  /** Writes the tool logs of the jobs it works on (what virt-v2v and qemu-img said). */
  readonly writesToolLogs?: boolean;
  /** Reads FERRY_DLQ's dead letters and removes the ones it replays. */
  readonly replaysDeadLetters?: boolean;
}

/** The durable consumer of FERRY_EVT that drives every job (the jobs service's process manager). */
export const PROCESS_MANAGER_DURABLE = 'jobs-process-manager';

const STAGE: Part = { commands: true, appends: ['migration', 'rejection'], watchesJobs: true };

/** Each identity's part in Ferry; admin has no limits. */
const PARTS: Readonly<Record<Exclude<Identity, 'admin'>, Part>> = {
  client: { sends: PUBLIC_COMMANDS },
  // It asks for its own refresh on a schedule, as an operator would.
  discovery: {
    commands: true,
    appends: ['inventory', 'refresh', 'rejection'],
    sends: ['RefreshInventory'],
  },
  jobs: {
    ...STAGE,
    eventConsumers: [PROCESS_MANAGER_DURABLE],
    appends: ['migration', 'vm', 'selection', 'rejection'],
    sends: STAGE_COMMANDS,
  },
  conversion: { ...STAGE, writesToolLogs: true },
  image: { ...STAGE, commandsByHost: COMMAND_SUBJECTS.UploadImage },
  compute: STAGE,
  rollback: STAGE,
  // A replay sends a dead letter's command again, whichever it is: only an admin reaches that
  // mutation, and the gateway still appends no event and pulls no worker's commands.
  gateway: { sends: Object.keys(COMMAND_SUBJECTS) as CommandType[], replaysDeadLetters: true },
};

const API = '$JS.API';
const EVT = STREAMS.events;
const CMD = STREAMS.commands;
const LOG = STREAMS.toolLogs;
const DLQ = STREAMS.deadLetters;

/** The inbox prefix an identity's replies come to: no identity reads another's answers. */
export const inboxPrefix = (identity: Identity) => `_INBOX_${identity}`;

/** The image service's durable consumer on one conversion host: the uploads routed there. */
export const imageDurable = (host: string) => `image-${host}`;

/** Consumers of FERRY_CMD named after a host, on `<subject>.<host>`: see Part.commandsByHost. */
const byHost = (identity: Identity, subject: string) => [
  `${API}.CONSUMER.CREATE.${CMD}.*.${subject}.*`,
  `${API}.CONSUMER.INFO.${CMD}.*`,
  `${API}.CONSUMER.MSG.NEXT.${CMD}.*`,
  `$JS.ACK.${CMD}.*.>`,
  // The one consumer of all its commands it had before they were routed by host.
  `${API}.CONSUMER.DELETE.${CMD}.${identity}`,
];

/** A durable consumer of `stream`, as its puller needs it: made or updated, asked of, pulled, acked. */
const durable = (stream: string, name: string) => [
  `${API}.CONSUMER.CREATE.${stream}.${name}`,
  `${API}.CONSUMER.CREATE.${stream}.${name}.>`,
  `${API}.CONSUMER.INFO.${stream}.${name}`,
  `${API}.CONSUMER.MSG.NEXT.${stream}.${name}`,
  `$JS.ACK.${stream}.${name}.>`,
];

/**
 * What `identity` may do on NATS, or undefined for admin (everything: streams are its alone).
 * Every identity reads the event store (its streams' last commits directly, any of them through
 * its own short-lived consumers) and no other identity's durable consumer; services append to the
 * categories they own, pull their own commands, and send only the commands that are theirs.
 */
export function permissionsOf(identity: Identity): Permissions | undefined {
  if (identity === 'admin') return undefined;
  const part = PARTS[identity];
  const own = new Set([...(part.eventConsumers ?? [])]);
  const othersDurables = Object.values(PARTS)
    .flatMap((p) => p.eventConsumers ?? [])
    .filter((d) => !own.has(d));
  return {
    publish: {
      allow: [
        `${API}.INFO`,
        ...[EVT, CMD, DLQ, LOG].map((s) => `${API}.STREAM.INFO.${s}`),
        `${API}.DIRECT.GET.${EVT}`,
        `${API}.DIRECT.GET.${EVT}.>`,
        // The store and the tool logs are read through short-lived consumers of one's own.
        ...[EVT, LOG].flatMap((s) => [
          `${API}.CONSUMER.CREATE.${s}.>`,
          ...['INFO', 'DELETE', 'MSG.NEXT'].map((verb) => `${API}.CONSUMER.${verb}.${s}.*`),
        ]),
        ...(part.eventConsumers ?? []).flatMap((d) => durable(EVT, d)),
        ...(part.commandsByHost
          ? byHost(identity, part.commandsByHost)
          : part.commands
            ? durable(CMD, identity)
            : []),
        ...(part.appends ?? []).map((c) => `${EVENT_SUBJECT_PREFIX}.${c}.*`),
        ...(part.commands ? [`${DEAD_LETTER_SUBJECT_PREFIX}.>`] : []),
        ...(part.sends ?? []).flatMap((c) =>
          c === 'UploadImage' ? [COMMAND_SUBJECTS[c], uploadSubject('*')] : [COMMAND_SUBJECTS[c]],
        ),
        ...(part.writesToolLogs ? [`${TOOL_LOG_SUBJECT_PREFIX}.*`] : []),
        ...(part.replaysDeadLetters
          ? [`${API}.STREAM.MSG.GET.${DLQ}`, `${API}.STREAM.MSG.DELETE.${DLQ}`]
          : []),
      ],
      deny: [
        ...othersDurables.flatMap((d) => [
          `${API}.CONSUMER.*.${EVT}.${d}`,
          `${API}.CONSUMER.*.${EVT}.${d}.>`,
          `${API}.CONSUMER.MSG.NEXT.${EVT}.${d}`,
        ]),
        // Its wildcards over FERRY_CMD's consumers stop at the other services' own.
        ...(part.commandsByHost
          ? WORKERS.filter((w) => w !== identity).flatMap((w) => [
              `${API}.CONSUMER.*.${CMD}.${w}`,
              `${API}.CONSUMER.*.${CMD}.${w}.>`,
              `${API}.CONSUMER.MSG.NEXT.${CMD}.${w}`,
              `$JS.ACK.${CMD}.${w}.>`,
            ])
          : []),
      ],
    },
    subscribe: {
      allow: [
        `${inboxPrefix(identity)}.>`,
        ...(part.watchesJobs ? [`${EVENT_SUBJECT_PREFIX}.migration.*`] : []),
      ],
      deny: [],
    },
  };
}

/**
 * nats-server's `authorization` block for these users (nkey public keys by identity): each with
 * the permissions of its identity. Included by every server configuration Ferry makes.
 */
export function authorizationConfig(users: Readonly<Partial<Record<Identity, string>>>): string {
  const entries = Object.entries(users).map(([identity, nkey]) => {
    const permissions = permissionsOf(identity as Identity);
    const body = permissions
      ? `, permissions: ${JSON.stringify({
          publish: permissions.publish,
          subscribe: permissions.subscribe,
        })}`
      : '';
    return `    { nkey: ${JSON.stringify(nkey)}${body} }  # ${identity}`;
  });
  return `authorization {\n  users: [\n${entries.join('\n')}\n  ]\n}\n`;
}
