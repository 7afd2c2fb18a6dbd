import { LeaseLostError } from '@ferry/domain';
import type { JobStage } from '@ferry/contracts';
import type { Decide } from './open-job.ts';

export interface LeaseKeeperOptions {
  readonly stage: JobStage;
  /** Its renewals are named for it: another holder's, of the same command, are other decisions. */
  readonly holder: string;
  readonly leaseMs: number;
  /** The lease's end as claimed (ms since the epoch). */
  readonly until: number;
  readonly decide: Decide;
  readonly expired: () => void;
  readonly lost: (error: unknown) => void;
}

/**
 * Keeps a stage's lease while its work makes progress: a renewal at most every third of the lease,
 * and only after progress since the last one. Work that makes no progress until the lease ends is
 * stopped (`expired`), as is work whose lease was lost: a lapsed holder never runs beside the one
 * that took over.
 */
export class LeaseKeeper {
  private until: number;
  private lastRenewal: number;
  private progressed = false;
  private renewing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private renewals = 0;

  private readonly options: LeaseKeeperOptions;

  constructor(options: LeaseKeeperOptions) {
    this.options = options;
    this.until = options.until;
    this.lastRenewal = Date.now();
    this.arm();
  }

  /** The work moved forward: the lease is renewed if it is time to. */
  progress(): void {
    this.progressed = true;
    if (this.renewing || Date.now() - this.lastRenewal < this.options.leaseMs / 3) return;
    this.renewing = this.renew().finally(() => (this.renewing = undefined));
  }

  /** Waits for a renewal under way, and stops watching the lease. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  private async renew(): Promise<void> {
    this.progressed = false;
    this.lastRenewal = Date.now();
    try {
      await this.options.decide(
        { type: 'RenewLease', data: { stage: this.options.stage, leaseMs: this.options.leaseMs } },
        `renew-${this.options.holder.slice(-6)}-${++this.renewals}`,
      );
      this.until = this.lastRenewal + this.options.leaseMs;
    } catch (error) {
      // Lost: stop. Not recorded (the store unreachable): the lease ends where it was, and then the work stops.
      if (error instanceof LeaseLostError) this.options.lost(error);
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), Math.max(0, this.until - Date.now()));
  }

  /** At the lease's end: renewed meanwhile (or now, after progress), it goes on; else the work stops. */
  private async check(): Promise<void> {
    if (this.progressed && !this.renewing) this.progress();
    await this.renewing;
    if (this.timer === undefined) return; // stopped meanwhile
    if (Date.now() >= this.until) this.options.expired();
    else this.arm();
  }
}
