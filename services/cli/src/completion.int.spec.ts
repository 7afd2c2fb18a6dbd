import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './testing/run-ferry.ts';

describe('ferry completion bash', () => {
  let script: string;
  beforeAll(async () => {
    const { code, stdout } = await ferry(['completion', 'bash']);
    expect(code).toBe(0);
    script = stdout;
  });
  /** What bash completes for the words typed, the cursor on the last one. */
  const complete = (...typed: string[]) =>
    execFileSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ferry; echo "\${COMPREPLY[*]}"`,
        'bash',
        'ferry',
        ...typed,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split(' ')
      .filter(Boolean);

  it('completes every command the usage names', async () => {
    const { stderr } = await ferry([]);
    const named = new Set([...stderr.matchAll(/^ {2}([a-z-]+)(?= |$)/gm)].map((m) => m[1]));
    expect(complete('').sort()).toEqual([...named].sort());
    expect(complete('de')).toEqual(['dead-letters']);
  });

  it("completes a command's own flags, and the values of a flag that has a fixed set", () => {
    expect(complete('migrate', '--str')).toEqual(['--strategy']);
    expect(complete('migrate', '--strategy', 'q')).toEqual(['qemu-img']);
    expect(complete('jobs', '--state', 'RO')).toEqual(['ROLLED_BACK']);
    // Only retry takes a job's options.
    expect(complete('cancel', '--')).toEqual(['--format', '--json', '--reason', '--timeout']);
    expect(complete('retry', '--fl')).toEqual(['--flavor']);
    expect(complete('dead-letters', '')).toEqual(['replay', '--format', '--json', '--last']);
    expect(complete('jobs', '-f', '')).toEqual(['table', 'json', 'yaml']);
  });

  it('names the shells it knows otherwise (exit 2)', async () => {
    const { code, stderr } = await ferry(['completion', 'fish']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/give the shell: bash/);
  });
});
