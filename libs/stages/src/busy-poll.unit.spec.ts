import { describe, expect, it } from 'vitest';
import { busyPollMs } from './busy-poll.ts';

describe('busyPollMs', () => {
  it('looks again at a stopping stage every 5 s, until its lease lapses', () => {
    expect([2, 5, 20].map((n) => busyPollMs(120_000, false, n))).toEqual([5_000, 5_000, 5_000]);
    expect(busyPollMs(3_000, false, 2)).toBe(3_000);
  });

  it('waits three times as long at each delivery of a command whose earlier delivery holds the stage', () => {
    expect([2, 3, 4, 5].map((n) => busyPollMs(600_000, true, n))).toEqual([
      5_000, 15_000, 45_000, 135_000,
    ]);
  });

  it('never past the lapse, never within a second', () => {
    expect(busyPollMs(30_000, true, 9)).toBe(30_000);
    expect(busyPollMs(-5_000, true, 2)).toBe(1_000);
    expect(busyPollMs(200, false, 2)).toBe(1_000);
  });

  // A consumer gives up after 10 deliveries it cannot explain; another replica's waits are not
  // explained to it. A hung holder's lease of 120 s (and 15 s before another takes over) must be
  // waited out in fewer deliveries than that; so must the longest lease allowed, an hour.
  it.each([135_000, 3_615_000])(
    'waits out a lapse %i ms away in at most 10 deliveries',
    (lapse) => {
      const ackWaitMs = 10_000; // the hung holder's message comes back after the ack wait
      let elapsed = ackWaitMs;
      let delivery = 2;
      while (elapsed < lapse) {
        elapsed += busyPollMs(lapse - elapsed, true, delivery);
        delivery += 1;
      }
      expect(delivery - 1).toBeLessThanOrEqual(10);
    },
  );
});
