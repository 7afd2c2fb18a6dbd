import type { CommandMetadata } from '@ferry/contracts';

/**
 * What a handler decides with (libs/domain's CommandContext): the sender's ids, the correlation
 * defaulting to the command itself, the time the sender issued it (else now), and who asked.
 */
export const commandContext = ({ commandId, correlationId, issuedAt, actor }: CommandMetadata) => ({
  commandId,
  correlationId: correlationId ?? commandId,
  now: issuedAt ?? new Date().toISOString(),
  ...(actor && { actor }),
});
