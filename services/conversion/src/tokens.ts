/** Injection tokens of the conversion service. */
export const CONVERT_DEPS = Symbol('ConvertDeps');
