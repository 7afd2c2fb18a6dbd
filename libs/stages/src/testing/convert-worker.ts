// A service process for the crash tests: handles ConvertDisks through the real transport and store.
// It prints where it is ("STARTED <id>", "APPENDED <id>") and pauses there, so a test can SIGKILL it.
// Usage: node --conditions=ferry-source convert-worker.ts <nats-url> <ack-wait-ms> <pause-ms>
import { handleCommand, JetStreamEventStore } from '@ferry/event-store';
import 'reflect-metadata';
import { migrationDecider } from '@ferry/domain';
import { connectNats } from '@ferry/messaging';
import { JetStreamTransport } from '@ferry/messaging/nest';
import type { FerryCommand } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { rejectionRecorder } from '../rejections.ts';

const [url = '', ackWaitMs = '2000', pauseMs = '1500'] = process.argv.slice(2);
const pause = () => new Promise((r) => setTimeout(r, Number(pauseMs)));
const say = (line: string) => process.stdout.write(`${line}\n`);

const nc = await connectNats({ url, name: `convert-worker-${process.pid}` });
const store = new JetStreamEventStore(nc);
const transport = new JetStreamTransport({
  connection: nc,
  consumer: {
    durable: 'conversion',
    filterSubject: 'ferry.cmd.conversion.>',
    concurrency: 2,
    ackWaitMs: Number(ackWaitMs),
  },
  reject: rejectionRecorder(store),
});

transport.addHandler(
  'ferry.cmd.conversion.convert',
  async (command: FerryCommand) => {
    if (command.type !== 'ConvertDisks') return;
    const stream = migrationStream(command.data.jobId);
    const id = command.metadata.commandId;
    const at = (step: string) => ({
      commandId: `${id}:${step}`,
      correlationId: id,
      now: new Date().toISOString(),
    });
    await handleCommand(store, migrationDecider, stream, {
      type: 'StartConversion',
      data: {
        strategy: 'qemu-img',
        commands: [['qemu-img', 'convert', '-O', 'qcow2']],
        disks: [{ diskIndex: 0, path: '/vms/a.vmdk', capacityBytes: 1024 }],
      },
      metadata: at('start'),
    });
    say(`STARTED ${id}`);
    await pause();
    await handleCommand(store, migrationDecider, stream, {
      type: 'CompleteConversion',
      data: { artifacts: [], reused: false, durationMs: 1 },
      metadata: at('complete'),
    });
    say(`APPENDED ${id}`);
    await pause();
  },
  true,
);

await new Promise<void>((resolve, reject) =>
  transport.listen((error) => (error ? reject(error as Error) : resolve())),
);
say('LISTENING');
process.once(
  'SIGTERM',
  () =>
    void transport
      .close()
      .then(() => nc.close())
      .then(() => process.exit(0)),
);
