import { describe, expect, it } from 'vitest';
import { summarize, type VitestReport } from './summary.ts';

const report = (passed: number, failed = 0, skipped = 0, success = failed === 0): VitestReport => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: skipped,
  numTodoTests: 0,
  numTotalTests: passed + failed + skipped,
  success,
});

describe('summarize', () => {
  it('adds up every report and ends with the closing line', () => {
    const s = summarize(
      [
        { name: 'a-unit', report: report(3) },
        { name: 'b-int', report: report(2) },
      ],
      [],
    );
    expect(s.lines.at(-1)).toBe('5 passed, 0 failed');
    expect(s.ok).toBe(true);
  });

  it('counts failed tests and failed steps', () => {
    const s = summarize([{ name: 'a-unit', report: report(3, 1) }], ['lint']);
    expect(s.lines).toContain('failed step: lint');
    expect(s.lines.at(-1)).toBe('3 passed, 2 failed');
    expect(s.ok).toBe(false);
  });

  it('counts a failed tier once: by its failing tests, or as a step when it left no failing report', () => {
    const withReport = summarize([{ name: 'a-unit', report: report(3, 1) }], ['test']);
    expect(withReport.lines.at(-1)).toBe('3 passed, 1 failed');
    const crashed = summarize([{ name: 'a-unit', report: report(3) }], ['test:int']);
    expect(crashed.lines).toContain('failed step: test:int');
    expect(crashed.lines.at(-1)).toBe('3 passed, 1 failed');
  });

  it("says how long each report's run took, from its start to its last file's end", () => {
    const timed: VitestReport = {
      ...report(2),
      startTime: 1_000,
      testResults: [{ endTime: 4_000 }, { endTime: 62_400 }],
    };
    const s = summarize([{ name: 'a-e2e', report: timed }], []);
    expect(s.lines[0]).toBe(`${'a-e2e'.padEnd(28)} 2 passed, 0 failed (61 s)`);
  });

  it('does not count a skipped test as a pass', () => {
    const s = summarize([{ name: 'a-unit', report: report(3, 0, 1) }], []);
    expect(s.lines.at(-1)).toBe('3 passed, 0 failed, 1 skipped');
    expect(s.ok).toBe(false);
  });

  it('fails when a file could not run, and when nothing ran', () => {
    expect(summarize([{ name: 'a-unit', report: report(3, 0, 0, false) }], []).ok).toBe(false);
    const none = summarize([], []);
    expect(none.lines).toContain('no test ran');
    expect(none.ok).toBe(false);
  });

  it('names each failed test with the start of its message, for a reader of the end of the output', () => {
    const failing: VitestReport = {
      ...report(1, 1),
      testResults: [
        {
          assertionResults: [
            { fullName: 'a works', status: 'passed' },
            {
              fullName: 'a fails',
              status: 'failed',
              failureMessages: [`AssertionError: expected 2\n    at x.ts:1\n${'y'.repeat(1000)}`],
            },
          ],
        },
      ],
    };
    const s = summarize([{ name: 'a-e2e', report: failing }], ['test:e2e']);
    const named = s.lines.filter((l) => l.includes('FAIL'));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^ {2}FAIL a fails: AssertionError: expected 2 at x\.ts:1 y+$/);
    expect(named[0]?.length).toBeLessThan(450);
  });
});
