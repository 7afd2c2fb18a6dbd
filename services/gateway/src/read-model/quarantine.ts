import type { UnreadableCommit } from '@ferry/event-store';

/** The most kept for the admin view; the count goes on past it. */
const KEPT = 1_000;

type Quarantined = UnreadableCommit & { readonly seenAt: string };

/** What a save keeps of the quarantine. */
export interface SavedQuarantine {
  readonly total: number;
  readonly kept: readonly Quarantined[];
}

/**
 * The commits this gateway's reads skipped because they cannot be read (undecodable, failing their
 * schema, of a type this version does not know), for admins: each once, by position, oldest first.
 */
export class Quarantine {
  private readonly byPosition = new Map<number, Quarantined>();
  private total = 0;

  record(commit: UnreadableCommit): void {
    if (this.byPosition.has(commit.position)) return;
    this.total++;
    if (this.byPosition.size < KEPT)
      this.byPosition.set(commit.position, { ...commit, seenAt: new Date().toISOString() });
  }

  get size(): number {
    return this.total;
  }

  saved(): SavedQuarantine {
    return { total: this.total, kept: this.list() };
  }

  /** Takes back a save's commits, before anything else is recorded. */
  restore(saved: SavedQuarantine): void {
    for (const commit of saved.kept) this.byPosition.set(commit.position, commit);
    this.total = saved.total;
  }

  list(): Quarantined[] {
    return [...this.byPosition.values()].sort((a, b) => a.position - b.position);
  }
}
