import type { EventOf, VmClaimEvent } from '@ferry/contracts';
import { eventMetadata, type Decider, type DomainCommand } from '../decider.ts';
import { ConflictError, IllegalStateError } from '../errors.ts';

export type ClaimVm = DomainCommand<'ClaimVm', { vmKey: string; jobId: string }>;
export type ReleaseVm = DomainCommand<
  'ReleaseVm',
  { vmKey: string; jobId: string; reason: EventOf<'VmReleased'>['data']['reason'] }
>;
export type VmClaimCommand = ClaimVm | ReleaseVm;
export const VM_CLAIM_COMMAND_TYPES = [
  'ClaimVm',
  'ReleaseVm',
] as const satisfies readonly VmClaimCommand['type'][];

export const VM_CLAIM_STATUSES = ['Free', 'Claimed'] as const;
export type VmClaimState =
  | { readonly status: 'Free'; readonly handled: ReadonlySet<string> }
  | { readonly status: 'Claimed'; readonly jobId: string; readonly handled: ReadonlySet<string> };

/** At most one active job per VM: the claim stream `vm-<key>`, appended with an expected revision, is the lock. */
export const vmClaimDecider: Decider<VmClaimCommand, VmClaimEvent, VmClaimState> = {
  initialState: { status: 'Free', handled: new Set() },

  decide(command, state) {
    if (state.handled.has(command.metadata.commandId)) return [];
    const metadata = eventMetadata(command.metadata);
    const { vmKey, jobId } = command.data;
    switch (command.type) {
      case 'ClaimVm':
        if (state.status === 'Free')
          return [{ type: 'VmClaimed', data: { vmKey, jobId }, metadata }];
        // The holder claiming again (a retried create) already has what it asks for.
        if (state.jobId === jobId) return [];
        throw new ConflictError(`VM ${vmKey} has an active job ${state.jobId}`, state.jobId);
      case 'ReleaseVm':
        if (state.status === 'Free')
          throw new IllegalStateError('Free', command.type, `VM ${vmKey} is not claimed`);
        if (state.jobId !== jobId) {
          throw new IllegalStateError(
            'Claimed',
            command.type,
            `VM ${vmKey} is held by job ${state.jobId}, not ${jobId}`,
          );
        }
        return [
          { type: 'VmReleased', data: { vmKey, jobId, reason: command.data.reason }, metadata },
        ];
      default: {
        const unhandled: never = command;
        throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
      }
    }
  },

  evolve(state, event) {
    const handled = new Set(state.handled).add(event.metadata.commandId);
    switch (event.type) {
      case 'VmClaimed':
        return { status: 'Claimed', jobId: event.data.jobId, handled };
      case 'VmReleased':
        return { status: 'Free', handled };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
      }
    }
  },
};
