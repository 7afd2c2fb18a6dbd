import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startBuiltService } from '@ferry/testing';

export interface ServiceProcess {
  /** The most memory the process has held so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** SIGTERM; resolves once it exited. */
  stop(): Promise<void>;
}

/** One of Ferry's services, built and started as its own process, as `npm start` runs it. */
export function startService(name: string, env: Readonly<Record<string, string>>): ServiceProcess {
  execFileSync('npx', ['nx', 'run', `@ferry/service-${name}:build`, '--outputStyle=static'], {
    stdio: 'ignore',
  });
  const service = startBuiltService(name, env);
  return {
    peakRssMiB: () =>
      Number(
        /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${service.process.pid}/status`, 'utf8'))?.[1] ??
          0,
      ) / 1024,
    stop: () => service.stop(),
  };
}

/** A peak RSS against its limit, as a measurement line. */
export const rssMeasurement = (
  bench: string,
  peakMiB: number,
  limitMiB: number,
  metric = 'service_peak_rss',
) => ({
  bench,
  metric,
  value: Math.round(peakMiB),
  unit: 'MiB',
  baseline: limitMiB,
  ratio: Math.round((peakMiB / limitMiB) * 100) / 100,
  goal: '<= 1',
  rounds: 1,
});
