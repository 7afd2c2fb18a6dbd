/**
 * What a service's `main.ts` imports first, before Nest: the decorators' metadata, and date
 * formats made when first used. Nest's loggers each make an `Intl.DateTimeFormat` as their module
 * loads; making one loads ICU's locale and time zone data, ~7 MiB of every process's memory, for a
 * logger Ferry never prints with (its logs are pino's). While the modules load, a DateTimeFormat
 * made is a stand-in that makes the real one on first use; afterwards the real constructor is back.
 */
import 'reflect-metadata';

const Eager = Intl.DateTimeFormat;

function DeferredDateTimeFormat(
  locales?: string | readonly string[],
  options?: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let made: Intl.DateTimeFormat | undefined;
  const real = () => (made ??= new Eager(locales as string[] | undefined, options));
  return new Proxy(Object.create(Eager.prototype) as Intl.DateTimeFormat, {
    get: (_stub, key) => {
      const value: unknown = Reflect.get(real(), key);
      return typeof value === 'function' ? (value as () => unknown).bind(real()) : value;
    },
  });
}
DeferredDateTimeFormat.supportedLocalesOf = Eager.supportedLocalesOf.bind(Eager);

Intl.DateTimeFormat = DeferredDateTimeFormat as unknown as typeof Intl.DateTimeFormat;
// The static imports of `main.ts` are all evaluated before this runs.
setImmediate(() => {
  Intl.DateTimeFormat = Eager;
});
