export {
  parseDescriptor,
  type Descriptor,
  type Extent,
  type Subformat,
} from './vmdk/descriptor.ts';
export {
  DiskProblem,
  inspectDisk,
  readDescriptor,
  type DiskInspection,
  type DiskLink,
} from './vmdk/inspect-disk.ts';
export { describeVmx, type VmxDescription, type VmxDisk, type VmxNic } from './vmx/describe-vmx.ts';
export { biosUuid } from './vmx/bios-uuid.ts';
export { parseVmx, type ParsedVmx } from './vmx/parse-vmx.ts';
export {
  discoverWorkstation,
  workstationVmKey,
  type Unreadable,
  type WorkstationInventory,
} from './workstation/discover-workstation.ts';
export { OutsideRootsError, Roots } from './workstation/roots.ts';
export {
  discoverVsphere,
  type VsphereInventory,
  type VsphereSourceOptions,
} from './vsphere/discover-vsphere.ts';
export {
  InvalidLoginError,
  NotAuthenticatedError,
  UntrustedCertificateError,
  VsphereError,
  VsphereTimeoutError,
} from './vsphere/faults.ts';
export {
  READ_ONLY_METHODS,
  SoapTransport,
  type HostAccess,
  type MoRef,
  type SoapOptions,
} from './vsphere/soap.ts';
export {
  configuredSources,
  rereadVm,
  connectionFor,
  sdkUrl,
  vsphereConnections,
  type VsphereConnection,
  SOURCE_SETTINGS,
  vsphereSource,
  workstationSource,
  type InventorySource,
  type Scan,
  type SourceSettings,
} from './sources.ts';
export { VM_PROPERTIES } from './vsphere/vm-properties.ts';
export {
  DatastoreFiles,
  formatDatastorePath,
  parseDatastorePath,
  type DatastorePath,
} from './vsphere/datastore.ts';
export { fetchVm, localCopyPath, type FetchOptions } from './vsphere/fetch-vm.ts';
export {
  serveDatastore,
  type DatastoreFile,
  type DatastoreStream,
} from './vsphere/datastore-stream.ts';
export { libvirtDomain } from './vsphere/libvirt-domain.ts';
export { openSession, type Credentials, type VsphereSession } from './vsphere/session.ts';
