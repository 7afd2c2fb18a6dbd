import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { ConversionError } from '@ferry/converters';

/** The job's output folder, made if missing; one that cannot be made or written fails the job plainly. */
export async function outputFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code)) throw error;
    throw new ConversionError(
      'output-unwritable',
      `the output folder ${dir} cannot be written (${code}): check MIGRATION_OUTPUT_DIR`,
      [],
    );
  }
}
