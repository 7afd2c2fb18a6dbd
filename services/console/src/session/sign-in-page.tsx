import { SIGN_IN_URL } from '../api/session.ts';

/** What a signed-out user sees: one way in. */
export function SignInPage({ how }: { how: 'oidc' | 'local' }) {
  return (
    <main id="main" tabIndex={-1} className="sign-in">
      <h1>Sign in to Ferry</h1>
      <p>
        Ferry moves VMs into your cloud and can delete what it made there: everyone who uses it
        signs in first.
      </p>
      <p>
        <a className="button" href={SIGN_IN_URL} data-testid="sign-in">
          {how === 'oidc' ? 'Sign in' : 'Sign in as the local administrator'}
        </a>
      </p>
    </main>
  );
}
