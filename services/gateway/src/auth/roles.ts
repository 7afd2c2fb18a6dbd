/** What a person may do at the gateway: each role may do what the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The role each GraphQL operation needs: queries and subscriptions read (viewer), mutations act on
 * VMware and OpenStack (operator), the store's quarantine and the dead letters are an administrator's. An operation
 * missing here needs admin, so a new field is closed until someone says who may use it.
 */
export const OPERATION_ROLES: Readonly<Record<string, Role>> = {
  'Query.inventory': 'viewer',
  'Query.sources': 'viewer',
  'Query.unreadableVms': 'viewer',
  'Query.migrations': 'viewer',
  'Query.migration': 'viewer',
  'Query.health': 'viewer',
  'Query.quarantine': 'admin',
  'Query.deadLetters': 'admin',
  'Subscription.migrationUpdated': 'viewer',
  'Subscription.inventoryChanged': 'viewer',
  'Mutation.refreshInventory': 'operator',
  'Mutation.migrate': 'operator',
  'Mutation.cancelMigration': 'operator',
  'Mutation.retryMigration': 'operator',
  'Mutation.cancelMigrations': 'operator',
  'Mutation.retryMigrations': 'operator',
  'Mutation.rerunRollback': 'operator',
  'Mutation.replayDeadLetters': 'admin',
};

export const roleNeeded = (type: string, field: string): Role =>
  OPERATION_ROLES[`${type}.${field}`] ?? 'admin';

/** Whether someone with `roles` may do what needs `needed`. */
export const permits = (roles: readonly Role[], needed: Role): boolean =>
  roles.some((r) => ROLES.indexOf(r) >= ROLES.indexOf(needed));

/**
 * The roles a token's claims give, read at `claimPath` (dots for nested claims, as Keycloak's
 * `realm_access.roles`): a list of names or one name, `ferry-` prefixed or not; others ignored.
 */
export function rolesOf(claims: Readonly<Record<string, unknown>>, claimPath: string): Role[] {
  let value: unknown = claims;
  for (const key of claimPath.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  const names = Array.isArray(value) ? value : [value];
  return ROLES.filter((role) => names.some((n) => n === role || n === `ferry-${role}`));
}
