import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { catalogue, type SettingName } from './catalogue.ts';
import type { Setting, ValueOf } from './setting.ts';

export type Config<K extends SettingName> = { readonly [N in K]: ValueOf<(typeof catalogue)[N]> };

export interface ConfigProblem {
  readonly name: string;
  readonly message: string;
}

/** Every bad value at once, each named, so an operator fixes them in one go. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.name}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * The process environment over the variables of a `.env` file, when there is one: FERRY_ENV_FILE
 * when set, else the one where the operator ran the command (INIT_CWD under `npm start`, where each
 * service runs in its own folder).
 */
export function environment(
  envFile?: string,
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Record<string, string | undefined>> {
  envFile ??= env.FERRY_ENV_FILE || join(env.INIT_CWD ?? process.cwd(), '.env');
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...env };
}

/** Reads and validates the settings a service declares it uses; throws a ConfigError naming each bad one. */
export function loadConfig<const K extends SettingName>(
  names: readonly K[],
  source = environment(),
): Config<K> {
  const values: Partial<Record<K, unknown>> = {};
  const problems: ConfigProblem[] = [];
  for (const name of names) {
    const setting = catalogue[name];
    const raw = source[name];
    try {
      values[name] = setting.parse(raw);
    } catch (error) {
      problems.push(problem(setting, raw, error as Error));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Config<K>;
}

/** What was wrong with a value: the value itself is quoted unless the setting is a secret. */
export function problem(
  setting: Setting<unknown>,
  raw: string | undefined,
  error: Error,
): ConfigProblem {
  const got = setting.secret ? '' : `, got '${String(raw).slice(0, 200)}'`;
  return { name: setting.name, message: `${error.message}${got}` };
}

export const ALL_SETTINGS = Object.keys(catalogue) as SettingName[];

/** For a service's start: the settings it reads, or the message naming every bad one and exit code 2. */
export function loadConfigOrExit<const K extends SettingName>(names: readonly K[]): Config<K> {
  try {
    return loadConfig(names);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
