import type { VmDescription, VmDisk } from '@ferry/contracts';
import { escapeXml } from './xml.ts';

/**
 * A vSphere VM as the libvirt domain virt-v2v reads with `-i libvirtxml`, each disk read over HTTP
 * from `urls` (by disk index): virt-v2v runs nbdkit's curl plugin with copy-on-read on it, so the
 * guest is inspected and copied from the datastore as it is read, never copied whole first.
 * virt-v2v 2.2 reads an HTTP disk as raw whatever its driver says (so only flat extents qualify)
 * and ignores an NBD disk anywhere but `localhost`; it knows the VM by the rest (name, CPUs,
 * memory, firmware, NICs).
 */
export function libvirtDomain(vm: VmDescription, urls: ReadonlyMap<number, string>): string {
  const disks = [...vm.disks].sort((a, b) => a.index - b.index);
  const byBus = new Map<string, number>();
  const diskXml = disks.map((disk) => {
    const url = urls.get(disk.index);
    if (!url) throw new Error(`no URL to read disk ${disk.index} of ${vm.name} from`);
    const { bus, prefix } = TARGETS[disk.controller];
    const n = byBus.get(prefix) ?? 0;
    byBus.set(prefix, n + 1);
    return [
      `    <disk type='network' device='disk'>`,
      `      <driver name='qemu' type='raw'/>`,
      httpSource(url),
      `      <target dev='${prefix}${driveLetters(n)}' bus='${bus}'/>`,
      `    </disk>`,
    ].join('\n');
  });
  const nics = vm.nics.map((nic) =>
    [
      `    <interface type='network'>`,
      ...(nic.mac ? [`      <mac address='${escapeXml(nic.mac)}'/>`] : []),
      `      <source network='${escapeXml(nic.network)}'/>`,
      `    </interface>`,
    ].join('\n'),
  );
  return [
    `<domain type='vmware'>`,
    `  <name>${escapeXml(guestName(vm.name))}</name>`,
    ...(vm.uuid ? [`  <uuid>${escapeXml(vm.uuid)}</uuid>`] : []),
    `  <memory unit='KiB'>${vm.memoryMiB * 1024}</memory>`,
    `  <vcpu>${vm.cpus}</vcpu>`,
    `  <os${vm.firmware === 'efi' ? ` firmware='efi'` : ''}><type>hvm</type></os>`,
    `  <devices>`,
    ...diskXml,
    ...nics,
    `  </devices>`,
    `</domain>`,
    '',
  ].join('\n');
}

const TARGETS: Readonly<Record<VmDisk['controller'], { bus: string; prefix: string }>> = {
  scsi: { bus: 'scsi', prefix: 'sd' },
  sata: { bus: 'sata', prefix: 'sd' },
  // libvirt's NVMe disks came after virt-v2v 2.2: the guest sees them on SCSI there too.
  nvme: { bus: 'scsi', prefix: 'sd' },
  ide: { bus: 'ide', prefix: 'hd' },
};

/** a … z, aa … az, ba …: how Linux and libvirt name the nth disk of a bus. */
export const driveLetters = (n: number): string =>
  (n >= 26 ? driveLetters(Math.floor(n / 26) - 1) : '') + String.fromCharCode(97 + (n % 26));

/** virt-v2v names its output files after the guest: nothing a path could misread. */
const guestName = (name: string): string =>
  name.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'guest';

/**
 * virt-v2v builds the URL back from host, port and path, quoting the path byte by byte: so the
 * path goes in decoded, as it is to be read.
 */
function httpSource(url: string): string {
  const { protocol, hostname, port, pathname } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new Error(`virt-v2v reads a disk over HTTP(S), not ${protocol}`);
  const name = pathname.split('/').map(decodeURIComponent).join('/');
  return [
    `      <source protocol='${protocol.slice(0, -1)}' name='${escapeXml(name)}'>`,
    `        <host name='${escapeXml(hostname)}'${port ? ` port='${port}'` : ''}/>`,
    `      </source>`,
  ].join('\n');
}
