import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { OPERATION_ROLES, permits, roleNeeded, rolesOf } from './roles.ts';

describe('roles', () => {
  it('given claims in the configured claim, when read, then the roles named there (plain or ferry-)', () => {
    expect(rolesOf({ roles: ['operator', 'other'] }, 'roles')).toEqual(['operator']);
    expect(rolesOf({ roles: 'ferry-admin' }, 'roles')).toEqual(['admin']);
    expect(rolesOf({ realm_access: { roles: ['ferry-viewer'] } }, 'realm_access.roles')).toEqual([
      'viewer',
    ]);
    expect(rolesOf({ roles: ['Admin', 'ferry_admin'] }, 'roles')).toEqual([]);
    expect(rolesOf({}, 'roles')).toEqual([]);
    expect(rolesOf({ realm_access: ['admin'] }, 'realm_access.roles')).toEqual([]);
    expect(rolesOf({ roles: ['admin'] }, '__proto__.roles')).toEqual([]);
  });

  it('given a role, then it may do what it and the roles before it may', () => {
    expect(permits(['viewer'], 'viewer')).toBe(true);
    expect(permits(['viewer'], 'operator')).toBe(false);
    expect(permits(['operator'], 'viewer')).toBe(true);
    expect(permits(['admin'], 'operator')).toBe(true);
    expect(permits([], 'viewer')).toBe(false);
  });

  it('every field of the schema says its role; one it does not know needs admin', () => {
    const schema = buildSchema(
      readFileSync(join(import.meta.dirname, '..', 'schema.graphql'), 'utf8'),
    );
    const operations = [
      schema.getQueryType(),
      schema.getMutationType(),
      schema.getSubscriptionType(),
    ]
      .flatMap((type) => Object.keys(type?.getFields() ?? {}).map((f) => `${type?.name}.${f}`))
      .sort();
    expect(Object.keys(OPERATION_ROLES).sort()).toEqual(operations);
    expect(roleNeeded('Mutation', 'migrate')).toBe('operator');
    expect(roleNeeded('Query', 'quarantine')).toBe('admin');
    expect(roleNeeded('Query', 'deadLetters')).toBe('admin');
    expect(roleNeeded('Mutation', 'replayDeadLetters')).toBe('admin');
    expect(roleNeeded('Mutation', 'somethingNew')).toBe('admin');
    expect(Object.values(OPERATION_ROLES).filter((r) => r === 'viewer').length).toBe(8);
  });
});
