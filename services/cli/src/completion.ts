import { BOOT_MODES, CONVERSION_STRATEGIES, MIGRATION_STATES } from '@ferry/contracts';
import { DEAD_LETTERS_FLAGS } from './dead-letters.ts';
import { DISCOVER_FLAGS } from './discover.ts';
import { DOCTOR_FLAGS } from './doctor.ts';
import { FORMATS } from './format.ts';
import { REQUEST_FLAGS } from './job-requests.ts';
import { JOB_FLAGS, JOBS_FLAGS } from './jobs.ts';
import { LOGS_FLAGS } from './logs.ts';
import { MIGRATE_FLAGS } from './migrate.ts';
import { OPENSTACK_FLAGS } from './openstack-health.ts';
import { OPTION_FLAGS } from './options.ts';
import { REFRESH_FLAGS } from './refresh.ts';

/**
 * What the shell completes after each command: its flags (the very objects the command parses
 * with, so the two cannot drift) and the words it takes first. `retry` is the one request that
 * takes a job's options.
 */
export const COMPLETIONS: Readonly<
  Record<string, { readonly flags: object; readonly words?: readonly string[] }>
> = {
  discover: { flags: DISCOVER_FLAGS },
  doctor: { flags: DOCTOR_FLAGS },
  openstack: { flags: OPENSTACK_FLAGS, words: ['health'] },
  refresh: { flags: REFRESH_FLAGS },
  migrate: { flags: MIGRATE_FLAGS },
  jobs: { flags: JOBS_FLAGS },
  job: { flags: JOB_FLAGS },
  logs: { flags: LOGS_FLAGS },
  cancel: { flags: withoutJobOptions() },
  retry: { flags: REQUEST_FLAGS },
  rollback: { flags: withoutJobOptions() },
  'dead-letters': { flags: DEAD_LETTERS_FLAGS, words: ['replay'] },
  completion: { flags: {}, words: ['bash'] },
};

/** The values a flag takes from a fixed set. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  '--strategy': CONVERSION_STRATEGIES,
  '--boot-mode': BOOT_MODES,
  '--state': MIGRATION_STATES,
  '--format': FORMATS,
  '-f': FORMATS,
};

function withoutJobOptions(): object {
  return Object.fromEntries(Object.entries(REQUEST_FLAGS).filter(([f]) => !(f in OPTION_FLAGS)));
}

/** `ferry completion bash`: a bash completion script (`source <(ferry completion bash)`). */
export async function completion(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'bash') {
    process.stderr.write(
      'ferry completion: give the shell: bash (zsh reads it after `autoload bashcompinit && bashcompinit`)\n',
    );
    return 2;
  }
  process.stdout.write(bashScript());
  return 0;
}

function bashScript(): string {
  const words = (list: readonly string[]) => list.join(' ');
  const commands = Object.entries(COMPLETIONS).map(
    ([name, { flags, words: first = [] }]) =>
      `    ${name}) words="${words([...first, ...Object.keys(flags).map((f) => `--${f}`)])}" ;;`,
  );
  const values = Object.entries(VALUES).map(
    ([flag, list]) => `    ${flag}) words="${words(list)}" ;;`,
  );
  return `# ferry's bash completion: source <(ferry completion bash)
_ferry() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words=""
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "${words(Object.keys(COMPLETIONS))}" -- "$cur"))
    return
  fi
  case "$prev" in
${values.join('\n')}
  esac
  if [[ -z "$words" ]]; then
    case "\${COMP_WORDS[1]}" in
${commands.join('\n')}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _ferry ferry
`;
}
