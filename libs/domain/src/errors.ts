/** What kind of refusal this is; the edge maps the code to a NATS rejection or a GraphQL error. */
export type DomainErrorCode = 'VALIDATION' | 'ILLEGAL_STATE' | 'CONFLICT';

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
