// `node --conditions=ferry-source libs/messaging/src/nats-admin.ts identities DIR | provision`:
// makes Ferry's NATS identities and TLS files in DIR (once), or creates and updates Ferry's streams
// as the admin identity (NATS_URL, NATS_NKEY or NATS_CREDS, NATS_CA; NATS_STREAM_REPLICAS).
import { jetstreamManager } from '@nats-io/jetstream';
import { connectNats, natsSecurity } from './connection.ts';
import { makeIdentities } from './identity-files.ts';
import { provisionStreams } from './streams.ts';

const [verb, dir] = process.argv.slice(2);
if (verb === 'identities' && dir) {
  makeIdentities(dir);
} else if (verb === 'provision') {
  const env = process.env;
  const nc = await connectNats({
    url: env['NATS_URL'] ?? 'nats://127.0.0.1:4222',
    name: 'ferry-admin',
    identity: 'admin',
    security: natsSecurity(env),
    failFast: true,
  });
  await provisionStreams(await jetstreamManager(nc), Number(env['NATS_STREAM_REPLICAS'] ?? 1));
  await nc.close();
} else {
  process.stderr.write('usage: nats-admin.ts identities DIR | provision\n');
  process.exit(64);
}
