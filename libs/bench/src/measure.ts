import { join } from 'node:path';

/** Where each bench's latest results are kept, a JSON line per measurement. */
export const RESULTS = join(import.meta.dirname, '..', '..', '..', '.reports', 'bench');

/** One benchmark result, printed as a JSON line: Ferry's figure, the raw tool's, and the goal for their ratio. */
export interface Measurement {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  readonly ratio: number;
  /** A comparator and the number the ratio must meet, e.g. ">= 0.7". */
  readonly goal: string;
  readonly rounds: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs Ferry's variant and the raw one alternately, `rounds` times each, and compares their medians. */
export async function compare(options: {
  bench: string;
  metric: string;
  unit: string;
  goal: string;
  rounds: number;
  ferry: (round: number) => Promise<number>;
  raw: (round: number) => Promise<number>;
}): Promise<Measurement> {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    theirs.push(await options.raw(round));
    ours.push(await options.ferry(round));
  }
  const value = median(ours);
  const baseline = median(theirs);
  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    bench: options.bench,
    metric: options.metric,
    value: Number(value.toPrecision(4)),
    unit: options.unit,
    baseline: Number(baseline.toPrecision(4)),
    ratio: round2(value / baseline),
    goal: options.goal,
    rounds: options.rounds,
  };
}

/** Whether a ratio meets a goal such as ">= 0.7" or "<= 1.03". */
export function meets(ratio: number, goal: string): boolean {
  const match = /^(>=|<=)\s*([\d.]+)$/.exec(goal.trim());
  if (!match) throw new Error(`bad goal ${goal}`);
  return match[1] === '>=' ? ratio >= Number(match[2]) : ratio <= Number(match[2]);
}
