/**
 * Whether a browser's request may be answered: one with no Origin (not a browser), from the
 * gateway's own origin (the console it serves), or from an origin the operator allowed. A page on
 * another site may not open a WebSocket or send a mutation with the user's credentials.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === '') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host !== undefined && url.host === host) return true;
  return allowed.some((a) => a.replace(/\/+$/, '') === url.origin);
}
