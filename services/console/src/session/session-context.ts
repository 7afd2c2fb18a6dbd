import { createContext, useContext } from 'react';

import type { Session } from '../api/session.ts';

/** Nobody signed in and sign-in off: what a page sees before the gateway said otherwise. */
export const NO_SIGN_IN: Session = { signIn: 'off', person: null, ticket: null };

export const SessionContext = createContext<Session>(NO_SIGN_IN);

/** This page's user, as the gateway told it at load. */
export const useSession = (): Session => useContext(SessionContext);
