import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLoginPrompt, consoleText, guestBoot } from './guest-boot.ts';

// As Nova's console log showed the test guest (deploy/guest) booting under the libvirt driver.
const BOOTED = [
  '[\x1b[0;32m  OK  \x1b[0m] Reached target \x1b[0;1;39mmulti-user.target\x1b[0m - Multi-User System.',
  '[\x1b[0;32m  OK  \x1b[0m] Finished \x1b[0;1;39msystemd-update-ut\x1b[0m - Record Runlevel Change in UTMP.',
  '',
  'Debian GNU/Linux 12 ferry-guest ttyS0 eth0 10.0.0.200',
  '',
  'ferry-guest login: ',
].join('\r\n');

describe('evidence that the guest booted, from its console log', () => {
  it('given a getty prompt, then the guest booted and the address it shows is the kept one', () => {
    const boot = guestBoot(BOOTED, ['10.0.0.200'], 41_000, 300);
    expect(boot).toMatchObject({
      booted: true,
      addresses: ['10.0.0.200'],
      addressesKept: true,
      waitedMs: 41_000,
    });
    expect(boot.evidence).toContain('ferry-guest login:');
    expect(boot.evidence).not.toContain('\x1b');
  });

  it('given boot scripts writing after the prompt (virt-v2v installing the guest agent), then it still booted', () => {
    // As Nova's console log showed a converted guest whose first-boot script could not reach Debian.
    const log = [
      '[\x1b[0;32m  OK  \x1b[0m] Reached target \x1b[0;1;39mgetty.target\x1b[0m - Login Prompts.',
      '[   27.343476] firstboot.sh[394]: === Running /usr/lib/virt-sysprep/scripts/5000-0003-install-qga ===',
      '',
      'Debian GNU/Linux 12 ferry-guest ttyS0 eth0 10.0.0.200',
      '',
      'ferry-guest login: [   34.323079] firstboot.sh[396]: Ign:1 http://deb.debian.org/debian bookworm InRelease',
      "[   59.734189] firstboot.sh[396]:   Temporary failure resolving 'deb.debian.org'",
      ...Array.from(
        { length: 80 },
        (_, i) => `[  ${100 + i}.0] firstboot.sh[396]: Err:${i} http://deb.debian.org/debian`,
      ),
      '[  293.307821] firstboot.sh[426]: Failed to start qemu-guest-agent.service: Unit qemu-guest-agent.service not found.',
    ].join('\r\n');
    expect(atLoginPrompt(log)).toBe(true);
    const boot = guestBoot(log, ['10.0.0.200'], 60_000, 600);
    expect(boot).toMatchObject({ booted: true, addresses: ['10.0.0.200'], addressesKept: true });
    expect(boot.evidence).toMatch(/ferry-guest ttyS0 eth0 10\.0\.0\.200\n\nferry-guest login:$/);
  });

  it('given a prompt showing another address, then the kept one is not confirmed', () => {
    expect(
      guestBoot(BOOTED.replace('10.0.0.200', '10.0.0.7'), ['10.0.0.200'], 1, 300).addressesKept,
    ).toBe(false);
  });

  it('given a console still booting, then there is no login prompt yet', () => {
    expect(atLoginPrompt('[    1.2] Run /init as init process\r\n')).toBe(false);
    expect(atLoginPrompt(BOOTED)).toBe(true);
    const boot = guestBoot('[    1.2] Run /init as init process\n', [], 300_000, 300);
    expect(boot).toMatchObject({ booted: false, addresses: [], addressesKept: null });
    expect(boot.evidence).toMatch(/^no login prompt on the serial console within 300 s/);
  });

  it('given a hypervisor without a console log, then it says so', () => {
    expect(guestBoot(undefined, ['10.0.0.200'], 0, 300)).toMatchObject({
      booted: false,
      evidence: 'the hypervisor keeps no console log for this server',
      addressesKept: null,
    });
  });

  it('any console text gives evidence the contract accepts', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 4000 }),
        fc.array(fc.ipV4()),
        (raw, kept) => {
          const boot = guestBoot(raw, kept, 5, 300);
          expect(boot.evidence.length).toBeLessThanOrEqual(2048);
          expect(boot.addresses.length).toBeLessThanOrEqual(32);
          // eslint-disable-next-line no-control-regex
          expect(consoleText(raw)).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
        },
      ),
    );
  });
});
