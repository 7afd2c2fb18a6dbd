import { constants } from 'node:fs';
import { access, mkdir, statfs } from 'node:fs/promises';
import { ConversionError, qemuImgInfo } from '@ferry/converters';

/** Refuses to start when the output folder cannot hold the disks' data. */
export async function requireSpace(dir: string, sources: readonly string[]): Promise<void> {
  let needed = 0;
  for (const source of sources) needed += (await qemuImgInfo(source, 'vmdk')).actualSize;
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < needed)
    throw new ConversionError(
      'no-space',
      `${dir} has ${free} bytes free; the disks hold ${needed}`,
      ['qemu-img', 'info'],
    );
}

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
