// Another system's side of Ferry, as the README shows it: the NATS client and the contract
// (libs/contracts/asyncapi.yaml), and none of Ferry's code.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { connect, nkeyAuthenticator } from '@nats-io/transport-node';

/** The fields of the events read here, as the contract's schemas describe them. */
interface FerryEvent {
  readonly type: string;
  readonly data: {
    readonly jobs?: { jobId: string; vmKey: string }[]; // MigrationSelectionProcessed
    readonly skipped?: { vmKey: string; reason: string }[];
    readonly errors?: { path: string; message: string }[]; // CommandRejected
    readonly flags?: { rollback: boolean }; // MigrationCreated
  };
}

/** Asks Ferry to migrate the VMs, then prints each job's events until every job has ended. */
export async function migrate(
  vmKeys: string[],
  nats: { url: string; nkeyFile: string; caFile: string }, // NATS_URL, NATS_NKEY, NATS_CA
  print: (line: string) => void,
): Promise<void> {
  const seed = new TextEncoder().encode(readFileSync(nats.nkeyFile, 'utf8').trim());
  const nc = await connect({
    servers: nats.url,
    authenticator: nkeyAuthenticator(seed),
    tls: { caFile: nats.caFile },
    inboxPrefix: '_INBOX_client', // the only inbox the client identity may read
  });
  const js = jetstream(nc);
  try {
    // An id of your own: sent again (after a timeout, say), the command is still carried out once.
    const commandId = randomUUID();
    const command = { type: 'CreateMigrations', data: { vmKeys }, metadata: { commandId } };
    await js.publish('ferry.cmd.migration.create', JSON.stringify(command), { msgID: commandId });

    // Its outcome (on ferry.evt.selection.<digest>), or its rejection (ferry.evt.rejection.<digest>),
    // under the first 32 hex digits of the id's sha256.
    const digest = createHash('sha256').update(commandId).digest('hex').slice(0, 32);
    const answer = await readUntil(js, `ferry.evt.*.${digest}`, () => true);
    if (answer.type === 'CommandRejected')
      throw new Error(`rejected: ${JSON.stringify(answer.data.errors)}`);
    for (const { vmKey, reason } of answer.data.skipped ?? []) print(`skipped ${vmKey}: ${reason}`);

    const followed = (answer.data.jobs ?? []).map(({ jobId }) => {
      let rollback = true;
      return readUntil(js, `ferry.evt.migration.${jobId}`, (event) => {
        print(`${jobId} ${event.type}`);
        rollback = event.data.flags?.rollback ?? rollback;
        // The end: VERIFIED, ROLLED_BACK, or FAILED when the job's rollback is off.
        return (
          event.type === 'MigrationVerified' ||
          event.type === 'RollbackCompleted' ||
          (event.type === 'MigrationFailed' && !rollback)
        );
      });
    });
    await Promise.all(followed);
  } finally {
    await nc.close();
  }
}

/** The subject's events from the first on, as they are stored, up to the first that `last` accepts. */
async function readUntil(
  js: JetStreamClient,
  subject: string,
  last: (event: FerryEvent) => boolean,
): Promise<FerryEvent> {
  // One subject: the client identity may create a consumer only through the API subject naming it.
  const consumer = await js.consumers.get('FERRY_EVT', { filter_subjects: subject });
  const messages = await consumer.consume();
  try {
    // Each message is a commit: one or more events of one stream, in order.
    for await (const m of messages) {
      const found = m.json<{ events: FerryEvent[] }>().events.find(last);
      if (found) return found;
    }
  } finally {
    await messages.close();
  }
  throw new Error(`stopped reading ${subject}`);
}
