import { COMMAND_SUBJECTS } from './subjects.ts';
import type { FerryCommand } from './types.ts';

/**
 * Where a command is published: its type's subject, and for an upload that names its conversion
 * host, that subject's `.<host>`, which only the image service of that host consumes.
 */
export function commandSubject(command: FerryCommand): string {
  return command.type === 'UploadImage' && command.data.host !== undefined
    ? uploadSubject(command.data.host)
    : COMMAND_SUBJECTS[command.type];
}

/** The subject of the uploads routed to one conversion host. */
export const uploadSubject = (host: string) => `${COMMAND_SUBJECTS.UploadImage}.${host}`;
