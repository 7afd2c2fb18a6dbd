/**
 * A stand-in for `Intl.DateTimeFormat` whose instances make the real format on first use. Making a
 * real one loads ICU's locale and time zone data (~7 MiB of a process), which a format that is
 * made and never used, like those Nest's loggers make as their modules load, need not cost.
 */
export function deferredDateTimeFormat(
  Eager: typeof Intl.DateTimeFormat,
): typeof Intl.DateTimeFormat {
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
  return DeferredDateTimeFormat as unknown as typeof Intl.DateTimeFormat;
}
