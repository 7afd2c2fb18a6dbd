import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Document } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudConfigError, loadCloudConfig, type CloudConfig } from './cloud-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-clouds-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = {
  OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'),
  OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml'),
};

let secureWritten: string | undefined;

/** Reads these files as the services do: a config, or a CloudConfigError; anything else fails. */
function load(clouds: string, secure = ''): CloudConfig | CloudConfigError {
  writeFileSync(env.OS_CLIENT_CONFIG_FILE, clouds);
  if (secure !== secureWritten) writeFileSync(env.OS_CLIENT_SECURE_FILE, (secureWritten = secure));
  try {
    return loadCloudConfig({ env });
  } catch (error) {
    if (!(error instanceof CloudConfigError)) throw error;
    expect(error.message).toMatch(/\S/);
    return error;
  }
}
const yaml = (value: unknown) => new Document(value).toString({ lineWidth: 0 });

// Pieces of YAML that change its structure: indents, collections, anchors, tags, scalars.
const token = fc.constantFrom(
  ...['clouds:', 'openstack:', 'auth:', 'auth_url:', 'password:', 'username:', '<<:', 'x'],
  ...['\n', '  ', ' ', '\t', '- ', '? ', ': ', ',', '[', ']', '{', '}', '"', "'", '|', '>', '#'],
  ...['&a', '*a', '&b', '*b', '!!str', '!!map', '!!seq', '---', '...', '%YAML 1.2'],
  ...['null', '~', 'true', '1e9', '0x1f', '.inf', '__proto__', 'constructor', '\\u0000'],
);
const soup = fc.array(token, { maxLength: 60 }).map((t) => t.join(''));
const secretOf = fc.stringMatching(/^[A-Za-z0-9]{16}$/).map((s) => `pw-${s}`);

const passwordCloud = (password: string) => ({
  auth: {
    auth_url: 'http://keystone.example:5000/v3/',
    username: 'admin',
    password,
    project_name: 'admin',
    user_domain_name: 'Default',
  },
  region_name: 'RegionOne',
  interface: 'internal',
});
const credentialCloud = (secret: string) => ({
  auth_type: 'v3applicationcredential',
  auth: {
    auth_url: 'https://keystone.example/v3',
    application_credential_id: 'abc',
    application_credential_secret: secret,
  },
});
/** The fields the reader takes of each kind of cloud, as its errors name them. */
const fieldsRead = {
  password: [
    ...['auth.auth_url', 'auth.username', 'auth.password', 'auth.project_name', 'auth_type'],
    ...['auth.domain_name', 'auth.user_domain_name', 'auth.project_domain_name', 'interface'],
    ...['region_name', 'image_endpoint_override', 'network_endpoint_override'],
  ],
  credential: [
    ...['auth.auth_url', 'auth.application_credential_id', 'auth.application_credential_secret'],
    ...['auth_type', 'interface', 'region_name', 'compute_endpoint_override'],
  ],
} as const;
/** Those it cannot do without (an application credential is not the default `auth_type`). */
const required: Record<keyof typeof fieldsRead, readonly string[]> = {
  password: ['auth.auth_url', 'auth.username', 'auth.password', 'auth.project_name'],
  credential: fieldsRead.credential.slice(0, 4),
};

const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.double({ noNaN: true }),
  fc.array(fc.string(), { minLength: 0, maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { minKeys: 0, maxKeys: 3 }),
);
const kindOf = (v: unknown) =>
  Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
/** A cloud of either kind and a field of it to spoil, with what to put there. */
const aSpoilt = fc.record({
  kind: fc.constantFrom('password', 'credential'),
  secret: secretOf,
  field: fc.nat(),
  how: fc.oneof(
    wrongType.map((value) => ({ wrong: value })),
    fc.constantFrom({ missing: true }, { empty: '' }),
  ),
  // Shared objects come out as anchors and aliases.
  otherClouds: fc.nat(4),
});

describe('loadCloudConfig on any clouds.yaml', () => {
  it('reads arbitrary text as a config or a CloudConfigError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), soup), soup, (a, b) => {
        load(a, b);
      }),
      { numRuns: 2000 },
    );
  });

  it('never quotes a secret from a file it cannot parse', () => {
    fc.assert(
      fc.property(secretOf, soup, fc.nat(), (secret, damage, at) => {
        const text = yaml({ clouds: { openstack: passwordCloud(secret) } });
        const cut = at % text.length;
        const result = load(`${text.slice(0, cut)}${damage}${text.slice(cut)}`);
        if (result instanceof CloudConfigError) expect(result.message).not.toContain(secret);
      }),
      { numRuns: 1000 },
    );
  });

  it('names a field of the wrong type, and says which field is missing, never quoting a secret', () => {
    fc.assert(
      fc.property(aSpoilt, ({ kind, secret, field, how, otherClouds }) => {
        const cloud: { auth: Record<string, unknown> } & Record<string, unknown> =
          kind === 'password' ? passwordCloud(secret) : credentialCloud(secret);
        const name = fieldsRead[kind][field % fieldsRead[kind].length] ?? '';
        const [holder, key] = name.startsWith('auth.')
          ? [cloud.auth, name.slice(5)]
          : [cloud, name];
        if ('missing' in how) Reflect.deleteProperty(holder, key);
        else holder[key] = 'wrong' in how ? how.wrong : how.empty;
        const others = Object.fromEntries(
          Array.from({ length: otherClouds }, (_, i) => [`cloud-${i}`, cloud]),
        );
        const result = load(yaml({ clouds: { ...others, openstack: cloud } }));
        const source = `cloud openstack in ${env.OS_CLIENT_CONFIG_FILE}`;
        if ('wrong' in how) {
          expect(result).toEqual(
            new CloudConfigError(`${source}: ${name} is ${kindOf(how.wrong)}, not a string`),
          );
        } else if (required[kind].includes(name)) {
          expect(result).toBeInstanceOf(CloudConfigError);
          expect((result as Error).message).toMatch(
            name === 'auth.auth_url' ? /has no auth\.auth_url$/ : /needs/,
          );
        } else expect(result).not.toBeInstanceOf(Error);
        if (result instanceof Error) expect(result.message).not.toContain(secret);
      }),
      { numRuns: 1500 },
    );
  });

  it('takes any string it is given, however long or wherever from, and ignores unknown keys', () => {
    const aString = fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', minLength: 1 }), weight: 6 },
      { arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString'), weight: 2 },
      { arbitrary: fc.nat(20_000).map((n) => `long-${'x'.repeat(n)}`), weight: 1 },
    );
    // The TLS settings are read too (their values are files and flags: see the unit spec).
    const tls = ['cacert', 'cert', 'key', 'verify', 'insecure'];
    const known = new Set<string>([
      'auth',
      ...fieldsRead.password,
      ...fieldsRead.credential,
      ...tls,
    ]);
    const extra = fc.dictionary(
      fc.oneof(fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty'), fc.string()),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(aString, aString, extra, (username, password, unknown) => {
        fc.pre(Object.keys(unknown).every((k) => !known.has(k) && !k.endsWith('_override')));
        const cloud = passwordCloud(password);
        const doc = { clouds: { openstack: { ...unknown, ...cloud } } };
        doc.clouds.openstack.auth.username = username;
        const result = load(yaml(doc));
        expect(result).toMatchObject({
          authUrl: 'http://keystone.example:5000/v3',
          auth: { type: 'password', username, password, projectDomainName: 'Default' },
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('names a document, clouds, cloud or auth that is not a mapping', () => {
    const notMapping = fc.oneof(
      fc.string({ minLength: 1 }).map((s) => `s${s}`),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 3 }),
    );
    const path = env.OS_CLIENT_CONFIG_FILE;
    fc.assert(
      fc.property(fc.nat(3), notMapping, (level, value) => {
        const kind = kindOf(value);
        const cases: [unknown, string][] = [
          [value, `${path} (clouds.yaml) is ${kind}, not a mapping`],
          [{ clouds: value }, `${path}: clouds is ${kind}, not a mapping`],
          [
            { clouds: { openstack: value } },
            `cloud openstack in ${path} is ${kind}, not a mapping`,
          ],
          [
            { clouds: { openstack: { auth: value } } },
            `cloud openstack in ${path}: auth is ${kind}, not a mapping`,
          ],
        ];
        const [doc, message] = cases[level] ?? [];
        expect(load(yaml(doc))).toEqual(new CloudConfigError(message ?? ''));
      }),
      { numRuns: 700 },
    );
  });
});
