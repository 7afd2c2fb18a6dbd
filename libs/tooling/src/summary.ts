/** The part of a vitest JSON report the summary reads. */
export interface VitestReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
  readonly numTotalTests: number;
  readonly success: boolean;
  readonly startTime?: number;
  readonly testResults?: readonly {
    readonly endTime?: number;
    readonly assertionResults?: readonly {
      readonly fullName: string;
      readonly status: string;
      readonly failureMessages?: readonly string[];
    }[];
  }[];
}

/** How much of a failure's message the summary repeats: CI shows only the end of a run's output. */
const FAILURE_CHARS = 400;

const TIER_OF_STEP: Readonly<Record<string, string>> = {
  test: 'unit',
  'test:int': 'int',
  'test:e2e': 'e2e',
};

/** How long a report's run took, as CI's budget is counted: from its start to its last file's end. */
function took(report: VitestReport): string {
  const ends = (report.testResults ?? []).map((f) => f.endTime ?? 0);
  if (report.startTime === undefined || ends.length === 0) return '';
  return ` (${Math.round((Math.max(...ends) - report.startTime) / 1000)} s)`;
}

/**
 * One line per report, then the closing `N passed, N failed`. A step that failed with no failing
 * report to show for it (typecheck, lint, a tier that crashed) counts as a failure; a skipped test
 * is not a pass, and running no test at all fails.
 */
export function summarize(
  reports: readonly { name: string; report: VitestReport }[],
  failedSteps: readonly string[],
) {
  const lines: string[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let broken = false;
  for (const { name, report } of reports) {
    // A tier a project has no tests in yet says nothing.
    if (report.numTotalTests === 0 && report.success) continue;
    const notRun = report.numPendingTests + report.numTodoTests;
    lines.push(
      `${name.padEnd(28)} ${report.numPassedTests} passed, ${report.numFailedTests} failed${notRun ? `, ${notRun} skipped` : ''}${took(report)}`,
    );
    // Named again at the end, where the output is cut: what failed, and why, in a few lines.
    for (const file of report.testResults ?? [])
      for (const t of file.assertionResults ?? [])
        if (t.status === 'failed') {
          const why = (t.failureMessages?.[0] ?? '').replace(/\s+/g, ' ').slice(0, FAILURE_CHARS);
          lines.push(`  FAIL ${t.fullName}: ${why}`);
        }
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += notRun;
    // A file that failed to load has no failed test but an unsuccessful report.
    if (!report.success && report.numFailedTests === 0) broken = true;
  }
  for (const step of failedSteps) {
    const tier = TIER_OF_STEP[step];
    const reported =
      tier !== undefined && reports.some((r) => r.name.endsWith(`-${tier}`) && !r.report.success);
    if (reported) continue;
    lines.push(`failed step: ${step}`);
    failed += 1;
  }
  if (broken) {
    lines.push('a test file failed to run (see its output above)');
    failed += 1;
  }
  if (skipped > 0) lines.push(`${skipped} test(s) skipped: a skipped test is not a pass`);
  if (passed + failed === 0) lines.push('no test ran');
  lines.push(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { lines, ok: failed === 0 && skipped === 0 && passed > 0 };
}
