/** Injection tokens of the compute service. */
export const COMPUTE_DEPS = Symbol('ComputeDeps');
