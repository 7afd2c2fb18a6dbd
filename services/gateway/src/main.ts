// The gateway: GraphQL for operators over projections of the event store, health, metrics, the console.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit, openGatewayProblem } from '@ferry/config';
import { JetStreamEventStore } from '@ferry/event-store';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  connectNats,
  NATS_SECURITY_SETTINGS,
  natsSecurity,
  provisionStreams,
} from '@ferry/messaging';
import { createLogger, startTracing } from '@ferry/observability';
import { OPENSTACK_SESSION_SETTINGS, serviceSession } from '@ferry/openstack';
import { startGateway } from './app.ts';
import { bearerVerifier, discoverProvider } from './auth/bearer.ts';
import { Sealer } from './auth/seal.ts';
import { SignIn } from './auth/sign-in.ts';
import { codeVersion } from './read-model/code-version.ts';
import { Quarantine } from './read-model/quarantine.ts';

const config = loadConfigOrExit([
  'NATS_URL',
  ...NATS_SECURITY_SETTINGS,
  'NATS_STREAM_REPLICAS',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NATS_MONITOR_URL',
  'LOG_DIR',
  'GATEWAY_HOST',
  'GATEWAY_PORT',
  'GATEWAY_ALLOWED_ORIGINS',
  'GATEWAY_MUTATIONS_PER_MINUTE',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_AUDIENCE',
  'OIDC_ROLES_CLAIM',
  'GATEWAY_SESSION_SECRET_FILE',
  'GATEWAY_LOCAL_ADMIN_PASSWORD_FILE',
  'CONSOLE_DIR',
  'GATEWAY_SNAPSHOT_FILE',
  'GATEWAY_SNAPSHOT_SECONDS',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'FERRY_TRACE_FILE',
  ...OPENSTACK_SESSION_SETTINGS,
]);
const openProblem = openGatewayProblem(config.GATEWAY_HOST, config.OIDC_ISSUER);
if (openProblem) {
  process.stderr.write(`gateway: ${openProblem}\n`);
  process.exit(2);
}
const tracing = await startTracing({
  service: 'gateway',
  otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  file: config.FERRY_TRACE_FILE,
});
const logger = createLogger({
  service: 'gateway',
  role: 'api',
  dir: config.LOG_DIR,
  level: config.LOG_LEVEL,
  consoleFormat: config.LOG_FORMAT,
});
const nc = await connectNats({
  url: config.NATS_URL,
  name: `gateway-${process.pid}`,
  identity: 'gateway',
  security: natsSecurity(config),
});
// Made here when NATS lets it (no authorization): where it does, only the admin makes streams,
// and this only checks them.
await provisionStreams(await jetstreamManager(nc), config.NATS_STREAM_REPLICAS);
const openstack = serviceSession(config, logger);
const quarantine = new Quarantine();
const gateway = await startGateway({
  nc,
  store: new JetStreamEventStore(nc, {
    onUnreadable: (commit) => {
      quarantine.record(commit);
      logger.warn({ commit }, 'a commit of the event store cannot be read: skipped');
    },
  }),
  quarantine,
  logger,
  openstack,
  host: config.GATEWAY_HOST,
  port: config.GATEWAY_PORT,
  ...(await signIn(config)),
  mutationsPerMinute: config.GATEWAY_MUTATIONS_PER_MINUTE,
  ...(config.NATS_MONITOR_URL && { natsMonitorUrl: config.NATS_MONITOR_URL }),
  allowedOrigins: config.GATEWAY_ALLOWED_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter((o) => o !== ''),
  consoleDir: config.CONSOLE_DIR ?? resolve(import.meta.dirname, '..', '..', 'console', 'dist'),
  saves: {
    file: config.GATEWAY_SNAPSHOT_FILE,
    // What folds the projections: the domain, the contracts' schemas, the gateway's read models.
    version: await codeVersion([
      dirname(fileURLToPath(import.meta.resolve('@ferry/domain'))),
      dirname(fileURLToPath(import.meta.resolve('@ferry/contracts'))),
      resolve(import.meta.dirname, 'read-model'),
    ]),
    everyMs: config.GATEWAY_SNAPSHOT_SECONDS * 1000,
  },
});
logger.info({ url: gateway.url, graphql: `${gateway.url}/api/graphql` }, 'gateway started');

for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    void (async () => {
      await gateway.close();
      await openstack.http.close();
      await nc.drain();
      await tracing.shutdown();
      logger.info({}, 'gateway stopped');
      process.exit(0);
    })();
  });

/**
 * Who may sign in: people of the OpenID provider (OIDC_ISSUER: bearer tokens and the console's
 * sign-in), and the local administrator (a password file); neither, and sign-in is off.
 */
async function signIn(c: typeof config) {
  const sealer = new Sealer(
    c.GATEWAY_SESSION_SECRET_FILE ? readFileSync(c.GATEWAY_SESSION_SECRET_FILE) : randomBytes(32),
  );
  const localAdminPassword = c.GATEWAY_LOCAL_ADMIN_PASSWORD_FILE
    ? readFileSync(c.GATEWAY_LOCAL_ADMIN_PASSWORD_FILE, 'utf8').trim()
    : undefined;
  if (!c.OIDC_ISSUER)
    return localAdminPassword ? { signIn: new SignIn({ sealer, localAdminPassword }) } : {};
  const options = {
    issuer: c.OIDC_ISSUER,
    clientId: c.OIDC_CLIENT_ID,
    audience: c.OIDC_AUDIENCE ?? c.OIDC_CLIENT_ID,
    rolesClaim: c.OIDC_ROLES_CLAIM,
  };
  const provider = await discoverProvider(options);
  const verifyToken = bearerVerifier(provider, options);
  return {
    verifyToken,
    signIn: new SignIn({
      sealer,
      provider: { config: provider, verify: verifyToken, resource: c.OIDC_AUDIENCE },
      ...(localAdminPassword !== undefined && { localAdminPassword }),
    }),
  };
}
