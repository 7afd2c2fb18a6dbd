/**
 * A BIOS UUID in the one form vSphere gives (`564d1234-5678-9abc-def0-123456789abc`), from that form
 * or a .vmx's `56 4d 12 34 56 78 9a bc-de f0 12 34 56 78 9a bc`; undefined for anything that is not
 * 32 hex digits, so that no VM is matched on a malformed id.
 */
export function biosUuid(value: string | undefined): string | undefined {
  const hex = value?.replace(/[ -]/g, '').toLowerCase() ?? '';
  return /^[0-9a-f]{32}$/.test(hex)
    ? hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
    : undefined;
}
