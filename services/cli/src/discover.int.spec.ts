import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startVsphereSimulator, type VsphereSimulator } from '@ferry/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ferry } from './testing/run-ferry.ts';

const run = promisify(execFile);

describe('ferry discover', () => {
  let dir: string;
  let sim: VsphereSimulator;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
    mkdirSync(join(dir, 'app'));
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'vmdk',
      '-o',
      'subformat=monolithicSparse',
      join(dir, 'app', 'app.vmdk'),
      '1G',
    ]);
    writeFileSync(
      join(dir, 'app', 'app.vmx'),
      '.encoding = "UTF-8"\ndisplayName = "app"\nnumvcpus = "2"\nmemsize = "1024"\nscsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "app.vmdk"\n',
    );
    sim = await startVsphereSimulator({
      mode: 'esx',
      vms: [
        {
          name: 'esx-vm',
          cpus: 1,
          memoryMiB: 1024,
          firmware: 'bios',
          guestId: 'otherGuest',
          powerState: 'poweredOff',
          disks: [{ capacityBytes: 1024 ** 3 }],
          nics: [],
        },
      ],
      username: 'ro',
      password: 'pw-in-env',
    });
  }, 120_000);
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the inventory of a Workstation folder and an ESXi host as a table, one VM per line, with no NATS', async () => {
    const { code, stdout, stderr } = await ferry(
      ['discover', '--workstation', dir, '--esxi', sim.url, '--username', 'ro'],
      { VMWARE_ESXI_PASSWORD: 'pw-in-env' },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SOURCE\s+KEY\s+NAME\s+POWER\s+CPUS\s+MEMORY\s+DISKS\s+PROBLEMS$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^workstation .* app\s+poweredOff\s+2\s+1024 MiB\s+1\.0 GiB\s+-$/);
    expect(rows[1]).toMatch(/^esxi .* esx-vm\s+poweredOff\s+1\s+1024 MiB\s+1\.0 GiB\s+-$/);
  });

  it('prints the same inventory as JSON and as YAML', async () => {
    const yaml = await ferry(['discover', '--workstation', dir, '-f', 'yaml'], {});
    expect(yaml.code).toBe(0);
    expect(
      (parse(yaml.stdout) as { sources: { vms: { name: string }[] }[] }).sources[0]?.vms[0]?.name,
    ).toBe('app');
    const { code, stdout } = await ferry(
      ['discover', '--workstation', dir, '--esxi', sim.url, '--username', 'ro', '-f', 'json'],
      { VMWARE_ESXI_PASSWORD: 'pw-in-env' },
    );
    expect(code).toBe(0);
    const { sources } = JSON.parse(stdout) as {
      sources: {
        source: { kind: string };
        vms: { name: string; cpus: number; disks: { capacityBytes: number }[] }[];
      }[];
    };
    expect(
      sources.map((s) => [
        s.source.kind,
        s.vms.map((v) => [v.name, v.cpus, v.disks[0]?.capacityBytes]),
      ]),
    ).toEqual([
      ['workstation', [['app', 2, 1024 ** 3]]],
      ['esxi', [['esx-vm', 1, 1024 ** 3]]],
    ]);
    expect(stdout).not.toContain('pw-in-env');
  });

  it('reads the sources from the environment when given no source option', async () => {
    const { code, stdout } = await ferry(['discover', '--json'], { VMWARE_WORKSTATION_PATHS: dir });
    expect(code).toBe(0);
    expect(stdout).toContain('"name": "app"');
  });

  it('reports a source that fails, still printing the others, and exits 1', async () => {
    const shown = await ferry(
      ['discover', '--workstation', dir, '--esxi', sim.url, '--username', 'ro'],
      { VMWARE_ESXI_PASSWORD: 'wrong' },
    );
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/ app /);
    expect(shown.stderr).toMatch(
      /^ferry discover: esxi .*: unreachable: .*refused the user name or password/,
    );
    const { code, stdout } = await ferry(
      ['discover', '--workstation', dir, '--esxi', sim.url, '--username', 'ro', '-f', 'json'],
      { VMWARE_ESXI_PASSWORD: 'wrong' },
    );
    expect(code).toBe(1);
    const { sources } = JSON.parse(stdout) as { sources: { error?: string }[] };
    expect(sources[0]?.error).toBeUndefined();
    expect(sources[1]?.error).toMatch(/refused the user name or password/);
  });

  it('says what is wrong with its arguments', async () => {
    expect(await ferry(['discover'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no source/),
    });
    expect(await ferry(['discover', '--esxi', sim.url])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /--esxi needs --username and the password in VMWARE_ESXI_PASSWORD/,
      ),
    });
    expect(await ferry(['discover', '--bogus'])).toMatchObject({ code: 2 });
    expect(await ferry(['discover', '--workstation', dir, '-f', 'csv'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/-f: one of table, json, yaml/),
    });
    expect(await ferry(['nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown command 'nope'/),
    });
  });
});
