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
