import { DEFAULT_API_BASE } from './endpoint.ts';

/** The API base this build talks to. */
export const API_BASE: string = import.meta.env['VITE_API_BASE_URL'] || DEFAULT_API_BASE;
