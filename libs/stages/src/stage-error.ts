import type { StageFailure } from './stage-runner.ts';

/** A stage's work failed the job: the code and message of its failure event, and whether a retry may help. */
export class StageError extends Error implements StageFailure {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'StageError';
    this.code = code;
    this.retryable = retryable;
  }
}
