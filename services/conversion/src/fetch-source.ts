import type { VmDescription } from '@ferry/contracts';
import { randomBytes } from 'node:crypto';
import {
  ConversionError,
  curlTrusts,
  sequentialSource,
  serveCurl,
  serveNbd,
  type ConversionFailure,
  type NbdExport,
  type SequentialSource,
} from '@ferry/converters';
import {
  connectionFor,
  DiskProblem,
  fetchVm,
  serveDatastore,
  VsphereError,
  type DatastoreStream,
  type FetchOptions,
  type VsphereConnection,
} from '@ferry/vmware';

const FETCH: readonly string[] = ['datastore-fetch'];

/**
 * Copies a vSphere VM's files from its datastores into `dest` with the connection configured for
 * its host; every failure becomes a ConversionError an operator can act on.
 */
export async function fetchFromDatastore(
  deps: { readonly vsphere?: readonly VsphereConnection[] },
  vm: VmDescription,
  dest: string,
  options: FetchOptions,
): Promise<void> {
  const connection = connectionOf(deps, vm);
  try {
    await fetchVm(connection.options, vm, dest, options);
  } catch (error) {
    if (options.signal?.aborted)
      throw new ConversionError('cancelled', 'the fetch from the datastore was cancelled', FETCH);
    throw asConversionError(error);
  }
}

/**
 * Serves a vSphere VM's datastore files on loopback, logged in with the connection configured for
 * its host, and says where `reader` reads each disk asked: undefined (nothing served) when one of
 * them does not stream to it, so the VM is copied first. A refused login becomes a ConversionError.
 * virt-v2v reads a flat extent over HTTP from the loopback stream (its own nbdkit curl, with
 * copy-on-read), and cannot read a sparse VMDK so (it takes HTTP disks as raw).
 * A flat extent (raw) is read over NBD: by nbdkit's curl plugin straight from the host when curl
 * can trust it as Ferry does (see curlTrusts; vsphere-conversion bench: 5.0 s for 2 GiB where
 * Ferry's own stream took 7-8 s), else from one transfer of the file through Ferry (qemu's curl
 * driver asked a range per read through Ferry's stream: 210 against curl's 344 MiB/s). A sparse
 * VMDK, whose tables qemu reads here and there, is read by ranges over HTTP.
 */
export async function streamedDisks(
  deps: { readonly vsphere?: readonly VsphereConnection[] },
  vm: VmDescription,
  disks: readonly { readonly diskIndex: number }[],
  signal: AbortSignal,
  reader: 'qemu-img' | 'virt-v2v',
): Promise<
  | {
      readonly sources: ReadonlyMap<number, { url: string; format: 'vmdk' | 'raw' }>;
      /** What went wrong upstream, the last time (a converter only sees that a read failed). */
      readonly lastError: unknown;
      close(): Promise<void>;
    }
  | undefined
> {
  const connection = connectionOf(deps, vm);
  let stream: DatastoreStream | undefined;
  const exports: { nbd: NbdExport; source?: SequentialSource }[] = [];
  const close = async () => {
    for (const { nbd, source } of exports) {
      source?.close();
      await nbd.close();
    }
    await stream?.close();
  };
  try {
    stream = await serveDatastore(
      connection.options,
      vm.labels?.datacenter ?? 'ha-datacenter',
      signal,
    );
    const sources = new Map<number, { url: string; format: 'vmdk' | 'raw' }>();
    for (const { diskIndex } of disks) {
      const disk = vm.disks.find((d) => d.index === diskIndex);
      const source = disk && (await stream.source(disk.path));
      if (!source || (reader === 'virt-v2v' && source.format !== 'raw')) {
        await close();
        return undefined;
      }
      if (reader === 'virt-v2v') sources.set(diskIndex, { url: source.url, format: 'raw' });
      else if (source.format === 'raw' && source.access && curlTrusts(source.access)) {
        const nbd = await serveCurl(source.access);
        exports.push({ nbd });
        sources.set(diskIndex, { url: nbd.url, format: 'raw' });
      } else if (source.format === 'raw') {
        const sequential = sequentialSource(source.file);
        const nbd = await serveNbd(sequential, randomBytes(16).toString('hex'));
        exports.push({ nbd, source: sequential });
        sources.set(diskIndex, { url: nbd.url, format: 'raw' });
      } else sources.set(diskIndex, { url: source.url, format: source.format });
    }
    const served = stream;
    return {
      sources,
      get lastError() {
        return (
          exports.find((e) => e.nbd.lastError !== undefined)?.nbd.lastError ?? served.lastError
        );
      },
      close,
    };
  } catch (error) {
    await close();
    throw asConversionError(error);
  }
}

function connectionOf(
  deps: { readonly vsphere?: readonly VsphereConnection[] },
  vm: VmDescription,
): VsphereConnection {
  const connection = connectionFor(deps.vsphere ?? [], vm.source);
  if (!connection)
    throw new ConversionError(
      'source-refused',
      `no ${vm.source.kind} connection to ${vm.source.id} is configured for the conversion service (VMWARE_${vm.source.kind === 'esxi' ? 'ESXI' : 'VCENTER'}_HOST, _USERNAME, _PASSWORD)`,
      FETCH,
    );
  return connection;
}

/** What went wrong reading the datastore, as a ConversionError; anything else as it is. */
export function asConversionError(error: unknown): unknown {
  if (error instanceof DiskProblem)
    return new ConversionError(
      /missing|not on the datastore/.test(error.message) ? 'missing-disk' : 'unreadable-disk',
      error.message,
      FETCH,
    );
  if (error instanceof VsphereError)
    return new ConversionError(REASONS[error.fault] ?? 'source-unreachable', error.message, FETCH);
  const code = (error as { code?: string }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new ConversionError('no-space', (error as Error).message, FETCH);
  return error;
}

const REASONS: Readonly<Record<string, ConversionFailure>> = {
  InvalidLogin: 'source-refused',
  NotAuthenticated: 'source-refused',
  UntrustedCertificate: 'source-refused',
  FileNotFound: 'missing-disk',
  BadPath: 'missing-disk',
  BadResponse: 'source-unreachable',
};
