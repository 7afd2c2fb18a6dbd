/** A class of error a reader may refuse its input with. */
type ErrorClass = abstract new (...args: never[]) => Error;

// The engine's own failures: a reader that lets one out crashed on its input rather than refused it.
const ENGINE_ERRORS: readonly ErrorClass[] = [TypeError, RangeError, ReferenceError, SyntaxError];
// Words of a crash, or of a computation on a value that was never there, carried into a message.
const ENGINE_WORDING =
  /Cannot read propert|is not a function|is not iterable|out of range|Invalid (typed )?array|allocation failed|call stack|\bNaN\b|Infinity|\bundefined\b/;

/**
 * Checks that `error` is a refusal: one of `kinds`, not one of the engine's, with a message that
 * says something. Otherwise rethrows it, so that fast-check shows the input and what went wrong.
 */
export function expectRefusal(error: unknown, ...kinds: ErrorClass[]): void {
  const message = error instanceof Error ? error.message : '';
  const refusal =
    kinds.some((k) => error instanceof k) &&
    !ENGINE_ERRORS.some((k) => error instanceof k) &&
    message.trim() !== '' &&
    !ENGINE_WORDING.test(message);
  if (!refusal) throw new Error(`not a clean refusal: ${String(error)}`, { cause: error });
}

/** `read()`'s result, or undefined when it refused its input as `expectRefusal` wants. */
export function readOrRefuse<T>(read: () => T, ...kinds: ErrorClass[]): T | undefined {
  try {
    return read();
  } catch (error) {
    expectRefusal(error, ...kinds);
    return undefined;
  }
}
