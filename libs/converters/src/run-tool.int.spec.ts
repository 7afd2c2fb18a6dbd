import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@ferry/testing';
import { describe, expect, it } from 'vitest';

const child = join(import.meta.dirname, 'testing', 'tool-child.ts');
/** The processes whose command line contains `marker`, as `ps` lists them. */
const processes = (marker: string) =>
  execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'));

describe('runTool', () => {
  it('the tool and its children die with the process that ran it, even by SIGKILL', async () => {
    // A duration no other process here sleeps for: the mark of the tool's child.
    const marker = `sleep 300.${process.pid}`;
    // A tool with a child of its own: sh, running that sleep and waiting for it.
    const parent = spawn(
      process.execPath,
      ['--conditions=ferry-source', child, 'sh', '-c', `${marker} & wait`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    parent.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      // The tool (sh, whose arguments name the sleep) and the sleep itself.
      await eventually(
        () => processes(marker).length >= 2 && /^STARTED \d+/.test(out),
        'the tool and its child running',
        { timeoutMs: 15_000 },
      );
      expect(processes(marker).length).toBeGreaterThanOrEqual(2);
      parent.kill('SIGKILL');
      await eventually(() => processes(marker).length === 0, 'nothing of the tool left', {
        timeoutMs: 2_000,
        intervalMs: 50,
      }).catch(() => undefined);
      expect(processes(marker)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
