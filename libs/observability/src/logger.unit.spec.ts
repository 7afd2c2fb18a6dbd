import { readFileSync, existsSync } from 'node:fs';
import { tempDirs } from '@ferry/tooling/temp-dirs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWithLogContext } from './log-context.ts';
import { createLogger } from './logger.ts';

const tempDir = tempDirs('ferry-logs-');

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogger', () => {
  const dir = tempDir();

  it('writes JSON lines to app.log for the API side and worker.log for workers', () => {
    createLogger({ service: 'gateway', role: 'api', dir, console: false, sync: true }).info(
      'api line',
    );
    createLogger({ service: 'conversion', role: 'worker', dir, console: false, sync: true }).info(
      'worker line',
    );
    expect(lines(join(dir, 'app.log')).map((l) => [l.service, l.msg])).toEqual([
      ['gateway', 'api line'],
    ]);
    expect(lines(join(dir, 'worker.log')).map((l) => [l.service, l.msg])).toEqual([
      ['conversion', 'worker line'],
    ]);
  });

  it('puts job id, command id and trace id on every line, from the context of the work in hand', async () => {
    const d = tempDir();
    const log = createLogger({
      service: 'jobs',
      role: 'worker',
      dir: d,
      console: false,
      sync: true,
    });
    log.info('outside');
    await runWithLogContext(
      {
        jobId: 'job-1',
        commandId: 'cmd-1',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        actor: { kind: 'person', id: 'sub-1', name: 'Ada' },
      },
      async () => {
        await Promise.resolve();
        log.child({ component: 'handler' }).info('inside');
      },
    );
    const [outside, inside] = lines(join(d, 'worker.log'));
    expect(outside).toMatchObject({
      level: 'info',
      service: 'jobs',
      jobId: null,
      commandId: null,
      traceId: null,
      actor: null,
      msg: 'outside',
    });
    expect(inside).toMatchObject({
      service: 'jobs',
      component: 'handler',
      jobId: 'job-1',
      commandId: 'cmd-1',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      actor: { kind: 'person', id: 'sub-1', name: 'Ada' },
      msg: 'inside',
    });
    expect(typeof inside?.time).toBe('string');
  });

  it('redacts secrets by key at any depth, and passwords inside URLs', () => {
    const d = tempDir();
    const log = createLogger({
      service: 'discovery',
      role: 'worker',
      dir: d,
      console: false,
      sync: true,
    });
    log.info(
      {
        source: {
          host: 'esxi1',
          password: 'hunter2',
          auth: { token: 'gAAAAAB-tok', apiKey: 'k-123' },
        },
        headers: [{ Authorization: 'Bearer abc' }],
      },
      'connecting to nats://ferry:s3cret@127.0.0.1:4222',
    );
    const text = readFileSync(join(d, 'worker.log'), 'utf8');
    for (const secret of ['hunter2', 'gAAAAAB-tok', 'k-123', 'Bearer abc', 's3cret'])
      expect(text).not.toContain(secret);
    const [line] = lines(join(d, 'worker.log'));
    expect(line).toMatchObject({
      source: {
        host: 'esxi1',
        password: '[REDACTED]',
        auth: { token: '[REDACTED]', apiKey: '[REDACTED]' },
      },
      msg: 'connecting to nats://ferry:[REDACTED]@127.0.0.1:4222',
    });
  });

  it("keeps an error's message and stack, without the secrets in them", () => {
    const d = tempDir();
    const log = createLogger({
      service: 'image',
      role: 'worker',
      dir: d,
      console: false,
      sync: true,
    });
    log.error(
      { err: new TypeError('login failed for https://admin:pa55w0rd@keystone:5000/v3') },
      'upload failed',
    );
    const text = readFileSync(join(d, 'worker.log'), 'utf8');
    expect(text).not.toContain('pa55w0rd');
    expect(lines(join(d, 'worker.log'))[0]).toMatchObject({
      err: {
        type: 'TypeError',
        message: 'login failed for https://admin:[REDACTED]@keystone:5000/v3',
      },
    });
  });

  it('creates the log folder when it is missing', () => {
    const d = join(tempDir(), 'nested', 'logs');
    createLogger({ service: 'x', role: 'api', dir: d, console: false, sync: true }).warn('hello');
    expect(existsSync(join(d, 'app.log'))).toBe(true);
  });
});
