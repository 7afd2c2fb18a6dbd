import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { MigrationOptions, ToolLogLine } from '@ferry/contracts';
import { convertCommand, qemuImgConvert, virtV2vCommand, virtV2vConvert } from '@ferry/converters';

export interface DiskPlan {
  readonly diskIndex: number;
  readonly path: string;
  /** A flat extent read over HTTP is raw; every other source is a VMDK. */
  readonly sourceFormat?: 'raw';
  /** A VMDK that is one local file, its data and tables, no extents or parents beside it. */
  readonly singleFile?: boolean;
  readonly capacityBytes: number;
  /** Where this disk's qcow2 ends up. */
  readonly target: string;
}

export interface ConversionPlan {
  readonly strategy: 'qemu-img' | 'virt-v2v';
  /** The exact command lines, as recorded on the job. */
  readonly commands: string[][];
  /** Converts the disks given (those not already done), writing each to its target. */
  convert(
    disks: readonly DiskPlan[],
    options: {
      signal?: AbortSignal;
      timeoutMs: number;
      onProgress: (disk: number, percent: number) => void;
      /** What the tool says as it works, for the job's tool log. */
      onOutput: (line: Omit<ToolLogLine, 'at'>) => void;
    },
  ): Promise<void>;
}

/** A command line as a person would paste it: arguments with spaces or quotes quoted. */
export const commandLine = (argv: readonly string[]): string =>
  argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

/** qemu-img, disk by disk: the format only. */
export function qemuImgPlan(disks: readonly DiskPlan[]): ConversionPlan {
  return {
    strategy: 'qemu-img',
    commands: disks.map((d) =>
      convertCommand({ source: d.path, sourceFormat: d.sourceFormat ?? 'vmdk', target: d.target }),
    ),
    async convert(todo, { signal, timeoutMs, onProgress, onOutput }) {
      for (const d of todo) {
        const sourceFormat = d.sourceFormat ?? 'vmdk';
        const command = convertCommand({ source: d.path, sourceFormat, target: d.target });
        onOutput({ tool: 'qemu-img', kind: 'command', text: commandLine(command) });
        await qemuImgConvert({
          source: d.path,
          sourceFormat,
          target: d.target,
          timeoutMs,
          ...(signal ? { signal } : {}),
          onProgress: (p) => onProgress(d.diskIndex, p),
          onStderr: (text) => {
            for (const line of text.split('\n').filter((l) => l.trim()))
              onOutput({ tool: 'qemu-img', kind: 'output', text: line });
          },
        });
      }
    },
  };
}

/** What virt-v2v converts: a .vmx beside its disks, or a libvirt domain (its XML) whose disks it reads over HTTP. */
export type GuestSource = { readonly vmx: string } | { readonly domain: string };

/** virt-v2v, the whole VM at once: drivers, fstab and bootloader converted too; its disks renamed to their targets. */
export function virtV2vPlan(
  source: GuestSource,
  workDir: string,
  virtioWin?: string,
): ConversionPlan {
  const outputDir = join(workDir, 'virt-v2v');
  const domainFile = join(workDir, 'domain.xml');
  const input = 'vmx' in source ? { vmx: source.vmx } : { libvirtXml: domainFile };
  return {
    strategy: 'virt-v2v',
    commands: [virtV2vCommand({ input, outputDir })],
    async convert(todo, { signal, timeoutMs, onProgress, onOutput }) {
      await rm(outputDir, { recursive: true, force: true });
      if ('domain' in source) await writeFile(domainFile, source.domain, { mode: 0o600 });
      onOutput({
        tool: 'virt-v2v',
        kind: 'command',
        text: commandLine(virtV2vCommand({ input, outputDir })),
      });
      try {
        await virtV2vConvert({
          input,
          outputDir,
          tmpDir: join(workDir, 'tmp'),
          timeoutMs,
          ...(signal ? { signal } : {}),
          ...(virtioWin ? { virtioWin } : {}),
          onProgress,
          onMessage: (m) =>
            onOutput({
              tool: 'virt-v2v',
              kind: m.type === 'warning' ? 'warning' : m.type === 'error' ? 'error' : 'message',
              text: m.message,
            }),
        });
      } finally {
        // It holds the stream's secret path: no longer than virt-v2v reads it.
        await rm(domainFile, { force: true });
      }
      // virt-v2v names the disks <guest>-sda, -sdb, ... in the order of the source's disks.
      const produced = (await readdir(outputDir))
        .filter((f) => /-sd[a-z]+$/.test(f))
        .sort((a, b) => a.length - b.length || a.localeCompare(b));
      for (const d of todo) {
        const file = produced[d.diskIndex];
        if (!file)
          throw new Error(
            `virt-v2v produced no disk ${d.diskIndex} (it wrote: ${produced.join(', ')})`,
          );
        await mkdir(join(d.target, '..'), { recursive: true });
        await rename(join(outputDir, file), d.target);
      }
      await rm(outputDir, { recursive: true, force: true });
    },
  };
}

/** Whether a program is on PATH (virt-v2v is a large install some machines go without). */
export async function onPath(program: string): Promise<boolean> {
  // Every folder asked at once: each stage start looks, and a long PATH cost a millisecond.
  const dirs = (process.env.PATH ?? '').split(delimiter);
  return Promise.any(dirs.map((dir) => access(join(dir, program), constants.X_OK))).then(
    () => true,
    () => false,
  );
}

/** The strategy asked for; `auto` converts the guest with virt-v2v where it is installed, else the format only. */
export async function chooseStrategy(
  strategy: MigrationOptions['strategy'],
  vmx: string | undefined,
): Promise<ConversionPlan['strategy']> {
  const wantV2v =
    strategy === 'virt-v2v' ||
    (strategy === 'auto' && vmx !== undefined && (await onPath('virt-v2v')));
  return wantV2v && vmx !== undefined ? 'virt-v2v' : 'qemu-img';
}

/** The plan of the strategy chosen: virt-v2v takes the guest whole, qemu-img each disk. */
export function planOf(
  strategy: ConversionPlan['strategy'],
  guest: GuestSource | undefined,
  disks: readonly DiskPlan[],
  dir: string,
  virtioWin?: string,
): ConversionPlan {
  return strategy === 'virt-v2v' && guest !== undefined
    ? virtV2vPlan(guest, dir, virtioWin)
    : qemuImgPlan(disks);
}
