/** Why a conversion failed, in words an operator and the job's events can use. */
export const CONVERSION_FAILURES = [
  'missing-disk',
  'unreadable-disk',
  'no-operating-system',
  'unsupported-guest',
  'no-space',
  'timeout',
  'cancelled',
  'tool-missing',
  'tool-failed',
  /** The VMware host could not be reached, or broke off a transfer too often. */
  'source-unreachable',
  /** The VMware host refused Ferry: credentials wrong or not configured, certificate not trusted. */
  'source-refused',
  /** The job's output folder cannot be made or written (a read-only disk, a file in its place, no permission). */
  'output-unwritable',
] as const;
export type ConversionFailure = (typeof CONVERSION_FAILURES)[number];

const RETRYABLE = new Set<ConversionFailure>([
  'no-space',
  'timeout',
  'tool-failed',
  'source-unreachable',
]);

export class ConversionError extends Error {
  readonly reason: ConversionFailure;
  /** The command as run (secrets removed). */
  readonly command: readonly string[];
  /** Whether trying again may help (a full disk may be freed; a missing disk will not appear). */
  readonly retryable: boolean;
  constructor(reason: ConversionFailure, message: string, command: readonly string[]) {
    super(message);
    this.name = 'ConversionError';
    this.reason = reason;
    this.command = command;
    this.retryable = RETRYABLE.has(reason);
  }
}
