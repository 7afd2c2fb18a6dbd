import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyVmdk } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtV2vConvert } from './virt-v2v.ts';

const running = (needle: string) => {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

// Under software emulation (no KVM here) each run boots libguestfs's appliance: about a minute.
describe('virt-v2v, for real', () => {
  let dir: string;
  let vmx: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-v2v-'));
    // A disk with no operating system on it, beside a .vmx as Workstation writes one.
    emptyVmdk(join(dir, 'blank.vmdk'), '1G');
    vmx = join(dir, 'blank.vmx');
    writeFileSync(
      vmx,
      '.encoding = "UTF-8"\nconfig.version = "8"\nvirtualHW.version = "19"\ndisplayName = "blank"\nguestOS = "debian12-64"\nmemsize = "1024"\nnumvcpus = "1"\nscsi0.present = "TRUE"\nscsi0.virtualDev = "lsilogic"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "blank.vmdk"\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says plainly that a disk holds no operating system', async () => {
    const messages: string[] = [];
    const tmp = join(dir, 'tmp-inspect');
    const error = await virtV2vConvert({
      input: { vmx },
      outputDir: join(dir, 'out'),
      tmpDir: tmp,
      timeoutMs: 280_000,
      onMessage: (m) => messages.push(m.message),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'no-operating-system', retryable: false });
    expect((error as Error).message).toMatch(/inspection could not detect the source guest/);
    expect(messages.some((m) => /Opening the source/.test(m))).toBe(true);
    expect(existsSync(tmp)).toBe(false);
  }, 300_000);

  it('a cancel ends virt-v2v and everything it started, and removes its temporary folder', async () => {
    const tmp = join(dir, 'tmp-cancel');
    const abort = new AbortController();
    let atCancel = '';
    const error = await virtV2vConvert({
      input: { vmx },
      outputDir: join(dir, 'out-cancel'),
      tmpDir: tmp,
      signal: abort.signal,
      // Cancel once the appliance is booting: the moment with the most processes running.
      onMessage: (m) => {
        if (/Opening the source/.test(m.message)) {
          setTimeout(() => {
            atCancel = running(tmp);
            abort.abort();
          }, 3_000);
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'cancelled' });
    expect(atCancel).not.toBe(''); // the appliance and its helpers were running...
    expect(running(tmp)).toBe(''); // ...and none is left
    expect(running(vmx)).toBe('');
    expect(existsSync(tmp)).toBe(false);
  }, 300_000);
});
