import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudConfigError, loadCloudConfig } from './cloud-config.ts';

describe('reading the cloud the way openstacksdk does', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-clouds-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const clouds = `
clouds:
  openstack:
    auth:
      auth_url: http://127.0.0.1:5000/v3/
      username: admin
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
  other:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example/v3
      application_credential_id: abc
      application_credential_secret: s3cret
`;

  it('takes the cloud from clouds.yaml, the password from secure.yaml', () => {
    const env = {
      OS_CLIENT_CONFIG_FILE: write('clouds.yaml', clouds),
      OS_CLIENT_SECURE_FILE: write(
        'secure.yaml',
        'clouds:\n  openstack:\n    auth:\n      password: hunter2\n',
      ),
    };
    expect(loadCloudConfig({ env })).toEqual({
      name: 'openstack',
      authUrl: 'http://127.0.0.1:5000/v3',
      auth: {
        type: 'password',
        username: 'admin',
        password: 'hunter2',
        projectName: 'admin',
        userDomainName: 'Default',
        projectDomainName: 'Default',
      },
      regionName: 'RegionOne',
      interface: 'internal',
      endpointOverrides: {},
      tls: { verify: true },
      source: `cloud openstack in ${join(dir, 'clouds.yaml')}`,
    });
  });

  it('OS_CLOUD picks the cloud over the configured name; application credentials are read', () => {
    const env = { OS_CLIENT_CONFIG_FILE: write('clouds.yaml', clouds), OS_CLOUD: 'other' };
    expect(loadCloudConfig({ env, cloud: 'openstack' }).auth).toEqual({
      type: 'application-credential',
      id: 'abc',
      secret: 's3cret',
    });
  });

  it("takes an endpoint override per service type, as openstacksdk does, the variable's over the file's", () => {
    const file = write(
      'clouds-override.yaml',
      clouds.replace(
        '    interface: internal\n',
        '    interface: internal\n    image_endpoint_override: http://127.0.0.1:19292/\n',
      ),
    );
    const env = {
      OS_CLIENT_CONFIG_FILE: file,
      OS_PASSWORD: 'hunter2',
      OS_COMPUTE_ENDPOINT_OVERRIDE: 'http://127.0.0.1:18774/v2.1',
    };
    expect(loadCloudConfig({ env }).endpointOverrides).toEqual({
      image: 'http://127.0.0.1:19292',
      compute: 'http://127.0.0.1:18774/v2.1',
    });
  });

  it('OS_* variables override the file, and work alone', () => {
    const env = {
      OS_CLIENT_CONFIG_FILE: write('clouds.yaml', clouds),
      OS_PASSWORD: 'from-env',
      OS_INTERFACE: 'publicURL',
    };
    const cloud = loadCloudConfig({ env });
    expect([cloud.auth.type === 'password' && cloud.auth.password, cloud.interface]).toEqual([
      'from-env',
      'public',
    ]);
    const alone = loadCloudConfig({
      env: {
        OS_CLIENT_CONFIG_FILE: write('empty.yaml', 'clouds: {}\n'),
        OS_AUTH_URL: 'http://k:5000',
        OS_USERNAME: 'u',
        OS_PASSWORD: 'p',
        OS_PROJECT_NAME: 'p1',
      },
    });
    expect(alone).toMatchObject({
      authUrl: 'http://k:5000',
      source: 'the OS_* variables',
      auth: { userDomainName: 'Default' },
    });
  });

  it('says plainly what is missing, never echoing a secret', () => {
    const env = { OS_CLIENT_CONFIG_FILE: write('clouds.yaml', clouds) };
    const error = (() => {
      try {
        loadCloudConfig({ env });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(CloudConfigError);
    expect(error?.message).toBe(
      `cloud openstack in ${join(dir, 'clouds.yaml')}: password authentication needs username, password and project_name`,
    );
    expect(() => loadCloudConfig({ env: { ...env, OS_CLOUD: 'nope' } })).toThrow(
      /no cloud nope in clouds.yaml .* OS_AUTH_URL is not set/,
    );
    expect(() =>
      loadCloudConfig({ env: { OS_CLIENT_CONFIG_FILE: write('bad.yaml', 'clouds: [\n') } }),
    ).toThrow(/is not valid YAML/);
  });

  it('says where a file is broken or of the wrong shape, without quoting it', () => {
    const read = (text: string) => () =>
      loadCloudConfig({ env: { OS_CLIENT_CONFIG_FILE: write('clouds.yaml', text) } });
    const path = join(dir, 'clouds.yaml');
    expect(read(clouds.replace('username: admin', 'password: hunter2: x'))).toThrow(
      new CloudConfigError(
        `${path} is not valid YAML: Nested mappings are not allowed in compact mappings at line 6, column 17`,
      ),
    );
    // YAML takes an unquoted password starting with `!` for a tag.
    expect(read(clouds.replace('username: admin', 'password: !hunter2'))).toThrow(
      new CloudConfigError(`${path} is not valid YAML: Unresolved tag at line 6, column 17`),
    );
    expect(read(clouds.replace('username: admin', 'password: 123456'))).toThrow(
      new CloudConfigError(`cloud openstack in ${path}: auth.password is a number, not a string`),
    );
    expect(read('clouds:\n  openstack: [a, b]\n')).toThrow(
      new CloudConfigError(`cloud openstack in ${path} is a list, not a mapping`),
    );
  });

  it("reads cacert, cert and key as openstacksdk does, the variables' over the file's; verify: false or insecure turn checks off", () => {
    const ca = write('ca.pem', 'CA PEM');
    const withTls = (lines: string) =>
      write(
        'clouds-tls.yaml',
        clouds.replace('    interface: internal\n', `    interface: internal\n${lines}`),
      );
    const load = (lines: string, more: Record<string, string> = {}) =>
      loadCloudConfig({ env: { OS_CLIENT_CONFIG_FILE: withTls(lines), OS_PASSWORD: 'x', ...more } })
        .tls;
    expect(load(`    cacert: ${ca}\n`)).toEqual({ ca: 'CA PEM', verify: true });
    expect(
      load(`    cert: ${write('c.pem', 'CERT')}\n    key: ${write('k.pem', 'KEY')}\n`),
    ).toEqual({ cert: 'CERT', key: 'KEY', verify: true });
    // keystoneauth takes a CA bundle's path as verify, too.
    expect(load(`    verify: ${ca}\n`)).toEqual({ ca: 'CA PEM', verify: true });
    expect(load('    verify: false\n')).toEqual({ verify: false });
    expect(load('    insecure: true\n')).toEqual({ verify: false });
    expect(load('', { OS_INSECURE: 'true' })).toEqual({ verify: false });
    expect(load(`    cacert: /nowhere.pem\n`, { OS_CACERT: ca })).toEqual({
      ca: 'CA PEM',
      verify: true,
    });
  });

  it('says which TLS file cannot be read, and refuses a key without its certificate', () => {
    const env = (lines: string) => ({
      OS_CLIENT_CONFIG_FILE: write(
        'clouds-bad.yaml',
        clouds.replace('    interface: internal\n', `    interface: internal\n${lines}`),
      ),
      OS_PASSWORD: 'x',
    });
    const source = `cloud openstack in ${join(dir, 'clouds-bad.yaml')}`;
    expect(() => loadCloudConfig({ env: env('    cacert: /nowhere/ca.pem\n') })).toThrow(
      new CloudConfigError(`${source}: cacert /nowhere/ca.pem cannot be read (ENOENT)`),
    );
    expect(() => loadCloudConfig({ env: env(`    key: ${write('k.pem', 'KEY')}\n`) })).toThrow(
      new CloudConfigError(`${source}: key is given without cert`),
    );
    expect(() => loadCloudConfig({ env: env('    verify: maybe\n') })).toThrow(CloudConfigError);
  });
});
