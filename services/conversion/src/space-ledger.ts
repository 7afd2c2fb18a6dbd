/** A conversion in flight: the bytes it reserved, and how many its outputs hold so far. */
export interface Reservation {
  readonly reserved: number;
  readonly written: number;
}

/**
 * Whether a conversion that needs `need` bytes may start: when what is free, less what the
 * conversions in flight have yet to write, holds it. Else it waits while some are in flight (one
 * may fail and be rolled back, freeing its share), and can never fit when none is: pure.
 */
export function spaceDecision(
  need: number,
  free: number,
  inFlight: readonly Reservation[],
): 'start' | 'wait' | 'never' {
  const pending = inFlight.reduce((sum, r) => sum + Math.max(0, r.reserved - r.written), 0);
  if (free - pending >= need) return 'start';
  return inFlight.length > 0 ? 'wait' : 'never';
}

/** What a qcow2 of `data` bytes may need beyond them: its tables and headers, with room to spare. */
export const withOverhead = (data: number) => Math.ceil(data * 1.01) + 1024 * 1024;
