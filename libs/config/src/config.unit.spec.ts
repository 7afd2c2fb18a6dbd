import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { describe, expect, it } from 'vitest';
import { envExample } from './env-example.ts';
import { openGatewayProblem } from './open-gateway.ts';
import { catalogue } from './catalogue.ts';
import { ALL_SETTINGS, ConfigError, environment, loadConfig, problem } from './load.ts';
import { integer } from './setting.ts';

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it("with nothing set, runs in the seed's safe mode", () => {
    const config = loadConfig(
      [
        'ENABLE_REAL_CONVERSION',
        'ENABLE_OPENSTACK_DEPLOYMENT',
        'ENABLE_ROLLBACK',
        'CONVERSION_CONCURRENCY',
      ],
      {},
    );
    expect(config).toEqual({
      ENABLE_REAL_CONVERSION: false,
      ENABLE_OPENSTACK_DEPLOYMENT: false,
      ENABLE_ROLLBACK: true,
      CONVERSION_CONCURRENCY: 2,
    });
  });

  it('reads only what a service declares', () => {
    const config = loadConfig(['NATS_URL'], {
      NATS_URL: 'nats://10.0.0.1:4222',
      ENABLE_ROLLBACK: 'nonsense',
    });
    expect(config).toEqual({ NATS_URL: 'nats://10.0.0.1:4222' });
  });

  it('accepts the usual spellings of a boolean', () => {
    for (const yes of ['true', 'TRUE', '1', 'yes', 'on'])
      expect(loadConfig(['ENABLE_ROLLBACK'], { ENABLE_ROLLBACK: yes }).ENABLE_ROLLBACK).toBe(true);
    for (const no of ['false', '0', 'No', 'off'])
      expect(loadConfig(['ENABLE_ROLLBACK'], { ENABLE_ROLLBACK: no }).ENABLE_ROLLBACK).toBe(false);
  });

  it('refuses every bad value at once, naming each with what was expected and what it got', () => {
    const error = problemsOf(() =>
      loadConfig(['ENABLE_REAL_CONVERSION', 'VIRT_V2V_TIMEOUT_SECONDS', 'NATS_URL', 'LOG_LEVEL'], {
        ENABLE_REAL_CONVERSION: 'maybe',
        VIRT_V2V_TIMEOUT_SECONDS: '-5',
        NATS_URL: 'http://localhost:4222',
        LOG_LEVEL: 'loud',
      }),
    );
    expect(error.problems).toEqual([
      { name: 'ENABLE_REAL_CONVERSION', message: "expected true or false, got 'maybe'" },
      {
        name: 'VIRT_V2V_TIMEOUT_SECONDS',
        message: "expected a whole number from 60 to 604800, got '-5'",
      },
      {
        name: 'NATS_URL',
        message: "expected a URL starting nats:// or tls://, got 'http://localhost:4222'",
      },
      {
        name: 'LOG_LEVEL',
        message: "expected one of fatal, error, warn, info, debug, trace, got 'loud'",
      },
    ]);
    expect(error.message).toContain(
      'Invalid configuration:\n  ENABLE_REAL_CONVERSION: expected true or false',
    );
  });

  it('refuses a number with junk in it', () => {
    const error = problemsOf(() =>
      loadConfig(['CONVERSION_CONCURRENCY'], { CONVERSION_CONCURRENCY: '4x' }),
    );
    expect(error.problems).toEqual([
      {
        name: 'CONVERSION_CONCURRENCY',
        message: "expected a whole number from 1 to 256, got '4x'",
      },
    ]);
  });

  it('never echoes the value of a secret setting in a problem', () => {
    const secretPort = {
      ...integer(1, { min: 1, max: 2 }, { description: 'x', secret: true }),
      name: 'SECRET_PORT',
    };
    let thrown: Error | undefined;
    try {
      secretPort.parse('hunter2');
    } catch (error) {
      thrown = error as Error;
    }
    if (!thrown) throw new Error('expected the parse to fail');
    expect(problem(secretPort, 'hunter2', thrown)).toEqual({
      name: 'SECRET_PORT',
      message: 'expected a whole number from 1 to 2',
    });
    expect(catalogue.VMWARE_ESXI_PASSWORD.secret).toBe(true);
  });

  it('reads a list of folders and a cluster of NATS URLs', () => {
    const config = loadConfig(['VMWARE_WORKSTATION_PATHS', 'NATS_URL'], {
      VMWARE_WORKSTATION_PATHS: '/srv/a, /srv/b:/srv/c',
      NATS_URL: 'nats://n1:4222,nats://n2:4222',
    });
    expect(config.VMWARE_WORKSTATION_PATHS).toEqual(['/srv/a', '/srv/b', '/srv/c']);
    expect(config.NATS_URL).toBe('nats://n1:4222,nats://n2:4222');
  });

  it('reads the kinds a rollback keeps, naming any it does not know', () => {
    expect(loadConfig(['ROLLBACK_KEEP'], {}).ROLLBACK_KEEP).toEqual([]);
    expect(
      loadConfig(['ROLLBACK_KEEP'], { ROLLBACK_KEEP: ' image, volume,image ' }).ROLLBACK_KEEP,
    ).toEqual(['image', 'volume']);
    expect(
      problemsOf(() => loadConfig(['ROLLBACK_KEEP'], { ROLLBACK_KEEP: 'image,imgae,disk' }))
        .problems,
    ).toEqual([
      {
        name: 'ROLLBACK_KEEP',
        message:
          "expected a comma-separated list of artifact, image, volume, port, server ('imgae', 'disk' are none of them), got 'image,imgae,disk'",
      },
    ]);
  });

  it("reads the commands' retry limits: how many failures before the dead-letter stream, and the waits between", () => {
    const names = ['COMMAND_MAX_FAILURES', 'COMMAND_BACKOFF_SECONDS'] as const;
    expect(loadConfig(names, {})).toEqual({
      COMMAND_MAX_FAILURES: 5,
      COMMAND_BACKOFF_SECONDS: [1, 5, 15, 30, 60],
    });
    expect(
      loadConfig(names, { COMMAND_MAX_FAILURES: '8', COMMAND_BACKOFF_SECONDS: ' 2, 10,600 ' }),
    ).toEqual({ COMMAND_MAX_FAILURES: 8, COMMAND_BACKOFF_SECONDS: [2, 10, 600] });
    expect(
      problemsOf(() =>
        loadConfig(names, { COMMAND_MAX_FAILURES: '0', COMMAND_BACKOFF_SECONDS: '1,,5' }),
      ).problems,
    ).toEqual([
      {
        name: 'COMMAND_MAX_FAILURES',
        message: "expected a whole number from 1 to 100, got '0'",
      },
      {
        name: 'COMMAND_BACKOFF_SECONDS',
        message: "expected whole numbers from 0 to 3600, separated by commas, got '1,,5'",
      },
    ]);
  });

  it('leaves optional settings unset rather than inventing them', () => {
    expect(loadConfig(['VMWARE_ESXI_HOST', 'VMWARE_ESXI_PASSWORD'], {})).toEqual({
      VMWARE_ESXI_HOST: undefined,
      VMWARE_ESXI_PASSWORD: undefined,
    });
  });
});

describe('environment', () => {
  const tempDir = tempDirs('ferry-config-');

  it('reads a .env file, with the process environment taking precedence', () => {
    const dir = tempDir();
    const file = join(dir, '.env');
    writeFileSync(
      file,
      '# comment\nENABLE_ROLLBACK=false\nLOG_LEVEL="debug"\nNATS_URL=nats://from-file:4222\n',
    );
    const env = environment(file, { NATS_URL: 'nats://from-env:4222' });
    expect(loadConfig(['ENABLE_ROLLBACK', 'LOG_LEVEL', 'NATS_URL'], env)).toEqual({
      ENABLE_ROLLBACK: false,
      LOG_LEVEL: 'debug',
      NATS_URL: 'nats://from-env:4222',
    });
  });

  it('by default reads the .env where the command was run (INIT_CWD: npm start runs each service in its own folder)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), 'LOG_LEVEL=warn\n');
    expect(environment(undefined, { INIT_CWD: dir })).toEqual({ INIT_CWD: dir, LOG_LEVEL: 'warn' });
  });

  it('without a .env file, is the process environment', () => {
    expect(environment('/nonexistent/.env', { A: '1' })).toEqual({ A: '1' });
  });
});

describe('.env.example', () => {
  it('is current: it is what the catalogue writes (run `npm run env-example -w @ferry/config`)', () => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', '..', '.env.example'), 'utf8')).toBe(
      envExample(),
    );
  });

  it('names every setting, and its defaults load as they are', () => {
    for (const name of ALL_SETTINGS) expect(envExample()).toContain(`\n${name}=`);
    expect(() => loadConfig(ALL_SETTINGS, environment('/nonexistent', {}))).not.toThrow();
  });
});

describe('a gateway open beyond this machine', () => {
  it('needs an identity provider, and says which setting', () => {
    expect(openGatewayProblem('127.0.0.1', undefined)).toBeUndefined();
    expect(openGatewayProblem('::1', undefined)).toBeUndefined();
    expect(openGatewayProblem('0.0.0.0', 'https://id.example')).toBeUndefined();
    expect(openGatewayProblem('0.0.0.0', undefined)).toMatch(
      /GATEWAY_HOST=0\.0\.0\.0 .*OIDC_ISSUER/,
    );
  });
});
