export { CONVERSION_FAILURES, ConversionError, type ConversionFailure } from './errors.ts';
export {
  guestInterfaces,
  isGuestNetworkFile,
  type GuestInterfaceConfig,
  type GuestNetworkParser,
} from './guest-network/guest-network.ts';
export { ifcfgInterfaces } from './guest-network/ifcfg.ts';
export { ifupdownInterfaces } from './guest-network/ifupdown.ts';
export { netplanInterfaces } from './guest-network/netplan.ts';
export { MAX_NIC_ADDRESSES, nicAddresses } from './guest-network/nic-addresses.ts';
export { keyfileInterfaces } from './guest-network/nm-keyfile.ts';
export {
  guestNetworkCommand,
  MAX_GUEST_NETWORK_FILE_BYTES,
  MAX_GUEST_NETWORK_FILES,
  readGuestNetworkFiles,
  type ReadGuestNetworkOptions,
} from './guest-network/read-guest-network.ts';
export { curlTrusts, serveCurl, type HostFileAccess } from './nbd/curl-export.ts';
export { serveNbd, type ExportSource, type NbdExport } from './nbd/nbd-export.ts';
export {
  sequentialSource,
  type RemoteFile,
  type SequentialSource,
} from './nbd/sequential-source.ts';
export { qemuImgProgress } from './qemu-img/progress.ts';
export {
  convertCommand,
  qemuImgCheck,
  qemuImgConvert,
  qemuImgInfo,
  type CheckResult,
  type ConvertOptions,
  type ImageFormat,
  type ImageInfo,
} from './qemu-img/qemu-img.ts';
export { runTool, type ToolResult, type ToolRun } from './run-tool.ts';
export { libguestfsEnvironment } from './virt-v2v/environment.ts';
export { v2vCopyProgress, v2vMessages, type V2vMessage } from './virt-v2v/output.ts';
export {
  virtV2vCommand,
  virtV2vConvert,
  type V2vInput,
  type VirtV2vOptions,
} from './virt-v2v/virt-v2v.ts';
