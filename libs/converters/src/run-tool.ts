import { basename } from 'node:path';
import { execa } from 'execa';
import { inSpan, markFailed, SpanKind, timeExternal } from '@ferry/observability';
import { ConversionError } from './errors.ts';

export interface ToolRun {
  readonly command: readonly string[];
  /** Ends the whole process group: SIGTERM, then SIGKILL after the grace period. */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly graceMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly onStdout?: (chunk: string) => void;
  readonly onStderr?: (chunk: string) => void;
}

export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The tool's process group dies with this process, however it ends (a SIGKILL too): the group's
 * leader is a shell that the kernel signals when its parent dies (setpriv's pdeathsig), and that
 * then kills the whole group, the tool and every child it started. Two converters never write one
 * job's folder because a replaced service's one lived on.
 */
const DIES_WITH_PARENT = [
  'setpriv',
  '--pdeathsig',
  'TERM',
  '--',
  'sh',
  '-c',
  'trap "kill -KILL 0" TERM; "$@" & wait $!',
  'ferry-tool',
];

/**
 * Runs a tool in a process group of its own, so cancel and timeout end every child it started
 * (virt-v2v's appliance, qemu-nbd, nbdcopy), not just the tool, and so does this process's death.
 * Resolves with its exit code; a cancel or timeout rejects with a ConversionError saying so, once
 * the whole group is gone.
 */
export function runTool(run: ToolRun): Promise<ToolResult> {
  const [file, ...args] = run.command;
  if (!file) return Promise.reject(new Error('no command'));
  // Its name and subcommand only: the arguments may name secrets (virt-v2v's password file).
  const tool = basename(file);
  const subcommand = args.find((a) => !a.startsWith('-'));
  const subcommandOf = tool === 'qemu-img' && subcommand ? ` ${subcommand}` : '';
  return inSpan(
    `${tool}${subcommandOf}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'process.executable.name': tool,
        ...(subcommandOf ? { 'ferry.tool.subcommand': subcommandOf.trim() } : {}),
      },
    },
    async (span) => {
      const result = await timeExternal(
        tool,
        subcommandOf.trim() || 'run',
        () => runToolNow(run, file, args),
        (r) => r.exitCode !== 0,
      );
      span.setAttribute('process.exit.code', result.exitCode);
      if (result.exitCode !== 0)
        markFailed(span, new Error(`${tool} exited with ${result.exitCode}`));
      return result;
    },
  );
}

async function runToolNow(
  run: ToolRun,
  file: string,
  args: readonly string[],
): Promise<ToolResult> {
  const [wrapper, ...wrapping] = DIES_WITH_PARENT as [string, ...string[]];
  const child = execa(wrapper, [...wrapping, file, ...args], {
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: true,
    env: run.env ?? {},
    extendEnv: true,
    encoding: 'utf8',
  });
  child.stdout?.on('data', (b: Buffer) => run.onStdout?.(b.toString()));
  child.stderr?.on('data', (b: Buffer) => run.onStderr?.(b.toString()));
  let ended: 'cancelled' | 'timeout' | undefined;
  const killGroup = (why: 'cancelled' | 'timeout') => {
    if (ended || child.pid === undefined) return;
    ended = why;
    signalGroup(child.pid, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), run.graceMs ?? 30_000).unref();
  };
  const onAbort = () => killGroup('cancelled');
  if (run.signal?.aborted) onAbort();
  run.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = run.timeoutMs ? setTimeout(() => killGroup('timeout'), run.timeoutMs) : undefined;
  try {
    const result = await child;
    // The shell says `<tool>: not found` with 127 when the tool is missing.
    if (
      (result as { code?: string }).code === 'ENOENT' ||
      /ENOENT/.test(String(result.originalMessage ?? '')) ||
      (result.exitCode === 127 && /not found/.test(String(result.stderr ?? '')))
    ) {
      throw new ConversionError(
        'tool-missing',
        `${file} is not installed (on Debian: apt-get install ${file === 'qemu-img' ? 'qemu-utils' : file})`,
        run.command,
      );
    }
    if (ended !== undefined && child.pid !== undefined) {
      // The tool is gone; wait until nothing of its group is left either.
      await waitForGroupExit(child.pid, (run.graceMs ?? 30_000) + 5_000);
      throw new ConversionError(
        ended,
        ended === 'cancelled' ? 'cancelled by request' : `timed out after ${run.timeoutMs} ms`,
        run.command,
      );
    }
    return {
      exitCode: result.exitCode ?? -1,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
    };
  } finally {
    if (timer) clearTimeout(timer);
    run.signal?.removeEventListener('abort', onAbort);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

async function waitForGroupExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  signalGroup(pid, 'SIGKILL');
}
