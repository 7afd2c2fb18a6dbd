import { existsSync, readFileSync } from 'node:fs';

/**
 * What libguestfs needs on this machine: its direct backend, and software emulation (TCG) where
 * KVM cannot run guests — `/dev/kvm` may exist in a VM whose CPU has no vmx/svm, and libguestfs
 * would then pick KVM and fail. Detected from the machine, never assumed.
 */
export function libguestfsEnvironment(
  cpuinfo: string = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '',
  kvmDevice: boolean = existsSync('/dev/kvm'),
): Record<string, string> {
  const hardware = kvmDevice && /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
  return {
    LIBGUESTFS_BACKEND: 'direct',
    ...(hardware ? {} : { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' }),
  };
}
