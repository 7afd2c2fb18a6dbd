import { join } from 'node:path';
import { stringify } from 'yaml';
import { commitName, componentSchemas, schemaRef } from './asyncapi-schemas.ts';
import { uploadSubject } from './command-subject.ts';
import { commandSchemas } from './commands/index.ts';
import { eventSchemasByCategory } from './events/index.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { MAX_MESSAGE_BYTES, streamConfigs } from './streams.ts';
import {
  COMMAND_SUBJECTS,
  EVENT_CATEGORIES,
  EVENT_SUBJECT_PREFIX,
  eventSubject,
  PUBLIC_COMMANDS,
  STREAMS,
  toolLogSubject,
  type CommandType,
  type EventCategory,
} from './subjects.ts';

/** What names a category's streams: the parameter of its subjects. */
const STREAM_IDS = {
  migration: { name: 'jobId', description: 'The job: all its events, in order.' },
  vm: { name: 'vmKey', description: 'The VM: which job holds it.' },
  inventory: {
    name: 'sourceDigest',
    description: 'A configured source: the first 24 hex digits of sha256 of `<kind>:<id>`.',
  },
  selection: {
    name: 'commandDigest',
    description: 'A CreateMigrations command: the first 32 hex digits of sha256 of its command id.',
  },
  refresh: {
    name: 'commandDigest',
    description: 'A RefreshInventory command: the first 32 hex digits of sha256 of its command id.',
  },
  rejection: {
    name: 'commandDigest',
    description: 'A rejected command: the first 32 hex digits of sha256 of its command id.',
  },
} as const satisfies Record<EventCategory, { name: string; description: string }>;

const isPublic = (type: CommandType) => (PUBLIC_COMMANDS as readonly CommandType[]).includes(type);
const ref = (path: string) => ({ $ref: `#/${path}` });
const capitalized = (s: string) => `${s[0]?.toUpperCase()}${s.slice(1)}`;
const UPLOAD_ON_HOST = 'UploadImageOnHost';
const commandStream = streamConfigs(1).find((s) => s.name === STREAMS.commands);
const dedupeMinutes = (commandStream?.duplicate_window ?? 0) / 60e9;

const description = `Ferry migrates VMware VMs to OpenStack. Other systems drive it on NATS JetStream: they
publish commands (stream \`${STREAMS.commands}\`) and read the events, which are Ferry's store
(stream \`${STREAMS.events}\`). The operations here are Ferry's: it receives the commands and sends
the events, so another system sends the one and receives the other.

- **Connect** as the \`client\` identity: its nkey (\`NATS_NKEY\`), over TLS with Ferry's CA
  (\`NATS_CA\`), with the inbox prefix \`_INBOX_client\` (replies reach no other inbox). It may send
  the public commands (${PUBLIC_COMMANDS.join(', ')}) and read events and tool logs.
- **Send** a command as JSON on its subject, through JetStream, with a \`metadata.commandId\` of your
  own (unique; kept when sending again) as the \`Nats-Msg-Id\`: a command sent again within
  ${dedupeMinutes} minutes is stored once. A message is at most ${MAX_MESSAGE_BYTES / 1024 / 1024} MB.
- **Its answer**: a CreateMigrations command's outcome (MigrationSelectionProcessed: the jobs created,
  the VMs skipped and why) is recorded on \`${eventSubject('selection', '<d>')}\`, the end of a
  RefreshInventory (InventoryRefreshCompleted: each source read, or why not) on
  \`${eventSubject('refresh', '<d>')}\`, and a command that
  can never succeed is answered by CommandRejected on \`${eventSubject('rejection', '<d>')}\`, where
  \`<d>\` is the first 32 hex digits of sha256 of the command id (a consumer filtered on
  \`${EVENT_SUBJECT_PREFIX}.*.<d>\` finds either). A request about a job (cancel,
  retry) is answered on the job's subject by the first event whose \`metadata.commandId\` is the
  command id or begins with it and a colon.
- **Follow a job** on \`${eventSubject('migration', '<jobId>')}\`, read through an ordered consumer
  of \`${STREAMS.events}\` filtered on that one subject (the client may create a consumer only
  through the API subject that names its filter), from its start: each message is a commit of one
  or more events of the stream, in order.
  A job ends VERIFIED (MigrationVerified), ROLLED_BACK (RollbackCompleted), or FAILED
  (MigrationFailed) when its rollback is off. Its conversion tools' output is on
  \`${toolLogSubject('<jobId>')}\`.

The schemas of the commands and events are the JSON Schemas (draft-07) that Ferry publishes in
\`libs/contracts/schemas/\` and checks every message against; a commit holds events of those
schemas, each with its id.`;

function commandParts(type: CommandType) {
  const channel = {
    address: COMMAND_SUBJECTS[type],
    messages: { [type]: ref(`components/messages/${type}`) },
  };
  const operation = {
    action: 'receive',
    channel: ref(`channels/${type}`),
    summary: isPublic(type)
      ? `Ferry carries out ${type}: other systems send it.`
      : `Ferry carries out ${type}, which only its own services send.`,
    tags: [ref(`components/tags/${isPublic(type) ? 'public' : 'internal'}`)],
    messages: [ref(`channels/${type}/messages/${type}`)],
  };
  return { channel, operation };
}

function eventParts(category: EventCategory) {
  const id = STREAM_IDS[category];
  const name = commitName(category);
  const channel = {
    address: eventSubject(category, `{${id.name}}`),
    description: `The streams of the ${category} category, one per ${id.name}.`,
    parameters: { [id.name]: { description: id.description } },
    messages: { [name]: ref(`components/messages/${name}`) },
  };
  const operation = {
    action: 'send',
    channel: ref(`channels/${category}Events`),
    summary: `Ferry appends ${category} events (${eventSchemasByCategory[category].map((e) => e.title).join(', ')}).`,
    messages: [ref(`channels/${category}Events/messages/${name}`)],
  };
  return { channel, operation };
}

/** Ferry's NATS interface as an AsyncAPI 3.1 document, built from the contracts themselves. */
export function asyncApiDocument() {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const schema of commandSchemas) {
    const { channel, operation } = commandParts(schema.title);
    channels[schema.title] = channel;
    operations[`receive${schema.title}`] = operation;
    messages[schema.title] = {
      name: schema.title,
      title: schema.title,
      summary: schema.description,
      headers: schemaRef('CommandHeaders'),
      payload: schemaRef(schema.title),
      correlationId: {
        description: 'Its answer carries it as `metadata.commandId`.',
        location: '$message.payload#/metadata/commandId',
      },
    };
  }
  channels[UPLOAD_ON_HOST] = {
    address: uploadSubject('{host}'),
    description: 'Uploads routed to the conversion host that holds the converted disks.',
    parameters: { host: { description: "The conversion host's FERRY_HOST." } },
    messages: { UploadImage: ref('components/messages/UploadImage') },
  };
  operations[`receive${UPLOAD_ON_HOST}`] = {
    action: 'receive',
    channel: ref(`channels/${UPLOAD_ON_HOST}`),
    summary: 'Ferry carries out UploadImage on the host named, which only its own services send.',
    tags: [ref('components/tags/internal')],
    messages: [ref(`channels/${UPLOAD_ON_HOST}/messages/UploadImage`)],
  };
  for (const category of EVENT_CATEGORIES) {
    const { channel, operation } = eventParts(category);
    const name = commitName(category);
    channels[`${category}Events`] = channel;
    operations[`send${capitalized(category)}Events`] = operation;
    messages[name] = {
      name,
      title: `${capitalized(category)} events`,
      summary: `A commit: one or more ${category} events of one stream.`,
      headers: schemaRef('CommitHeaders'),
      payload: schemaRef(name),
    };
  }
  channels.toolLog = {
    address: toolLogSubject('{jobId}'),
    description: `What virt-v2v and qemu-img said while working on a job (stream \`${STREAMS.toolLogs}\`).`,
    parameters: { jobId: { description: 'The job.' } },
    messages: { ToolLogBatch: ref('components/messages/ToolLogBatch') },
  };
  operations.sendToolLog = {
    action: 'send',
    channel: ref('channels/toolLog'),
    summary: 'Ferry writes the lines its conversion tools say, secrets removed.',
    messages: [ref('channels/toolLog/messages/ToolLogBatch')],
  };
  messages.ToolLogBatch = {
    name: 'ToolLogBatch',
    title: 'Tool log lines',
    payload: schemaRef('ToolLogBatch'),
  };
  return {
    asyncapi: '3.1.0',
    id: `urn:ferry:${SCHEMA_VERSION}`,
    info: {
      title: 'Ferry',
      version: SCHEMA_VERSION,
      description,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: {
      local: {
        host: '127.0.0.1:14222',
        protocol: 'nats',
        description:
          "`npm start`'s nats-server (`FERRY_NATS_PORT`): TLS; it prints the client's `NATS_NKEY` and `NATS_CA`.",
        security: [ref('components/securitySchemes/nkey')],
      },
      compose: {
        host: 'localhost:4222',
        protocol: 'nats',
        description:
          "`docker compose`: the first node of the NATS cluster (`FERRY_NATS_PORT`): TLS; the client's nkey and the CA are in the `nats-identities` volume.",
        security: [ref('components/securitySchemes/nkey')],
      },
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: componentSchemas(),
      messages,
      securitySchemes: {
        nkey: {
          type: 'asymmetricEncryption',
          description:
            'A NATS nkey per identity (or a credentials file, `NATS_CREDS`), over TLS: the server lets each identity do only its part.',
        },
      },
      tags: {
        public: {
          name: 'public',
          description: 'Other systems (the `client` identity) may send it.',
        },
        internal: {
          name: 'internal',
          description: "Sent by Ferry's own services only; listed so that its traffic can be read.",
        },
      },
    },
  };
}

/** Where the document is published: beside the JSON Schemas' folder. */
export const ASYNCAPI_FILE = join(import.meta.dirname, '..', 'asyncapi.yaml');

/** The document as the published file holds it. */
export const asyncApiYaml = (): string =>
  stringify(asyncApiDocument(), { aliasDuplicateObjects: false, lineWidth: 0 });
