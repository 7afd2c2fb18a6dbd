/**
 * Waits until `probe` gives a truthy value and returns it; fails naming what it waited for.
 * For tests that watch a real system settle (a message acked, an event appended).
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs ?? 15_000} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25));
  }
}
