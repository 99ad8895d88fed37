import { useI18n } from '../app/i18n-context.js';
import { errorText } from './error-text.js';

/** A failed request, as text (never HTML), in the reader's language when the server gave a reason. */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {errorText(error, t)}
    </p>
  );
}
