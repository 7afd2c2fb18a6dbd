import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as Yaml from 'yaml';

/** How Ferry logs in to Keystone: a password, or an application credential. */
export type CloudAuth =
  | {
      readonly type: 'password';
      readonly username: string;
      readonly password: string;
      readonly userDomainName: string;
      readonly projectName: string;
      readonly projectDomainName: string;
    }
  | { readonly type: 'application-credential'; readonly id: string; readonly secret: string };

/** One cloud, resolved: where Keystone is, how to log in, which endpoints to use. */
export interface CloudConfig {
  readonly name: string;
  readonly authUrl: string;
  readonly auth: CloudAuth;
  readonly regionName: string | undefined;
  readonly interface: 'public' | 'internal' | 'admin';
  /**
   * An endpoint to use instead of the catalog's, by service type (`image`, `compute`, `network`,
   * `block-storage`, `volumev3`): `<type>_endpoint_override` in clouds.yaml or
   * `OS_<TYPE>_ENDPOINT_OVERRIDE`, as openstacksdk reads them (a proxy in front of a service, say).
   */
  readonly endpointOverrides: Readonly<Record<string, string>>;
  /** How the cloud's TLS certificates are checked, and the client's own certificate. */
  readonly tls: CloudTls;
  /** Where the settings came from, for error messages (never the secrets). */
  readonly source: string;
}

/**
 * clouds.yaml's `cacert`, `verify` (`insecure`), `cert` and `key` (or `OS_CACERT`, `OS_INSECURE`,
 * `OS_CERT`, `OS_KEY`), as openstacksdk reads them: the files' contents, read when the cloud is.
 */
export interface CloudTls {
  /** The authorities to trust instead of the system's (PEM): a cloud behind a private CA. */
  readonly ca?: string;
  /** A client certificate and its key (PEM), for a cloud that asks for one. */
  readonly cert?: string;
  readonly key?: string;
  /** False: no check of the cloud's certificate at all (`verify: false`, `insecure: true`). */
  readonly verify: boolean;
}

export class CloudConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloudConfigError';
  }
}

/** The folders openstacksdk reads clouds.yaml and secure.yaml from, in its order. */
export const configFolders = (env: NodeJS.ProcessEnv = process.env) => [
  // Under `npm start` a service runs in its own folder; INIT_CWD is where the operator ran it.
  env.INIT_CWD ?? process.cwd(),
  join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'openstack'),
  '/etc/openstack',
];

type Raw = Record<string, unknown>;

/**
 * The cloud to use, read as openstacksdk reads it: `OS_CLOUD`, else the configured name
 * (`OPENSTACK_CLOUD_NAME`, default `openstack`), looked up in clouds.yaml (`OS_CLIENT_CONFIG_FILE`,
 * else the usual folders) merged with secure.yaml (`OS_CLIENT_SECURE_FILE`, else the same folders);
 * without a clouds.yaml entry, the `OS_*` variables alone. `OS_*` variables override the file.
 */
export function loadCloudConfig(
  options: { cloud?: string; env?: NodeJS.ProcessEnv } = {},
): CloudConfig {
  const env = options.env ?? process.env;
  const name = env.OS_CLOUD || options.cloud || env.OPENSTACK_CLOUD_NAME || 'openstack';
  const clouds = readYaml(env.OS_CLIENT_CONFIG_FILE, 'clouds.yaml', env);
  const secure = readYaml(env.OS_CLIENT_SECURE_FILE, 'secure.yaml', env);
  const fromFile = merge(entry(clouds, name), entry(secure, name));
  const hasFile = fromFile !== undefined;
  const cloud: Raw = fromFile ?? {};
  const source = hasFile
    ? `cloud ${name} in ${clouds?.path ?? secure?.path}`
    : 'the OS_* variables';
  const auth = (cloud.auth ?? {}) as Raw;
  // The variable, else the file's `auth.<key>` or `<key>`: a string there, as YAML reads an
  // unquoted 1234 or yes as a number or a boolean, which would be no password or name.
  const pick = (envName: string, field: string): string | undefined => {
    if (env[envName]) return env[envName];
    const [object, key] = field.startsWith('auth.') ? [auth, field.slice(5)] : [cloud, field];
    const value = Object.hasOwn(object, key) ? object[key] : undefined;
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw new CloudConfigError(`${source}: ${field} is ${kindOf(value)}, not a string`);
    return value || undefined;
  };

  const authUrl = pick('OS_AUTH_URL', 'auth.auth_url');
  if (!authUrl)
    throw new CloudConfigError(
      hasFile
        ? `${source} has no auth.auth_url`
        : `no cloud ${name} in clouds.yaml (looked in ${[env.OS_CLIENT_CONFIG_FILE, ...configFolders(env)].filter(Boolean).join(', ')}) and OS_AUTH_URL is not set`,
    );
  const authType = pick('OS_AUTH_TYPE', 'auth_type') ?? 'password';
  let resolved: CloudAuth;
  if (authType === 'v3applicationcredential') {
    const id = pick('OS_APPLICATION_CREDENTIAL_ID', 'auth.application_credential_id');
    const secret = pick('OS_APPLICATION_CREDENTIAL_SECRET', 'auth.application_credential_secret');
    if (!id || !secret)
      throw new CloudConfigError(`${source}: an application credential needs its id and secret`);
    resolved = { type: 'application-credential', id, secret };
  } else if (authType === 'password' || authType === 'v3password') {
    const username = pick('OS_USERNAME', 'auth.username');
    const password = pick('OS_PASSWORD', 'auth.password');
    const projectName = pick('OS_PROJECT_NAME', 'auth.project_name');
    if (!username || !password || !projectName)
      throw new CloudConfigError(
        `${source}: password authentication needs username, password and project_name`,
      );
    const domain = pick('OS_DOMAIN_NAME', 'auth.domain_name') ?? 'Default';
    resolved = {
      type: 'password',
      username,
      password,
      projectName,
      userDomainName: pick('OS_USER_DOMAIN_NAME', 'auth.user_domain_name') ?? domain,
      projectDomainName: pick('OS_PROJECT_DOMAIN_NAME', 'auth.project_domain_name') ?? domain,
    };
  } else {
    throw new CloudConfigError(
      `${source}: auth_type ${authType} is not supported (password, v3applicationcredential)`,
    );
  }
  const iface = (pick('OS_INTERFACE', 'interface') ?? 'public').replace(/URL$/, '');
  if (iface !== 'public' && iface !== 'internal' && iface !== 'admin')
    throw new CloudConfigError(`${source}: interface ${iface} is not public, internal or admin`);
  const endpointOverrides: Record<string, string> = {};
  for (const type of ['image', 'compute', 'network', 'block-storage', 'volumev3']) {
    const key = `${type.replace('-', '_')}_endpoint_override`;
    const url = pick(`OS_${key.toUpperCase()}`, key);
    if (url) endpointOverrides[type] = url.replace(/\/+$/, '');
  }
  return {
    name,
    authUrl: authUrl.replace(/\/+$/, ''),
    auth: resolved,
    regionName: pick('OS_REGION_NAME', 'region_name'),
    interface: iface,
    endpointOverrides,
    tls: tlsOf(cloud, env, source, pick),
    source,
  };
}

const BOOLEAN = /^(true|yes|1|false|no|0)$/i;

/**
 * The cloud's TLS settings, the variables over the file (`pick`, as for every other setting), each
 * file read now so a bad path says so at once.
 */
function tlsOf(
  cloud: Raw,
  env: NodeJS.ProcessEnv,
  source: string,
  pick: (envName: string, field: string) => string | undefined,
): CloudTls {
  // A flag may be YAML's true or false, or a word for one.
  const flag = (field: string, envName?: string): boolean | undefined => {
    const value =
      (envName && env[envName]) ?? (Object.hasOwn(cloud, field) ? cloud[field] : undefined);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && BOOLEAN.test(value)) return /^(true|yes|1)$/i.test(value);
    throw new CloudConfigError(`${source}: ${field} is neither true nor false`);
  };
  const read = (file: string | undefined, setting: string): string | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new CloudConfigError(
        `${source}: ${setting} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  };
  // `verify` may also name the CA bundle, as requests and keystoneauth take it.
  const verifyPath = typeof cloud.verify === 'string' && !BOOLEAN.test(cloud.verify);
  const insecure = flag('insecure', 'OS_INSECURE');
  const verify = verifyPath ? true : flag('verify');
  const cacert = pick('OS_CACERT', 'cacert') ?? (verifyPath ? (cloud.verify as string) : undefined);
  const cert = pick('OS_CERT', 'cert');
  const key = pick('OS_KEY', 'key');
  if (key !== undefined && cert === undefined)
    throw new CloudConfigError(`${source}: key is given without cert`);
  const [ca, certPem, keyPem] = [read(cacert, 'cacert'), read(cert, 'cert'), read(key, 'key')];
  return {
    ...(ca !== undefined ? { ca } : {}),
    ...(certPem !== undefined ? { cert: certPem } : {}),
    ...(keyPem !== undefined ? { key: keyPem } : {}),
    verify: insecure === true ? false : (verify ?? true),
  };
}

function readYaml(
  explicit: string | undefined,
  file: string,
  env: NodeJS.ProcessEnv,
): { path: string; data: Raw } | undefined {
  const candidates = explicit ? [explicit] : configFolders(env).map((dir) => join(dir, file));
  for (const path of candidates) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      if (explicit) throw new CloudConfigError(`${path} (${file}) cannot be read`);
      continue;
    }
    const lines = new (yaml().LineCounter)();
    // Not the parser's excerpt of the file, nor what its message quotes after a colon: either may
    // be a secret. An unknown tag (a password starting with `!`) is refused, as openstacksdk does.
    const invalid = (message: string, pos?: readonly [number, number]) => {
      const at = pos && lines.linePos(pos[0]);
      const where = at ? ` at line ${at.line}, column ${at.col}` : '';
      return new CloudConfigError(`${path} is not valid YAML: ${message.split(':')[0]}${where}`);
    };
    const doc = yaml().parseDocument(text, { prettyErrors: false, lineCounter: lines });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw invalid(problem.message, problem.pos);
    let data: unknown;
    try {
      data = doc.toJS() ?? {};
    } catch (error) {
      throw invalid((error as Error).message);
    }
    if (!isMapping(data))
      throw new CloudConfigError(`${path} (${file}) is ${kindOf(data)}, not a mapping`);
    return { path, data };
  }
  return undefined;
}

/** The file's entry for the cloud, if it has one. */
function entry(file: { path: string; data: Raw } | undefined, name: string): Raw | undefined {
  const clouds = file?.data.clouds ?? {};
  if (!isMapping(clouds))
    throw new CloudConfigError(`${file?.path}: clouds is ${kindOf(clouds)}, not a mapping`);
  const cloud = Object.hasOwn(clouds, name) ? clouds[name] : undefined;
  if (cloud === undefined || cloud === null) return undefined;
  if (!isMapping(cloud))
    throw new CloudConfigError(`cloud ${name} in ${file?.path} is ${kindOf(cloud)}, not a mapping`);
  if (!isMapping(cloud.auth ?? {}))
    throw new CloudConfigError(
      `cloud ${name} in ${file?.path}: auth is ${kindOf(cloud.auth)}, not a mapping`,
    );
  return cloud;
}

const isMapping = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A YAML value's kind, as its author would name it. */
const kindOf = (value: unknown) =>
  Array.isArray(value) ? 'a list' : isMapping(value) ? 'a mapping' : `a ${typeof value}`;

/** secure.yaml's entry laid over clouds.yaml's, key by key (auth included). */
function merge(base: Raw | undefined, over: Raw | undefined): Raw | undefined {
  if (!base || !over) return base ?? over;
  return { ...base, ...over, auth: { ...(base.auth as Raw), ...(over.auth as Raw) } };
}

/**
 * The YAML parser, loaded with the first clouds.yaml read: a service with no cloud (a dry run, the
 * gateway at rest) does not hold its 72 modules. Required, not imported, so that loading stays synchronous.
 */
const yaml = () => (parser ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
let parser: typeof Yaml | undefined;
