/** What kind of refusal this is; the edge maps the code to a NATS rejection or a GraphQL error. */
export type DomainErrorCode = 'VALIDATION' | 'ILLEGAL_STATE' | 'CONFLICT' | 'BUSY' | 'LEASE_LOST';

export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;
}

/** The command is not allowed in the aggregate's current state. */
export class IllegalStateError extends DomainError {
  readonly code = 'ILLEGAL_STATE';
  readonly state: string;
  readonly command: string;
  constructor(state: string, command: string, detail?: string) {
    super(
      `${command} is not allowed in state ${state}${detail === undefined ? '' : `: ${detail}`}`,
    );
    this.name = 'IllegalStateError';
    this.state = state;
    this.command = command;
  }
}

/** The command is allowed here, but its data contradicts what the aggregate knows. */
export class DomainValidationError extends DomainError {
  readonly code = 'VALIDATION';
  readonly command: string;
  constructor(command: string, message: string) {
    super(`${command}: ${message}`);
    this.name = 'DomainValidationError';
    this.command = command;
  }
}

/** A stage of the job runs elsewhere under a live lease: wait until it ends or lapses. */
export class StageBusyError extends DomainError {
  readonly code = 'BUSY';
  readonly stage: string;
  readonly holder: string;
  /** The command message the holder works from. */
  readonly workingFrom: string;
  /** When the lease may be taken over, if it is not renewed (RFC 3339). */
  readonly lapsesAt: string;
  constructor(stage: string, holder: string, workingFrom: string, lapsesAt: string) {
    super(`${stage} runs at ${holder} under a lease that lapses at ${lapsesAt}`);
    this.name = 'StageBusyError';
    this.stage = stage;
    this.holder = holder;
    this.workingFrom = workingFrom;
    this.lapsesAt = lapsesAt;
  }
}

/** The command's sender no longer holds the job's lease (it lapsed and was taken over, or the job moved on): it must stop. */
export class LeaseLostError extends DomainError {
  readonly code = 'LEASE_LOST';
  constructor(holder: string, detail: string) {
    super(`${holder} does not hold the job's lease: ${detail}`);
    this.name = 'LeaseLostError';
  }
}

/** Another owner holds what the command wants (a VM claimed by another job). */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  readonly holder: string;
  constructor(message: string, holder: string) {
    super(message);
    this.name = 'ConflictError';
    this.holder = holder;
  }
}
