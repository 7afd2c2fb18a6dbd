import type { Flavor } from './nova.ts';

export interface Needs {
  readonly vcpus: number;
  readonly ramMiB: number;
  /** Root disk the flavor must give; 0 when the server boots from a volume. */
  readonly diskGb: number;
}

/**
 * The flavor a job's server gets: the one asked for (by name or id), else the smallest that fits
 * (fewest vCPUs, then least RAM, then least disk). Undefined, with the reason, when none does.
 */
export function chooseFlavor(
  flavors: readonly Flavor[],
  needs: Needs,
  asked: string | null,
): { flavor: Flavor } | { problem: string } {
  if (asked !== null) {
    const flavor = flavors.find((f) => f.name === asked || f.id === asked);
    return flavor
      ? { flavor }
      : {
          problem: `flavor ${asked} does not exist (there are: ${flavors.map((f) => f.name).join(', ') || 'none'})`,
        };
  }
  const fits = flavors
    .filter((f) => f.vcpus >= needs.vcpus && f.ram >= needs.ramMiB && f.disk >= needs.diskGb)
    .sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram || a.disk - b.disk);
  const best = fits[0];
  return best
    ? { flavor: best }
    : {
        problem: `no flavor has ${needs.vcpus} vCPUs, ${needs.ramMiB} MiB of RAM and ${needs.diskGb} GB of disk; name one for the job or create one`,
      };
}
