/**
 * Loaded before a service's code (`node --import=@ferry/runtime/prelude dist/main.js`, its `start`
 * script), so that what every service loads and never uses costs it no memory:
 * - Node's `http` exports WebSocket, CloseEvent and MessageEvent as getters that load its bundled
 *   undici (~2 MiB once loaded). An ES `import` of `node:http` (Nest's core has several) reads every
 *   enumerable export when the module graph is linked, before any of the service's code runs: made
 *   non-enumerable, they are left out of that import and still there, as lazy as Node meant them,
 *   on the module object.
 * - Nest's loggers each make an `Intl.DateTimeFormat` as their module loads (ICU data, ~7 MiB, for
 *   loggers Ferry never prints with: its logs are pino's). They are loaded here with date formats
 *   made on first use; the real constructor is back before the service's code loads.
 */
import 'reflect-metadata';
import { deferredDateTimeFormat } from './deferred-date-format.ts';

const http = process.getBuiltinModule('node:http');
for (const key of ['WebSocket', 'CloseEvent', 'MessageEvent'])
  Object.defineProperty(http, key, { enumerable: false });

const Eager = Intl.DateTimeFormat;
Intl.DateTimeFormat = deferredDateTimeFormat(Eager);
try {
  await import('@nestjs/common');
} finally {
  Intl.DateTimeFormat = Eager;
}
