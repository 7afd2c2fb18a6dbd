import type { ValidationCheckView } from '../api/types.ts';

export interface CheckGroup {
  readonly title: 'Critical' | 'Warnings' | 'Info' | 'Passed';
  readonly checks: readonly ValidationCheckView[];
}

/**
 * Validation's checks by weight, as an operator reads them: what failed the job, what to look at,
 * what to know, then everything that passed or did not apply. Empty groups are left out.
 */
export function checkGroups(checks: readonly ValidationCheckView[]): CheckGroup[] {
  const groupOf = (c: ValidationCheckView): CheckGroup['title'] =>
    c.outcome === 'failed'
      ? 'Critical'
      : c.outcome === 'warning'
        ? 'Warnings'
        : c.severity === 'info' && c.facts
          ? 'Info'
          : 'Passed';
  const order: CheckGroup['title'][] = ['Critical', 'Warnings', 'Info', 'Passed'];
  return order
    .map((title) => ({ title, checks: checks.filter((c) => groupOf(c) === title) }))
    .filter((g) => g.checks.length > 0);
}
