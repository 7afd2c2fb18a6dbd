import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { commandSchemas } from './commands/index.ts';
import { eventSchemas } from './events/index.ts';
import type { FieldError, RejectionReason } from './events/rejection.ts';
import type { TSchema } from './schema.ts';
import { commandSubject } from './command-subject.ts';
import type { FerryCommand, FerryEvent } from './types.ts';

/** The largest command accepted, in bytes: NATS's default maximum payload. */
export const MAX_COMMAND_BYTES = 1024 * 1024;
const MAX_REPORTED_ERRORS = 50;

export type Validation<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: RejectionReason;
      readonly errors: readonly FieldError[];
    };

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

/** A type guard from one of the contract's schemas (other messages than commands and events). */
export function guardOf<T>(schema: TSchema): (value: unknown) => value is T {
  const validate = ajv.compile(schema);
  return (value: unknown): value is T => validate(value);
}

interface Validators {
  readonly types: readonly string[];
  get(type: string): ValidateFunction | undefined;
}

/** Each type's validator compiled the first time it is needed: a service pays (in memory, ~40 MB for all) only for the types it sees. */
function lazily(schemas: readonly TSchema[]): Validators {
  const byType = new Map(schemas.map((s) => [(s as { title: string }).title, s] as const));
  const compiled = new Map<string, ValidateFunction>();
  return {
    types: [...byType.keys()],
    get(type) {
      const schema = byType.get(type);
      if (!schema) return undefined;
      let validate = compiled.get(type);
      if (!validate) compiled.set(type, (validate = ajv.compile(schema)));
      return validate;
    },
  };
}
const commandValidators = lazily(commandSchemas);
const eventValidators = lazily(eventSchemas);

/** Decodes and validates a command received on `subject`: every way it can be wrong gets a field-named error. */
export function decodeCommand(
  subject: string,
  payload: Uint8Array | string,
): Validation<FerryCommand> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_COMMAND_BYTES) {
    return reject('too-large', '', `command is ${size} bytes; the limit is ${MAX_COMMAND_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(
      typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'),
    );
  } catch (error) {
    return reject('unparseable', '', `not JSON: ${(error as Error).message}`);
  }
  const checked = validateCommand(value);
  if (!checked.ok) return checked;
  const expected = commandSubject(checked.value);
  if (expected !== subject) {
    return reject(
      'invalid',
      '/type',
      `${checked.value.type} is published on ${expected}, not on ${subject}`,
    );
  }
  return checked;
}

export function validateCommand(value: unknown): Validation<FerryCommand> {
  return validateMessage(value, commandValidators, 'command');
}

export function validateEvent(value: unknown): Validation<FerryEvent> {
  return validateMessage(value, eventValidators, 'event');
}

/**
 * Why an event is not one of Ferry's (its schema, or a type this version does not know), in one
 * line; undefined when it is. What the event store checks every event against, written or read.
 */
export function eventProblem(event: unknown): string | undefined {
  const checked = validateEvent(event);
  if (checked.ok) return undefined;
  return `${checked.reason}: ${checked.errors
    .slice(0, 5)
    .map((e) => `${e.path || '(event)'} ${e.message}`)
    .join('; ')}`.slice(0, 1000);
}

function validateMessage<T>(value: unknown, validators: Validators, kind: string): Validation<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('invalid', '', `a ${kind} must be a JSON object with type, data and metadata`);
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return reject('invalid', '/type', 'is required');
  if (typeof type !== 'string') return reject('invalid', '/type', 'must be a string');
  const validate = validators.get(type);
  if (!validate) {
    return reject(
      'unknown-type',
      '/type',
      `unknown ${kind} type '${type.slice(0, 64)}'; known: ${validators.types.join(', ')}`,
    );
  }
  if (validate(value)) return { ok: true, value: value as T };
  return { ok: false, reason: 'invalid', errors: fieldErrors(validate.errors ?? []) };
}

function reject(reason: RejectionReason, path: string, message: string): Validation<never> {
  return { ok: false, reason, errors: [{ path, message }] };
}

/** Ajv's errors as one line per field; the branch errors of an `anyOf` fold into one. */
function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const insideUnion = (e: ErrorObject) =>
    e.keyword !== 'anyOf' &&
    unions.some((u) => u.instancePath === e.instancePath && e.schemaPath.startsWith(u.schemaPath));
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    // A bad property name's own error (which names it) says more than `propertyNames` does.
    if (insideUnion(e) || e.keyword === 'propertyNames') continue;
    const line = describe(e);
    const key = `${line.path}\u0000${line.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(line);
    if (out.length === MAX_REPORTED_ERRORS) break;
  }
  return out;
}

function describe(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  if (e.propertyName !== undefined)
    return { path: child(e.instancePath, e.propertyName), message: `its name ${e.message}` };
  switch (e.keyword) {
    case 'required':
      return {
        path: child(e.instancePath, String(params.missingProperty)),
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        path: child(e.instancePath, String(params.additionalProperty)),
        message: 'is not a known field',
      };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'anyOf':
      return { path: e.instancePath, message: 'does not match any allowed form' };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}

/** The JSON pointer to a field by its name, escaped as Ajv escapes its own paths (`~0`, `~1`). */
const child = (path: string, name: string) =>
  `${path}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;
