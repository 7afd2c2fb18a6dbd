import type { Actor, MigrationEvent } from '@ferry/contracts';
import { describeEvent } from '@ferry/domain';
import type { RecordedEvent } from '@ferry/event-store';

/** One line per event: time, job, type, what it says. */
export const eventLine = (event: RecordedEvent<MigrationEvent>) =>
  `${event.metadata.occurredAt}  ${event.data.jobId}  ${event.type}  ${describeEvent(event)}\n`;

/** Who asked: a person's name (else subject), a system's identity and name; a dash if unrecorded. */
export const actorName = (actor: Actor | undefined) =>
  actor === undefined
    ? '—'
    : actor.kind === 'person'
      ? actor.name || actor.id
      : [actor.id, actor.name].filter(Boolean).join(': ');

/** Columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
