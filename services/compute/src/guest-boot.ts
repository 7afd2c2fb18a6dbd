import { isIPv4 } from 'node:net';
import type { GuestBoot } from '@ferry/contracts';

/** A getty's prompt at the end of a line: `ferry-guest login: `. */
const LOGIN = /^\S+ login:[ \t]*$/m;
// Terminal colours and other escapes systemd and getty write to the console.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/** A console log as text: escapes and control characters out, trailing blank lines dropped. */
export const consoleText = (raw: string): string =>
  raw.replace(/\r\n?/g, '\n').replace(ESCAPES, '').replace(/\s+$/, '');

/** Whether the console shows the guest waiting at a login prompt. */
export const atLoginPrompt = (raw: string): boolean => LOGIN.test(consoleText(raw));

/**
 * What a console log says of the guest: booted when it reached a login prompt; the IPv4 addresses
 * it showed in its last lines (getty's issue, network messages), compared with the ones kept.
 */
export function guestBoot(
  raw: string | undefined,
  kept: readonly string[],
  waitedMs: number,
  boundSeconds: number,
): GuestBoot {
  if (raw === undefined)
    return {
      booted: false,
      evidence: 'the hypervisor keeps no console log for this server',
      addresses: [],
      addressesKept: null,
      waitedMs,
    };
  const lines = consoleText(raw).split('\n');
  const tail = lines.slice(-20).join('\n');
  const addresses = [...new Set(tail.match(IPV4) ?? [])]
    .filter((ip) => isIPv4(ip) && !ip.startsWith('127.') && ip !== '0.0.0.0')
    .slice(0, 32);
  const booted = LOGIN.test(tail);
  const last = lines.slice(-6).join('\n');
  return {
    booted,
    evidence: (booted
      ? last
      : `no login prompt on the serial console within ${boundSeconds} s (a guest that does not write its console to the serial port shows none); its last lines: ${last || '(empty)'}`
    ).slice(0, 2048),
    addresses,
    addressesKept:
      kept.length === 0 || addresses.length === 0
        ? null
        : kept.every((ip) => addresses.includes(ip)),
    waitedMs,
  };
}
