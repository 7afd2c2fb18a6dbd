import { sep } from 'node:path';
import type { Resource, ResourceKind } from '@ferry/contracts';

/**
 * Dependents before what they depend on: the server holds its ports and volumes (an attached
 * volume cannot be deleted), volumes were made from the images, and everything came from the files.
 */
export const ROLLBACK_ORDER: readonly ResourceKind[] = [
  'server',
  'port',
  'volume',
  'image',
  'artifact',
];

const depth = (path: string) => path.split(sep).length;

/** The resources in the order they are removed; files before the folders holding them. */
export function rollbackOrder(resources: readonly Resource[]): Resource[] {
  return [...resources].sort(
    (a, b) =>
      ROLLBACK_ORDER.indexOf(a.kind) - ROLLBACK_ORDER.indexOf(b.kind) ||
      (a.kind === 'artifact' ? depth(b.id) - depth(a.id) : 0),
  );
}
