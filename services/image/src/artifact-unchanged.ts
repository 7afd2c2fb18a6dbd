import { stat } from 'node:fs/promises';
import type { Artifact } from '@ferry/contracts';
import { StageError } from '@ferry/stages';
import { artifactVersion } from './image-properties.ts';

/**
 * Refuses an artifact whose file is no longer as the conversion wrote it (length, mtime): what would
 * be sent is not what was converted and checked. Jobs converted before these were recorded pass.
 */
export async function assertUnchanged(a: Artifact): Promise<void> {
  if (artifactVersion(a) === undefined) return;
  const now = await stat(a.path);
  if (now.size !== a.sizeBytes || now.mtimeMs !== a.modifiedAtMs)
    throw new StageError(
      'artifact-changed',
      `the image of disk ${a.diskIndex} (${a.path}) changed after its conversion (${now.size} bytes, modified ${new Date(now.mtimeMs).toISOString()}; converted: ${a.sizeBytes} bytes at ${new Date(a.modifiedAtMs ?? 0).toISOString()}): convert it again`,
      false,
    );
}
