import { API_BASE } from './config.ts';
import { authEndpoint } from './endpoint.ts';

/** What the gateway says of this page's user (GET /auth/me). */
export interface Session {
  /** How people sign in: at an OpenID provider, as the local administrator, or not at all. */
  readonly signIn: 'off' | 'oidc' | 'local';
  readonly person: {
    readonly subject: string;
    readonly name: string;
    readonly roles: readonly string[];
  } | null;
  /** Opens this page's WebSocket (a minute long). */
  readonly ticket: string | null;
}

export async function fetchSession(): Promise<Session> {
  const response = await fetch(authEndpoint(API_BASE, 'me'), { cache: 'no-store' });
  if (!response.ok) throw new Error(`the gateway answered HTTP ${response.status} to /auth/me`);
  return (await response.json()) as Session;
}

/** Whether the page must ask its user to sign in first. */
export const mustSignIn = (session: Session): boolean =>
  session.signIn !== 'off' && session.person === null;

/** Whether the user may change things (migrate, cancel, retry, refresh): an operator or admin. */
export const mayAct = (session: Session): boolean =>
  session.signIn === 'off' ||
  (session.person?.roles ?? []).some((role) => role === 'operator' || role === 'admin');

/** Whether the user sees the admin page (dead letters, quarantined events): an admin. */
export const mayAdminister = (session: Session): boolean =>
  session.signIn === 'off' || (session.person?.roles ?? []).includes('admin');

export const SIGN_IN_URL = authEndpoint(API_BASE, 'login');
export const SIGN_OUT_URL = authEndpoint(API_BASE, 'logout');
