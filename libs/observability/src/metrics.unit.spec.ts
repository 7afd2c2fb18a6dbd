import { describe, expect, it } from 'vitest';
import { counter, metricsRegistry, timeExternal } from './metrics.ts';

const sampleOf = async (name: string, labels: string) =>
  (await metricsRegistry.metrics())
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(labels));

describe('metrics', () => {
  it('gives the same counter for the same name, wherever it is asked for', () => {
    const a = counter('ferry_test_things_total', 'Things.', ['kind']);
    const b = counter('ferry_test_things_total', 'Things.', ['kind']);
    expect(b).toBe(a);
  });

  it('times calls to outside systems, counting throws and failed results as errors', async () => {
    await timeExternal('nova', 'GET', async () => 'ok');
    await expect(
      timeExternal('nova', 'GET', async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await timeExternal(
      'qemu-img',
      'convert',
      async () => ({ exitCode: 1 }),
      (r) => r.exitCode !== 0,
    );
    expect(await sampleOf('ferry_external_request_duration_seconds_count', 'outcome="ok"')).toMatch(
      /system="nova",operation="GET",outcome="ok"} 1$/,
    );
    expect(await sampleOf('ferry_external_request_errors_total', 'system="nova"')).toMatch(/ 1$/);
    expect(await sampleOf('ferry_external_request_errors_total', 'system="qemu-img"')).toMatch(
      / 1$/,
    );
  });
});
