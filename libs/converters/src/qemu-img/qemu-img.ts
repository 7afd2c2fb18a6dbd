import { rename, rm } from 'node:fs/promises';
import { ConversionError } from '../errors.ts';
import { runTool } from '../run-tool.ts';
import { qemuImgProgress } from './progress.ts';

export type ImageFormat = 'vmdk' | 'raw' | 'qcow2';

export interface ImageInfo {
  readonly format: string;
  readonly virtualSize: number;
  readonly actualSize: number;
  /** VMDK: its sub-format (`create-type`); qcow2: its compat level. */
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface CheckResult {
  /** 0 clean, 2 corrupt, 3 leaks only, 1 could not check. */
  readonly exitCode: number;
  readonly corruptions: number;
  readonly leaks: number;
  readonly checkErrors: number;
}

// Deadlines: `info` reads headers only; `check` walks qcow2's metadata, which grows with the image.
const INFO_TIMEOUT_MS = 60_000;
const CHECK_TIMEOUT_MS = 15 * 60_000;

const run = async (args: string[], timeoutMs: number, signal?: AbortSignal) => {
  const command = ['qemu-img', ...args];
  return { command, ...(await runTool({ command, timeoutMs, ...(signal ? { signal } : {}) })) };
};

/** `qemu-img info` of an image whose format is given, never guessed. */
export async function qemuImgInfo(path: string, format: ImageFormat): Promise<ImageInfo> {
  const { command, exitCode, stdout, stderr } = await run(
    ['info', '--output=json', '-f', format, path],
    INFO_TIMEOUT_MS,
  );
  if (exitCode !== 0) throw failure(stderr, command);
  const info = JSON.parse(stdout) as {
    format: string;
    'virtual-size': number;
    'actual-size': number;
    'format-specific'?: { data?: Record<string, unknown> };
  };
  return {
    format: info.format,
    virtualSize: info['virtual-size'],
    actualSize: info['actual-size'],
    detail: info['format-specific']?.data ?? {},
  };
}

/** `qemu-img check`: whether a converted image is sound before anyone uploads it. */
export async function qemuImgCheck(
  path: string,
  format: ImageFormat = 'qcow2',
  signal?: AbortSignal,
): Promise<CheckResult> {
  const { exitCode, stdout } = await run(
    ['check', '--output=json', '-f', format, path],
    CHECK_TIMEOUT_MS,
    signal,
  );
  let report: Record<string, number> = {};
  try {
    report = JSON.parse(stdout) as Record<string, number>;
  } catch {
    // exit code 1: the check itself could not run, and says so on stderr only
  }
  return {
    exitCode,
    corruptions: report.corruptions ?? 0,
    leaks: report.leaks ?? 0,
    checkErrors: report['check-errors'] ?? 0,
  };
}

export interface ConvertOptions {
  readonly source: string;
  readonly sourceFormat: ImageFormat;
  /** The qcow2 to write; it appears under this name only once complete. */
  readonly target: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (percent: number) => void;
  /** What qemu-img writes to stderr (its warnings and errors), as it comes. */
  readonly onStderr?: (text: string) => void;
}

/** The exact command a conversion runs: recorded in the job's events, run for real or as a dry run. */
export const convertCommand = (
  o: Pick<ConvertOptions, 'source' | 'sourceFormat' | 'target'>,
): string[] => [
  'qemu-img',
  'convert',
  '-p',
  '-f',
  o.sourceFormat,
  '-O',
  'qcow2',
  '-o',
  'compat=1.1',
  o.source,
  `${o.target}.part`,
];

/**
 * Converts to a sparse qcow2 (compat 1.1) with progress. Writes `<target>.part` and renames it when
 * done, so a half-written image never carries the final name; on failure or cancel it is removed.
 */
export async function qemuImgConvert(o: ConvertOptions): Promise<{ command: readonly string[] }> {
  const command = convertCommand(o);
  const part = `${o.target}.part`;
  try {
    const { exitCode, stderr } = await runTool({
      command,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      graceMs: 5_000,
      ...(o.onProgress ? { onStdout: qemuImgProgress(o.onProgress) } : {}),
      ...(o.onStderr ? { onStderr: o.onStderr } : {}),
    });
    if (exitCode !== 0) throw failure(stderr, command);
    await rename(part, o.target);
    return { command };
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
}

/** A failed qemu-img run, classified from what it printed. */
function failure(stderr: string, command: readonly string[]): ConversionError {
  const message =
    stderr
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^qemu-img: /, '') || 'qemu-img failed';
  if (/No space left on device/i.test(stderr))
    return new ConversionError('no-space', message, command);
  // The output could not be written (its folder gone, read-only): not the source disk's fault.
  if (/Could not create/i.test(stderr)) return new ConversionError('tool-failed', message, command);
  if (/No such file or directory/i.test(stderr))
    return new ConversionError('missing-disk', message, command);
  if (/Permission denied|Could not open|Invalid|not in .* format|corrupt/i.test(stderr))
    return new ConversionError('unreadable-disk', message, command);
  return new ConversionError('tool-failed', message, command);
}
