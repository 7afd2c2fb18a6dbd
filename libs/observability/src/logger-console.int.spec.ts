import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { describe, expect, it } from 'vitest';
import type { ConsoleFormat } from './logger.ts';

const tempDir = tempDirs('ferry-log-console-');

/** A service's one log line in a job's context, as a child process whose stdout is a pipe or a terminal. */
const script = (dir: string, format: ConsoleFormat) => `
  import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};
  import { runWithLogContext } from ${JSON.stringify(join(import.meta.dirname, 'log-context.ts'))};
  const log = createLogger({ service: 'conversion', role: 'worker', dir: ${JSON.stringify(dir)}, consoleFormat: ${JSON.stringify(format)}, sync: true });
  runWithLogContext({ jobId: 'job-1' }, () => log.info({ disk: 0 }, 'disk converted'));
`;
const node = (dir: string, format: ConsoleFormat) => [
  process.execPath,
  '--input-type=module',
  '-e',
  script(dir, format),
];

/** Runs the command in a pseudo-terminal (util-linux `script`), as `npm start` in a terminal does. */
const onTerminal = (argv: string[]) =>
  execFileSync(
    'script',
    ['-qec', argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' '), '/dev/null'],
    {
      encoding: 'utf8',
    },
  );
const piped = (argv: string[]) => execFileSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });

const fileLine = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'worker.log'), 'utf8').trim()) as Record<string, unknown>;

// Colours are escape sequences; a person reads what is left.
const plain = (text: string) => stripVTControlCharacters(text).trim();

describe('a service log on standard output', () => {
  it('is a readable line on a terminal, while the file keeps the JSON line', () => {
    const dir = tempDir();
    const shown = plain(onTerminal(node(dir, 'auto')));
    expect(shown).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: conversion \[job job-1\]: disk converted/,
    );
    expect(shown).toContain('"disk":0');
    expect(shown).not.toContain('"level"');
    expect(fileLine(dir)).toMatchObject({
      level: 'info',
      service: 'conversion',
      jobId: 'job-1',
      msg: 'disk converted',
      commandId: null,
    });
  });

  it('is a JSON line when standard output is not a terminal (a supervisor, a container)', () => {
    const dir = tempDir();
    expect(JSON.parse(piped(node(dir, 'auto')))).toEqual(fileLine(dir));
  });

  it('is what LOG_FORMAT says when it says json or pretty', () => {
    const json = tempDir();
    expect(JSON.parse(plain(onTerminal(node(json, 'json'))))).toEqual(fileLine(json));
    const pretty = tempDir();
    expect(piped(node(pretty, 'pretty'))).toMatch(
      /^\[[\d:.]+\] INFO: conversion \[job job-1\]: disk converted/,
    );
  });
});
