import { resolve } from 'node:path';

/** The workspace root: tooling lives at libs/tooling/src. */
export const workspaceRoot = resolve(import.meta.dirname, '../../..');
