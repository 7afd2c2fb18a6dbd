import type { VmDescription } from '@ferry/contracts';

/** A Windows guest, by the OS VMware was told it runs (`windows2019srv-64`, `win10-64`, ...). */
export const isWindowsGuest = (vm: Pick<VmDescription, 'guestOs'>): boolean =>
  /win/i.test(vm.guestOs);
