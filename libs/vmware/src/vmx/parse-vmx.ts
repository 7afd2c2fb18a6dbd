/** A .vmx file larger than this is not a VM configuration. */
export const MAX_VMX_BYTES = 1024 * 1024;

export interface ParsedVmx {
  /** Keys in lower case (VMware treats them case-insensitively); a repeated key keeps its last value. */
  readonly entries: ReadonlyMap<string, string>;
  readonly encoding: string;
}

/**
 * Parses a .vmx: `key = "value"` lines, `#` comments, values in the file's `.encoding` (UTF-8 when
 * absent), with VMware's `|XX` hex escapes decoded. Throws on what is not a .vmx at all.
 */
export function parseVmx(bytes: Uint8Array): ParsedVmx {
  if (bytes.byteLength > MAX_VMX_BYTES)
    throw new Error(`too large for a .vmx (${bytes.byteLength} bytes)`);
  if (bytes.includes(0)) throw new Error('not a text file');
  const encoding = declaredEncoding(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding).decode(bytes);
  } catch {
    throw new Error(`unsupported .encoding "${encoding}"`);
  }
  const entries = new Map<string, string>();
  for (const [n, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`line ${n + 1} is not "key = value"`);
    const key = line.slice(0, eq).trim().toLowerCase();
    entries.set(key, unescape(unquote(line.slice(eq + 1).trim())));
  }
  return { entries, encoding };
}

// The encoding is declared in the file itself, in ASCII, before anything that depends on it.
function declaredEncoding(bytes: Uint8Array): string {
  const ascii = new TextDecoder('latin1').decode(
    bytes.subarray(0, Math.min(bytes.byteLength, 64 * 1024)),
  );
  const match = /^\s*\.encoding\s*=\s*"?([^"\r\n]+)"?\s*$/im.exec(ascii);
  return match?.[1]?.trim() || 'utf-8';
}

const unquote = (value: string) =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;

// VMware writes characters it cannot leave bare (", |, #, control characters) as |XX.
const unescape = (value: string) =>
  value.replace(/\|([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
