import { commandSchemas } from './commands/index.ts';
import { EventCommit, EventId } from './commit.ts';
import { eventSchemas, eventSchemasByCategory } from './events/index.ts';
import { HEADERS } from './headers.ts';
import type { TSchema } from './schema.ts';
import type { EventCategory } from './subjects.ts';
import { ToolLogBatch } from './tool-log.ts';

/** A schema as plain JSON data: what TypeBox built, without anything JSON does not carry. */
type Json = Record<string, unknown>;
const json = (schema: TSchema | Json): Json => JSON.parse(JSON.stringify(schema)) as Json;

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** `MigrationCommit`: the name of a category's commit, as a schema and as a message. */
export const commitName = (category: EventCategory) =>
  `${category[0]?.toUpperCase()}${category.slice(1)}Commit`;

const storedName = (eventType: string) => `Stored${eventType}`;

/**
 * An event as a commit holds it: the published event schema's fields, by reference, and the
 * event's id. (The event schemas are closed, so `allOf` with the id could never validate.)
 */
function storedEvent(event: TSchema & { title: string }): Json {
  const at = (field: string) => ({
    $ref: `#/components/schemas/${event.title}/properties/${field}`,
  });
  return {
    type: 'object',
    description: `${event.title}, with its id.`,
    required: ['id', ...(json(event).required as string[])],
    properties: { id: json(EventId), type: at('type'), data: at('data'), metadata: at('metadata') },
    additionalProperties: false,
  };
}

/** A category's commit: EventCommit, its events one of the category's, each with its type's data. */
function commit(category: EventCategory): Json {
  const generic = json(EventCommit) as { properties: { events: Json } };
  const events = eventSchemasByCategory[category];
  return {
    ...generic,
    description: `One message of \`ferry.evt.${category}.*\`: the events one command appended to one stream at once.`,
    properties: {
      ...generic.properties,
      events: {
        ...generic.properties.events,
        items: { oneOf: events.map((e) => schemaRef(storedName(e.title))) },
      },
    },
  };
}

const header = (description: string) => ({ type: 'string', description });

/** What a command's NATS headers say; Ferry reads the command id from its payload when they are absent. */
const CommandHeaders = {
  type: 'object',
  properties: {
    'Nats-Msg-Id': header(
      "The command's id (`metadata.commandId`): JetStream keeps one copy of a command sent again within its duplicate window.",
    ),
    [HEADERS.commandId]: header("The command's id."),
    [HEADERS.correlationId]: header('The conversation the command belongs to.'),
    [HEADERS.causationId]: header('The event or command that caused this one.'),
    [HEADERS.traceparent]: header('W3C trace context: Ferry continues the trace.'),
  },
};

const CommitHeaders = {
  type: 'object',
  required: ['Nats-Msg-Id', HEADERS.revision],
  properties: {
    'Nats-Msg-Id': header("The first event's id: a commit sent again is stored once."),
    [HEADERS.revision]: header("The revision of the commit's last event in its stream."),
    [HEADERS.traceparent]: header('W3C trace context of the work that decided the events.'),
  },
};

/**
 * The document's schemas: every published command and event schema under its title, as the files
 * under `schemas/` hold them; each category's commit, and the events as commits hold them; the
 * tool log; the headers.
 */
export function componentSchemas(): Json {
  const schemas: Json = {};
  for (const schema of [...commandSchemas, ...eventSchemas]) schemas[schema.title] = json(schema);
  for (const [category, events] of Object.entries(eventSchemasByCategory)) {
    schemas[commitName(category as EventCategory)] = commit(category as EventCategory);
    for (const event of events) schemas[storedName(event.title)] = storedEvent(event);
  }
  schemas.ToolLogBatch = json(ToolLogBatch);
  schemas.CommandHeaders = CommandHeaders;
  schemas.CommitHeaders = CommitHeaders;
  return schemas;
}
