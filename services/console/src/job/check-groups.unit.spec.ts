import { describe, expect, it } from 'vitest';
import type { ValidationCheckView } from '../api/types.ts';
import { checkGroups } from './check-groups.ts';

const check = (
  name: string,
  outcome: string,
  severity: string | null = null,
  facts: string | null = null,
): ValidationCheckView => ({ name, outcome, detail: 'd', severity, facts });

describe('validation checks grouped by weight', () => {
  it('puts what failed first, then warnings, the info rules that apply, and the rest', () => {
    const groups = checkGroups([
      check('disks-present', 'passed'),
      check('passthrough-device', 'failed', 'critical', 'passthrough: pciPassthru0'),
      check('usb-controller', 'passed', 'info', '1 USB controller(s)'),
      check('cpu-hot-add', 'passed', 'info'),
      check('free-space', 'warning'),
      check('vtpm', 'warning', 'warning', 'a virtual TPM'),
      check('target', 'skipped'),
    ]);
    expect(groups.map((g) => [g.title, g.checks.map((c) => c.name)])).toEqual([
      ['Critical', ['passthrough-device']],
      ['Warnings', ['free-space', 'vtpm']],
      ['Info', ['usb-controller']],
      ['Passed', ['disks-present', 'cpu-hot-add', 'target']],
    ]);
  });

  it('leaves out empty groups', () => {
    expect(checkGroups([check('a', 'passed')]).map((g) => g.title)).toEqual(['Passed']);
    expect(checkGroups([])).toEqual([]);
  });
});
