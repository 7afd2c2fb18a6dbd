import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_SUBJECTS, REJECTION_REASONS } from '@ferry/contracts';
import { readCommand, type Rejection } from './command-consumer.ts';

const subjects = Object.values(COMMAND_SUBJECTS);
const aSubject = fc.oneof(fc.constantFrom(...subjects), fc.string());
const aHeaderId = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const aJsonValue = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
const anId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_:=-]{0,40}$/);

/** A rejection the consumer can hand on: a reason of the contract's, and why, field by field. */
function expectRejection(read: ReturnType<typeof readCommand>, subject: string): Rejection {
  if (read.ok) throw new Error(`accepted: ${JSON.stringify(read.command)}`);
  const { rejection } = read;
  expect(rejection.subject).toBe(subject);
  expect(REJECTION_REASONS).toContain(rejection.reason);
  expect(rejection.errors.length).toBeGreaterThan(0);
  for (const e of rejection.errors) expect(e.message).toMatch(/\S/);
  return rejection;
}

describe('what the consumer makes of a delivered message', () => {
  it('rejects arbitrary bytes, never throwing', () => {
    fc.assert(
      fc.property(aSubject, fc.uint8Array({ maxLength: 512 }), aHeaderId, (subject, data, id) => {
        const rejection = expectRejection(readCommand(subject, data, { commandId: id }), subject);
        if (id !== undefined) expect(rejection.commandId).toBe(id);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects what is not a command, naming what it claims to be', () => {
    const claims = fc.record(
      {
        type: fc.oneof(fc.constantFrom(...Object.keys(COMMAND_SUBJECTS)), aJsonValue),
        data: aJsonValue,
        metadata: fc.oneof(fc.record({ commandId: aJsonValue }), aJsonValue),
      },
      { requiredKeys: [] },
    );
    const claimed = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 128) : null);
    fc.assert(
      fc.property(aSubject, claims, (subject, value) => {
        const read = readCommand(subject, encode(value), {});
        if (read.ok) return;
        const rejection = expectRejection(read, subject);
        const { metadata } = value as { metadata?: { commandId?: unknown } };
        expect(rejection.commandType).toBe(claimed(value.type));
        expect(rejection.commandId).toBe(
          typeof metadata === 'object' && metadata !== null ? claimed(metadata.commandId) : null,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('hands on a valid command as sent, and only on its subject', () => {
    const jobCommands = ['ConvertDisks', 'UploadImage', 'DeployServer', 'VerifyServer'] as const;
    const aCommand = fc.record({
      type: fc.constantFrom(...jobCommands),
      data: fc.record({ jobId: anId }),
      metadata: fc.record(
        { commandId: fc.stringMatching(/^[\x21-\x7e]{1,128}$/), correlationId: anId },
        { requiredKeys: ['commandId'] },
      ),
    });
    fc.assert(
      fc.property(aCommand, aSubject, (command, other) => {
        const subject = COMMAND_SUBJECTS[command.type];
        expect(readCommand(subject, encode(command), {})).toEqual({ ok: true, command });
        if (other === subject) return;
        const rejection = expectRejection(readCommand(other, encode(command), {}), other);
        expect(rejection).toMatchObject({
          commandType: command.type,
          commandId: command.metadata.commandId,
          reason: 'invalid',
        });
      }),
      { numRuns: 2000 },
    );
  });
});
