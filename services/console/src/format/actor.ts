import type { Actor } from '../api/types.ts';

/** A person by name (their subject when the provider gives none); a system as `system: its name`. */
export function actorLabel(actor: Actor | null): string {
  if (actor === null) return '—';
  if (actor.kind === 'person') return actor.name || actor.id;
  return actor.name ? `${actor.id}: ${actor.name}` : actor.id;
}
