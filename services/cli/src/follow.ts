import type { MigrationEvent } from '@ferry/contracts';
import { migrationStream } from '@ferry/contracts';
import { evolveJobView, initialJobView, isJobFinished, type JobView } from '@ferry/domain';
import type { EventStore, RecordedEvent } from '@ferry/event-store';
import { eventLine } from './describe.ts';
import { record, type Format } from './format.ts';

/**
 * Prints every event of the jobs, those already recorded then each as it is appended, until every
 * job has finished; returns their views in the order given. One subscription to the migration
 * category serves all the jobs, from the earliest place one of them has not been read past.
 */
export async function follow(
  store: EventStore,
  jobs: readonly { readonly jobId: string }[],
  selectionPosition: number,
  format: Format,
): Promise<JobView[]> {
  const streams = jobs.map((j) => migrationStream(j.jobId));
  const views = new Map<string, { revision: number; view: JobView | null }>(
    streams.map((s) => [s, { revision: -1, view: initialJobView }]),
  );
  const apply = (event: RecordedEvent<MigrationEvent>) => {
    const current = views.get(event.streamName);
    if (!current || event.revision <= current.revision) return;
    views.set(event.streamName, {
      revision: event.revision,
      view: evolveJobView(current.view, event),
    });
    process.stdout.write(format === 'table' ? eventLine(event) : record(format, event));
  };
  const finished = () =>
    [...views.values()].every(({ view }) => view !== null && isJobFinished(view));

  const histories = await Promise.all(streams.map((s) => store.read<MigrationEvent>(s)));
  const recorded = histories.flatMap((h) => h.events);
  for (const e of recorded.sort((a, b) => a.position - b.position || a.revision - b.revision))
    apply(e);
  if (!finished()) {
    // A job with no event yet will have them after the selection was recorded.
    const after = Math.min(...histories.map((h) => h.events.at(-1)?.position ?? selectionPosition));
    const subscription = store.subscribe<MigrationEvent>(after, { category: 'migration' });
    try {
      for await (const commit of subscription) {
        for (const e of commit.events) apply(e);
        if (finished()) break;
      }
    } finally {
      await subscription.close();
    }
  }
  return streams.map((s) => views.get(s)?.view).filter((v): v is JobView => !!v);
}
