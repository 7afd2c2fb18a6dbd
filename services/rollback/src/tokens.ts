/** Injection tokens of the rollback service. */
export const ROLLBACK_DEPS = Symbol('RollbackDeps');
