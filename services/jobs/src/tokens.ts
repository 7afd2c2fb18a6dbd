/** Injection tokens of the jobs service. */
export const JOBS_DEPS = Symbol('JobsDeps');
