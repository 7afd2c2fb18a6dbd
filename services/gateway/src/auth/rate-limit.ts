/**
 * Each person's mutations in a sliding minute: `take(subject)` says whether one more may run.
 * Mutations publish commands that act on VMware and OpenStack; a script gone wrong stops here.
 */
export class RateLimit {
  private readonly perMinute: number;
  private readonly recent = new Map<string, number[]>();

  constructor(perMinute: number) {
    this.perMinute = perMinute;
  }

  take(subject: string, now = Date.now()): boolean {
    const times = (this.recent.get(subject) ?? []).filter((t) => now - t < 60_000);
    const ok = times.length < this.perMinute;
    if (ok) times.push(now);
    this.recent.set(subject, times);
    return ok;
  }
}
