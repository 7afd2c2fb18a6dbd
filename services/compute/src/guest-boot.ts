import { isIPv4 } from 'node:net';
import type { GuestBoot } from '@ferry/contracts';

/**
 * A getty's prompt at the start of a line: `ferry-guest login: `. What a boot script writes to the
 * console afterwards may follow on the same line (virt-v2v's first-boot script installing the
 * guest agent does), so only its start is matched.
 */
const LOGIN = /^[\w.-]+ login:(?: |$)/;
// Terminal colours and other escapes systemd and getty write to the console.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/** A console log as text: escapes and control characters out, trailing blank lines dropped. */
export const consoleText = (raw: string): string =>
  raw.replace(/\r\n?/g, '\n').replace(ESCAPES, '').replace(/\s+$/, '');

/** The line of the console's last login prompt, or -1. */
function lastPrompt(lines: readonly string[]): number {
  return lines.findLastIndex((line) => LOGIN.test(line));
}

/** Whether the console shows the guest has reached a login prompt. */
export const atLoginPrompt = (raw: string): boolean =>
  lastPrompt(consoleText(raw).split('\n')) >= 0;

/**
 * What a console log says of the guest: booted when it reached a login prompt; the IPv4 addresses
 * shown just before that prompt (getty's issue), compared with the ones kept.
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
  const prompt = lastPrompt(lines);
  const booted = prompt >= 0;
  // The prompt and what getty showed above it, the prompt line cut after `login:`.
  const around = booted
    ? [
        ...lines.slice(Math.max(0, prompt - 5), prompt),
        (lines[prompt] as string).replace(/(login:).*$/, '$1'),
      ]
    : lines.slice(-6);
  const last = around.join('\n');
  const addresses = [...new Set(last.match(IPV4) ?? [])]
    .filter((ip) => isIPv4(ip) && !ip.startsWith('127.') && ip !== '0.0.0.0')
    .slice(0, 32);
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
