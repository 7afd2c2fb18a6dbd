import { describe, expect, it } from 'vitest';
import { actorLabel } from './actor.ts';

describe('actorLabel', () => {
  it('names a person, by subject when the provider gave no name', () => {
    expect(actorLabel({ kind: 'person', id: 'sub-1', name: 'Ada Lovelace' })).toBe('Ada Lovelace');
    expect(actorLabel({ kind: 'person', id: 'sub-1', name: null })).toBe('sub-1');
  });

  it('names a system by its identity, and who ran it or what it is', () => {
    expect(actorLabel({ kind: 'system', id: 'client', name: 'ops@jump-1' })).toBe(
      'client: ops@jump-1',
    );
    expect(actorLabel({ kind: 'system', id: 'gateway', name: null })).toBe('gateway');
  });

  it('shows a dash for an event from before actors were recorded', () => {
    expect(actorLabel(null)).toBe('—');
  });
});
