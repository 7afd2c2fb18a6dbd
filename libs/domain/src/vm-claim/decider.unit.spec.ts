import type { VmClaimEvent } from '@ferry/contracts';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../decider.ts';
import type { DomainErrorCode } from '../errors.ts';
import { DeciderSpecification } from '../testing/decider-specification.ts';
import {
  VM_CLAIM_COMMAND_TYPES,
  VM_CLAIM_STATUSES,
  vmClaimDecider,
  type VmClaimCommand,
} from './decider.ts';

const at = (n: number): CommandContext => ({
  commandId: `c-${n}`,
  correlationId: 'corr',
  now: `2026-11-25T10:${String(n).padStart(2, '0')}:00Z`,
});
const meta = (c: CommandContext) => ({
  commandId: c.commandId,
  correlationId: c.correlationId,
  causationId: c.commandId,
  occurredAt: c.now,
});
const vmKey = 'ws-alpha';
const claimed = (jobId: string, n: number): VmClaimEvent => ({
  type: 'VmClaimed',
  data: { vmKey, jobId },
  metadata: meta(at(n)),
});
const released = (jobId: string, n: number): VmClaimEvent => ({
  type: 'VmReleased',
  data: { vmKey, jobId, reason: 'verified' },
  metadata: meta(at(n)),
});
const claim = (jobId: string, n = 50): VmClaimCommand => ({
  type: 'ClaimVm',
  data: { vmKey, jobId },
  metadata: at(n),
});
const release = (jobId: string, n = 50): VmClaimCommand => ({
  type: 'ReleaseVm',
  data: { vmKey, jobId, reason: 'verified' },
  metadata: at(n),
});

type Outcome = { readonly events: readonly VmClaimEvent[] } | { readonly fails: DomainErrorCode };
const spec = DeciderSpecification.for(vmClaimDecider);

/** Every status × command, for the job `job-1` against a VM free or held by `job-1`. */
const table: Record<
  (typeof VM_CLAIM_STATUSES)[number],
  { given: VmClaimEvent[]; cells: Record<VmClaimCommand['type'], Outcome> }
> = {
  Free: {
    given: [],
    cells: { ClaimVm: { events: [claimed('job-1', 50)] }, ReleaseVm: { fails: 'ILLEGAL_STATE' } },
  },
  Claimed: {
    given: [claimed('job-1', 1)],
    cells: { ClaimVm: { events: [] }, ReleaseVm: { events: [released('job-1', 50)] } },
  },
};
const commandOf = { ClaimVm: claim, ReleaseVm: release };

describe('VM claim decider: every status × every command', () => {
  it('the table is complete', () => {
    expect(Object.keys(table)).toEqual([...VM_CLAIM_STATUSES]);
    for (const row of Object.values(table))
      expect(Object.keys(row.cells)).toEqual([...VM_CLAIM_COMMAND_TYPES]);
  });

  for (const status of VM_CLAIM_STATUSES) {
    for (const type of VM_CLAIM_COMMAND_TYPES) {
      const expected = table[status].cells[type];
      it(`${status} × ${type}`, () => {
        const when = spec.given(table[status].given).when(commandOf[type]('job-1'));
        if ('events' in expected) when.then(expected.events);
        else when.thenFails(expected.fails, (e) => expect(e.message).toContain(vmKey));
      });
    }
  }
});

describe('at most one active job per VM', () => {
  it('a second job is refused while the first holds the VM, naming the holder', () => {
    spec
      .given([claimed('job-1', 1)])
      .when(claim('job-2'))
      .thenFails('CONFLICT', (e) => expect(e).toMatchObject({ holder: 'job-1' }));
  });

  it('only the holder can release', () => {
    spec
      .given([claimed('job-1', 1)])
      .when(release('job-2'))
      .thenFails('ILLEGAL_STATE', (e) => expect(e.message).toContain('held by job job-1'));
  });

  it('once released, another job may claim it', () => {
    spec
      .given([claimed('job-1', 1), released('job-1', 2)])
      .when(claim('job-2'))
      .then([claimed('job-2', 50)]);
  });

  it('a re-delivered claim or release changes nothing', () => {
    spec
      .given([claimed('job-1', 1)])
      .when(claim('job-2', 1))
      .thenNothing();
    spec
      .given([claimed('job-1', 1), released('job-1', 2)])
      .when(release('job-1', 2))
      .thenNothing();
  });
});
