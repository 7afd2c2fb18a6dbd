import { describe, expect, it } from 'vitest';
import { COMMAND_SUBJECTS } from './subjects.ts';
import { decodeCommand, MAX_COMMAND_BYTES, validateCommand, validateEvent } from './validation.ts';
import { eventSchemas } from './events/index.ts';

const create = {
  type: 'CreateMigrations',
  data: {
    vmKeys: ['ws-alpha', 'ws-beta'],
    options: { strategy: 'qemu-img', networkMapping: { 'VM Network': 'private' } },
  },
  metadata: { commandId: 'cmd-1', issuedAt: '2026-11-25T10:00:00Z' },
};
const subject: string = COMMAND_SUBJECTS.CreateMigrations;
const decode = (value: unknown, on = subject) => decodeCommand(on, JSON.stringify(value));
const rejected = (value: unknown, on = subject) => {
  const result = decode(value, on);
  if (result.ok) throw new Error('expected a rejection');
  return result;
};

describe('decodeCommand', () => {
  it('accepts a well-formed command on its subject', () => {
    const result = decode(create);
    expect(result.ok && result.value.type).toBe('CreateMigrations');
  });

  it("takes an upload routed to a conversion host on that host's subject only", () => {
    const upload = {
      type: 'UploadImage',
      data: { jobId: 'job-1', host: 'conv-a' },
      metadata: { commandId: 'up-1' },
    };
    expect(decode(upload, 'ferry.cmd.image.upload.conv-a').ok).toBe(true);
    expect(rejected(upload, COMMAND_SUBJECTS.UploadImage).errors[0]?.message).toBe(
      'UploadImage is published on ferry.cmd.image.upload.conv-a, not on ferry.cmd.image.upload',
    );
    expect(rejected(upload, 'ferry.cmd.image.upload.conv-b').reason).toBe('invalid');
    const hostless = { ...upload, data: { jobId: 'job-1' } };
    expect(decode(hostless, COMMAND_SUBJECTS.UploadImage).ok).toBe(true);
    // A host is one subject token: no dots or wildcards to widen where it goes.
    const widened = { ...upload, data: { jobId: 'job-1', host: 'a.>' } };
    expect(rejected(widened, 'ferry.cmd.image.upload.a.>').errors[0]?.path).toBe('/data/host');
  });

  it('names a missing field', () => {
    const r = rejected({ ...create, data: { options: {} } });
    expect(r.reason).toBe('invalid');
    expect(r.errors).toContainEqual({ path: '/data/vmKeys', message: 'is required' });
  });

  it('names a missing metadata field', () => {
    const r = rejected({ ...create, metadata: {} });
    expect(r.errors).toContainEqual({ path: '/metadata/commandId', message: 'is required' });
  });

  it('names a field of the wrong type', () => {
    const r = rejected({ ...create, data: { vmKeys: 'ws-alpha' } });
    expect(r.errors).toContainEqual({ path: '/data/vmKeys', message: 'must be array' });
  });

  it('names a value outside its set', () => {
    const r = rejected({ ...create, data: { vmKeys: ['a'], options: { strategy: 'magic' } } });
    expect(r.errors).toContainEqual({
      path: '/data/options/strategy',
      message: 'must be one of: virt-v2v, qemu-img, auto',
    });
  });

  it('names an item of an array by its index', () => {
    const r = rejected({ ...create, data: { vmKeys: ['ok', 'has space'] } });
    expect(r.errors.map((e) => e.path)).toEqual(['/data/vmKeys/1']);
  });

  it('refuses an unknown field rather than ignoring it', () => {
    const r = rejected({ ...create, data: { ...create.data, vmKey: 'typo' } });
    expect(r.errors).toContainEqual({ path: '/data/vmKey', message: 'is not a known field' });
  });

  it('refuses an unknown command type and lists the known ones', () => {
    const r = rejected({ ...create, type: 'DeleteEverything' });
    expect(r.reason).toBe('unknown-type');
    expect(r.errors[0]?.path).toBe('/type');
    expect(r.errors[0]?.message).toMatch(
      /unknown command type 'DeleteEverything'; known: CreateMigrations, /,
    );
  });

  it('refuses a misspelt option too', () => {
    const r = rejected({ ...create, data: { vmKeys: ['a'], options: { keepMAC: true } } });
    expect(r.errors).toEqual([{ path: '/data/options/keepMAC', message: 'is not a known field' }]);
  });

  it('checks every entry of a map, whatever its name, and bounds the name', () => {
    const mapping = { 'line\nbreak': { not: 'a string' }, ['n'.repeat(256)]: 'private' };
    const r = rejected({
      ...create,
      data: { vmKeys: ['a'], options: { networkMapping: mapping } },
    });
    expect(r.errors).toEqual([
      {
        path: `/data/options/networkMapping/${'n'.repeat(256)}`,
        message: 'its name must NOT have more than 255 characters',
      },
      { path: '/data/options/networkMapping/line\nbreak', message: 'must be string' },
    ]);
  });

  it('names a field as a JSON pointer, escaping `~` and `/`', () => {
    const r = rejected({ ...create, data: { ...create.data, 'a/b~c': 1 } });
    expect(r.errors).toEqual([{ path: '/data/a~1b~0c', message: 'is not a known field' }]);
  });

  it('refuses a command without a type', () => {
    const { type: _omitted, ...untyped } = create;
    expect(rejected(untyped).errors).toEqual([{ path: '/type', message: 'is required' }]);
  });

  it("refuses a command published on another command's subject", () => {
    const r = rejected(create, COMMAND_SUBJECTS.CancelMigration);
    expect(r.errors).toEqual([
      {
        path: '/type',
        message: `CreateMigrations is published on ${subject}, not on ${COMMAND_SUBJECTS.CancelMigration}`,
      },
    ]);
  });

  it('refuses a payload over the size limit before parsing it', () => {
    const huge = JSON.stringify({
      ...create,
      data: { vmKeys: ['a'], filler: 'x'.repeat(MAX_COMMAND_BYTES) },
    });
    const result = decodeCommand(subject, huge);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe('too-large');
      expect(result.errors[0]?.message).toMatch(/^command is \d+ bytes; the limit is 1048576$/);
    }
  });

  it('bounds arrays and strings inside the limit too', () => {
    const many = rejected({
      ...create,
      data: { vmKeys: Array.from({ length: 10_001 }, (_, i) => `vm-${i}`) },
    });
    expect(many.errors).toContainEqual({
      path: '/data/vmKeys',
      message: 'must NOT have more than 10000 items',
    });
    const long = rejected(
      {
        type: 'CancelMigration',
        data: { jobId: 'j1', reason: 'x'.repeat(5000) },
        metadata: create.metadata,
      },
      COMMAND_SUBJECTS.CancelMigration,
    );
    expect(long.errors).toContainEqual({
      path: '/data/reason',
      message: 'must NOT have more than 1024 characters',
    });
  });

  it('refuses duplicate VM keys in one selection', () => {
    const r = rejected({ ...create, data: { vmKeys: ['a', 'b', 'a'] } });
    expect(r.errors[0]?.path).toBe('/data/vmKeys');
  });

  it('refuses bytes that are not JSON, and JSON that is not an object', () => {
    expect(decodeCommand(subject, new TextEncoder().encode('{"type":')).ok).toBe(false);
    const notJson = decodeCommand(subject, '{"type":');
    expect(!notJson.ok && notJson.reason).toBe('unparseable');
    expect(rejected([1, 2]).errors[0]?.message).toMatch(/must be a JSON object/);
  });

  it('accepts unicode within the limits', () => {
    const result = decode(
      {
        type: 'CancelMigration',
        data: { jobId: 'j1', reason: 'Zurück — 取消 ✓' },
        metadata: create.metadata,
      },
      COMMAND_SUBJECTS.CancelMigration,
    );
    expect(result.ok).toBe(true);
  });
});

describe('validateEvent', () => {
  const event = {
    type: 'VmClaimed',
    data: { vmKey: 'ws-alpha', jobId: 'job-1' },
    metadata: {
      commandId: 'c1',
      correlationId: 'c1',
      causationId: 'c1',
      occurredAt: '2026-11-25T10:00:00.123Z',
    },
  };

  it('accepts a well-formed event', () => {
    expect(validateEvent(event).ok).toBe(true);
  });

  it('names a malformed timestamp', () => {
    const result = validateEvent({
      ...event,
      metadata: { ...event.metadata, occurredAt: 'yesterday' },
    });
    expect(!result.ok && result.errors[0]?.path).toBe('/metadata/occurredAt');
  });

  it('folds the branches of a nullable field into one error', () => {
    const result = validateEvent({
      type: 'MigrationSelectionProcessed',
      data: { jobs: [], skipped: [{ vmKey: 'a', reason: 'active-job', activeJobId: 42 }] },
      metadata: event.metadata,
    });
    expect(!result.ok && result.errors).toEqual([
      { path: '/data/skipped/0/activeJobId', message: 'does not match any allowed form' },
    ]);
  });
});

describe('every schema compiles under strict mode (validators are compiled on first use)', () => {
  it('each command and event type gets its own field errors, not a compile failure', () => {
    for (const type of Object.keys(COMMAND_SUBJECTS))
      expect(validateCommand({ type, data: {}, metadata: {} }), type).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
    for (const schema of eventSchemas) {
      const type = (schema as { title: string }).title;
      expect(validateEvent({ type, data: {}, metadata: {} }), type).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
    }
  });
});
