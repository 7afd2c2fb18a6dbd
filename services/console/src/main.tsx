import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { fetchSession, mustSignIn } from './api/session.ts';
import { App } from './app.tsx';
import { NO_SIGN_IN, SessionContext } from './session/session-context.ts';
import { SignInPage } from './session/sign-in-page.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
// A gateway that does not answer: the pages say so themselves, and it refuses what it must.
void fetchSession()
  .catch(() => NO_SIGN_IN)
  .then((session) =>
    createRoot(root).render(
      <StrictMode>
        {mustSignIn(session) ? (
          <SignInPage how={session.signIn === 'local' ? 'local' : 'oidc'} />
        ) : (
          <SessionContext value={session}>
            <App />
          </SessionContext>
        )}
      </StrictMode>,
    ),
  );
