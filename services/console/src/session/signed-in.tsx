import { SIGN_OUT_URL } from '../api/session.ts';
import { useSession } from './session-context.ts';

/** Who is signed in, and the way out; nothing when sign-in is off. */
export function SignedIn() {
  const { person } = useSession();
  if (!person) return null;
  return (
    <form className="signed-in" method="post" action={SIGN_OUT_URL}>
      <span data-testid="signed-in-as" data-roles={person.roles.join(' ')}>
        {person.name}
      </span>{' '}
      <button type="submit" className="link">
        Sign out
      </button>
    </form>
  );
}
