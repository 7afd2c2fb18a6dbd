import type { VmDescription } from '@ferry/contracts';
import { ConversionError, type ConversionFailure } from '@ferry/converters';
import {
  connectionFor,
  DiskProblem,
  fetchVm,
  VsphereError,
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
  const connection = connectionFor(deps.vsphere ?? [], vm.source);
  if (!connection)
    throw new ConversionError(
      'source-refused',
      `no ${vm.source.kind} connection to ${vm.source.id} is configured for the conversion service (VMWARE_${vm.source.kind === 'esxi' ? 'ESXI' : 'VCENTER'}_HOST, _USERNAME, _PASSWORD)`,
      FETCH,
    );
  try {
    await fetchVm(connection.options, vm, dest, options);
  } catch (error) {
    if (options.signal?.aborted)
      throw new ConversionError('cancelled', 'the fetch from the datastore was cancelled', FETCH);
    throw asConversionError(error);
  }
}

function asConversionError(error: unknown): unknown {
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
