import { describeError } from '../api/graphql-error.ts';

/** A failed request, in the gateway's words. */
export function ErrorBox({
  error,
  title = 'The request failed',
}: {
  error: unknown;
  title?: string;
}) {
  if (error === undefined || error === null) return null;
  return (
    <div className="error-box" role="alert">
      <strong>{title}:</strong> {typeof error === 'string' ? error : describeError(error)}
    </div>
  );
}
