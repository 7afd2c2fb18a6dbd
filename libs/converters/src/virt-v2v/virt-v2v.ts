import { mkdir, rm } from 'node:fs/promises';
import { ConversionError } from '../errors.ts';
import { runTool } from '../run-tool.ts';
import { libguestfsEnvironment } from './environment.ts';
import { v2vCopyProgress, v2vMessages, type V2vMessage } from './output.ts';

/** What virt-v2v reads the guest from: a .vmx beside its disks, or a libvirt domain whose disks it reads over HTTP. */
export type V2vInput = { readonly vmx: string } | { readonly libvirtXml: string };

export interface VirtV2vOptions {
  readonly input: V2vInput;
  /** Where the converted disks (`<name>-sda`, ...) and the libvirt XML go. */
  readonly outputDir: string;
  /** A folder of the job's own for virt-v2v's and libguestfs's temporary files; removed afterwards. */
  readonly tmpDir: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly onMessage?: (message: V2vMessage) => void;
  readonly onProgress?: (diskIndex: number, percent: number) => void;
  /** The virtio-win drivers for a Windows guest (ISO or folder); virt-v2v's default when absent. */
  readonly virtioWin?: string;
}

/** The exact command a guest conversion runs. */
export const virtV2vCommand = (o: Pick<VirtV2vOptions, 'input' | 'outputDir'>): string[] => [
  'virt-v2v',
  '--machine-readable',
  '-i',
  ...('vmx' in o.input ? ['vmx', o.input.vmx] : ['libvirtxml', o.input.libvirtXml]),
  '-o',
  'local',
  '-os',
  o.outputDir,
  '-of',
  'qcow2',
];

/**
 * Converts a guest with virt-v2v (virtio drivers, fstab, bootloader) to qcow2 disks.
 * Runs in its own process group with its own temporary folder, so a cancel or a timeout leaves
 * neither a process (appliance, qemu-nbd, nbdcopy) nor a temporary file behind.
 */
export async function virtV2vConvert(
  o: VirtV2vOptions,
): Promise<{ command: readonly string[]; messages: readonly V2vMessage[] }> {
  const command = virtV2vCommand(o);
  const messages: V2vMessage[] = [];
  let disk = 0;
  await mkdir(o.tmpDir, { recursive: true });
  await mkdir(o.outputDir, { recursive: true });
  try {
    const { exitCode, stderr } = await runTool({
      command,
      env: {
        ...libguestfsEnvironment(),
        TMPDIR: o.tmpDir,
        VIRT_V2V_TMPDIR: o.tmpDir,
        ...(o.virtioWin ? { VIRTIO_WIN: o.virtioWin } : {}),
      },
      graceMs: 30_000,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      onStdout: v2vMessages((m) => {
        messages.push(m);
        const copying = /Copying disk (\d+)\/\d+/.exec(m.message);
        if (copying) disk = Number(copying[1]) - 1;
        o.onMessage?.(m);
      }),
      onStderr: v2vCopyProgress(
        () => disk,
        (d, p) => o.onProgress?.(d, p),
      ),
    });
    if (exitCode !== 0) throw classify(stderr, messages, command);
    return { command, messages };
  } finally {
    await rm(o.tmpDir, { recursive: true, force: true });
  }
}

/** A failed virt-v2v run, classified from its error records and stderr. */
function classify(
  stderr: string,
  messages: readonly V2vMessage[],
  command: readonly string[],
): ConversionError {
  const errors = messages.filter((m) => m.type === 'error').map((m) => m.message);
  const text = `${errors.join('\n')}\n${stderr}`;
  const message = (
    errors[0] ??
    /virt-v2v: error: (.*)/.exec(stderr)?.[1] ??
    'virt-v2v failed'
  ).slice(0, 2000);
  if (/is not installed|not installed or not working/i.test(text))
    return new ConversionError('tool-missing', message, command);
  if (/inspection could not detect the source guest|no root device found/i.test(text))
    return new ConversionError('no-operating-system', message, command);
  if (/not enough free space|insufficient free space|No space left on device/i.test(text))
    return new ConversionError('no-space', message, command);
  if (/No such file or directory|cannot open|could not open/i.test(text))
    return new ConversionError('missing-disk', message, command);
  if (/not supported|cannot be converted|unsupported/i.test(text))
    return new ConversionError('unsupported-guest', message, command);
  return new ConversionError('tool-failed', message, command);
}
