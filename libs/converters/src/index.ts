export { CONVERSION_FAILURES, ConversionError, type ConversionFailure } from './errors.ts';
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
export { virtV2vCommand, virtV2vConvert, type VirtV2vOptions } from './virt-v2v/virt-v2v.ts';
