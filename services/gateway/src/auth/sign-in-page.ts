/** The gateway's own sign-in page: the local administrator's password, or why a sign-in failed. */
export function signInPage({ error, retry = false }: { error: string | null; retry?: boolean }) {
  const form = retry
    ? '<p><a href="/auth/login">Sign in again</a></p>'
    : `<form method="post" action="/auth/local">
  <label for="password">Password of the local administrator</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
<p>npm start printed this password when it first started (it is in its state folder).</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · Ferry</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sign in to Ferry</h1>
${error === null ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
${form}
</main></body></html>
`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
