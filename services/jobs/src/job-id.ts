import { createHash } from 'node:crypto';

/** A job's id: the same for the same command and VM, so a redelivered create makes the same job. */
export const jobIdFor = (commandId: string, vmKey: string): string =>
  `job-${createHash('sha256').update(`${commandId}\n${vmKey}`).digest('hex').slice(0, 24)}`;
