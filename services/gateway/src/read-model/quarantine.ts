import type { UnreadableCommit } from '@ferry/event-store';

/** The most kept for the admin view; the count goes on past it. */
const KEPT = 1_000;

/**
 * The commits this gateway's reads skipped because they cannot be read (undecodable, failing their
 * schema, of a type this version does not know), for admins: each once, by position, oldest first.
 */
export class Quarantine {
  private readonly byPosition = new Map<number, UnreadableCommit & { readonly seenAt: string }>();
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

  list(): (UnreadableCommit & { readonly seenAt: string })[] {
    return [...this.byPosition.values()].sort((a, b) => a.position - b.position);
  }
}
