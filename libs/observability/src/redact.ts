/** Keys whose values are secrets wherever they appear in a logged object. */
const SECRET_KEY =
  /pass(word|phrase|wd)?$|secret|token|credential|authorization|cookie|api[-_]?key|private[-_]?key/i;
// Credentials inside a URL: scheme://user:password@host
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;
export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 8;

/** A copy with every secret-named value replaced; strings lose any password embedded in a URL. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  // An error stays an error (of its own class), so the logger's error serializer still knows it.
  const out: Record<string, unknown> =
    value instanceof Error
      ? (Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>)
      : {};
  if (value instanceof Error) {
    Object.defineProperties(out, {
      message: { value: redactText(value.message), enumerable: false },
      stack: {
        value: value.stack === undefined ? undefined : redactText(value.stack),
        enumerable: false,
      },
    });
  }
  for (const [key, v] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(v, depth + 1);
  return out;
}

export const redactText = (text: string): string => text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
