import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASYNCAPI_FILE, asyncApiYaml } from './asyncapi.ts';
import { commandSchemas } from './commands/index.ts';
import { eventSchemasByCategory } from './events/index.ts';
import { COMMAND_SUBJECTS, EVENT_CATEGORIES, EVENT_SUBJECT_PREFIX } from './subjects.ts';

interface Parsed {
  readonly diagnostics: { code: string; severity: number; message: string; path: string }[];
  readonly channels: { address: string; actions: string[]; payloads: unknown[] }[];
}
type Schema = { readonly properties?: Record<string, Schema>; readonly items?: Schema } & Record<
  string,
  unknown
>;

// Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
const INFORMATION = 2;
const plain = (schema: unknown) => JSON.parse(JSON.stringify(schema)) as Schema;

describe('the published AsyncAPI document', () => {
  const published = readFileSync(ASYNCAPI_FILE, 'utf8');
  let parsed: Parsed;
  beforeAll(async () => {
    const script = join(import.meta.dirname, 'testing', 'parse-asyncapi.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [script, ASYNCAPI_FILE]);
    parsed = JSON.parse(stdout) as Parsed;
  }, 30_000);
  const channelAt = (match: (address: string) => boolean) =>
    parsed.channels.find((c) => match(c.address));

  it('is not stale: the file is exactly what the build writes (run `npm run schemas -w @ferry/contracts`)', () => {
    expect(published).toBe(asyncApiYaml());
  });

  it('is valid for the AsyncAPI parser, without an error, a warning or an information (such as a newer AsyncAPI version)', () => {
    const problems = parsed.diagnostics.filter((d) => d.severity <= INFORMATION);
    expect(problems.map((d) => `${d.code} at ${d.path}: ${d.message}`)).toEqual([]);
  });

  it('has a channel for every command subject, where Ferry receives that command', () => {
    for (const [type, subject] of Object.entries(COMMAND_SUBJECTS)) {
      const channel = channelAt((address) => address === subject);
      const schema = commandSchemas.find((s) => s.title === type);
      expect(channel?.payloads, subject).toEqual([plain(schema)]);
      expect(channel?.actions, subject).toEqual(['receive']);
    }
  });

  it("has every event in its category's commits, on the category's channel, where Ferry sends them", () => {
    for (const category of EVENT_CATEGORIES) {
      const channel = channelAt((a) => a.startsWith(`${EVENT_SUBJECT_PREFIX}.${category}.{`));
      const [commit] = (channel?.payloads ?? []) as Schema[];
      const stored = (commit?.properties?.events?.items?.oneOf ?? []) as Schema[];
      expect(
        stored.map(({ properties }) => ({ type: properties?.type, data: properties?.data })),
        category,
      ).toEqual(
        eventSchemasByCategory[category].map((e) =>
          plain({ type: e.properties.type, data: e.properties.data }),
        ),
      );
      expect(channel?.actions, category).toEqual(['send']);
    }
  });
});
