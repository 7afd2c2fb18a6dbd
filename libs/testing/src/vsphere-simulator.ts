import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface SimulatedVm {
  readonly name: string;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly firmware: 'bios' | 'efi';
  readonly guestId: string;
  readonly powerState: 'poweredOn' | 'poweredOff';
  readonly disks: readonly {
    readonly capacityBytes: number;
    /** The backing's diskMode (`persistent` by default). */
    readonly mode?: 'persistent' | 'independent_persistent' | 'independent_nonpersistent';
    readonly multiWriter?: boolean;
    /** A raw device mapping (virtual compatibility mode) rather than a flat disk. */
    readonly rdm?: boolean;
  }[];
  readonly nics: readonly {
    readonly mac: string;
    readonly network: string;
    /** What VMware Tools report for the NIC in guest.net. */
    readonly addresses?: readonly { readonly ip: string; readonly prefix: number }[];
    /** A VirtualSriovEthernetCard rather than a vmxnet3. */
    readonly sriov?: boolean;
  }[];
  readonly cpuHotAdd?: boolean;
  readonly memoryHotAdd?: boolean;
  /** The guest's host name, as VMware Tools report it (guest.hostName). */
  readonly hostname?: string;
  /** USB controllers: `usb2` a VirtualUSBController, `usb3` a VirtualUSBXHCIController. */
  readonly usbControllers?: readonly ('usb2' | 'usb3')[];
  readonly vtpm?: boolean;
  /** PCI passthrough devices, by label. */
  readonly passthrough?: readonly string[];
  /** Bus sharing of the SCSI controller the disks are on (`noSharing` by default). */
  readonly scsiSharedBus?: 'noSharing' | 'virtualSharing' | 'physicalSharing';
  /** The VM's notes (config.annotation). */
  readonly annotation?: string;
  /** Custom attribute values by the attribute's name. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A plain powered-off BIOS VM with disks of these sizes and no NIC. */
export const plainVm = (name: string, diskBytes: readonly number[]): SimulatedVm => ({
  name,
  cpus: 1,
  memoryMiB: 512,
  firmware: 'bios',
  guestId: 'otherGuest',
  powerState: 'poweredOff',
  disks: diskBytes.map((capacityBytes) => ({ capacityBytes })),
  nics: [],
});

export interface VsphereSimulator {
  readonly url: string;
  /** SHA-1 thumbprint of its certificate (with `tls`). */
  readonly thumbprint: string;
  readonly datastore: string;
  /** The local folder behind the datastore: tests put real files there. */
  readonly datastorePath: string;
  readonly vms: readonly { name: string; moref: string; uuid: string; files: string[] }[];
  /** Every SOAP method called so far, in order. */
  methods(): string[];
  /** Every datastore file request so far: `GET /folder/web01/web01.vmdk bytes=1024-`. */
  downloads(): string[];
  stop(): Promise<void>;
}

const BUILD = resolve(import.meta.dirname, '..', '..', '..', 'deploy', 'vcsim', 'build.sh');

/**
 * Ferry's vSphere simulator (deploy/vcsim, on Debian's govmomi) in ESX or vCenter mode on loopback,
 * with the VMs given; built once and cached.
 */
export async function startVsphereSimulator(options: {
  mode: 'esx' | 'vcenter';
  vms: readonly SimulatedVm[];
  username?: string;
  password?: string;
  tls?: boolean;
  /** Break off the first whole-file download of each datastore file after this many bytes. */
  cutDownloadsAfter?: number;
}): Promise<VsphereSimulator> {
  const binary = execFileSync('bash', [BUILD], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-vcsim-'));
  const inventory = join(dir, 'inventory.json');
  const methodsFile = join(dir, 'methods.log');
  const downloadsFile = join(dir, 'downloads.log');
  writeFileSync(inventory, JSON.stringify({ vms: options.vms }));
  const args = [
    '-mode',
    options.mode,
    '-inventory',
    inventory,
    '-methods',
    methodsFile,
    '-username',
    options.username ?? 'ferry',
    '-password',
    options.password ?? 'ferry-secret',
  ];
  args.push('-downloads', downloadsFile);
  if (options.cutDownloadsAfter) args.push('-cut-after', String(options.cutDownloadsAfter));
  if (options.tls) args.push('-tls');
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const errors: string[] = [];
  child.stderr.on('data', (b: Buffer) => errors.push(b.toString()));
  const ready = await new Promise<Record<string, unknown>>((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolvePromise(JSON.parse(line) as Record<string, unknown>));
    child.once('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`ferry-vcsim exited (${code}): ${errors.join('').slice(-2000)}`));
    });
  });
  return {
    url: ready.url as string,
    thumbprint: ready.thumbprint as string,
    datastore: ready.datastore as string,
    datastorePath: ready.datastorePath as string,
    vms: (ready.vms as VsphereSimulator['vms'] | null) ?? [],
    methods: () => linesOf(methodsFile),
    downloads: () => linesOf(downloadsFile),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.stdin.end();
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const linesOf = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
