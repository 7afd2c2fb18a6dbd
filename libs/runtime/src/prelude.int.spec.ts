import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** What a service started with the prelude sees: run in a Node process of its own, as `npm start` runs one. */
const script = `
import http, * as named from 'node:http';
import { ConsoleLogger } from '@nestjs/common';
const undici = () => process.moduleLoadList.includes('NativeModule internal/deps/undici/undici');
const before = undici();
new ConsoleLogger('prelude', { timestamp: true }).log('formatted');
console.log(JSON.stringify({
  before,
  named: 'WebSocket' in named,
  native: String(Intl.DateTimeFormat).includes('[native code]'),
  lazy: typeof http.WebSocket,
  after: undici(),
}));
`;

describe('prelude', () => {
  it('keeps the ES import of node:http from loading undici, leaves WebSocket on the module object, lazy, and Nest logs with its date format', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--conditions=ferry-source',
        '--import=@ferry/runtime/prelude',
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: import.meta.dirname, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    const [logged, result] = out.trim().split('\n');
    expect(JSON.parse(result ?? '')).toEqual({
      before: false,
      named: false,
      native: true,
      lazy: 'function',
      after: true,
    });
    // Nest's timestamp, made by the date format the prelude deferred: "11/26/2026, 3:04:05 PM".
    expect(logged).toMatch(
      /\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M\s+LOG \[prelude\] formatted/,
    );
  });
});
