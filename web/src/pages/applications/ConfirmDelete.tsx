/** An inline confirmation that names what is deleted; the delete runs only on its button. */
import { useState } from 'react';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { TFunction } from '../../i18n/index.js';

export function ConfirmDelete({
  label,
  question,
  testId,
  run,
  t,
}: {
  label: string;
  question: string;
  testId: string;
  run: () => Promise<void>;
  t: TFunction;
}) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" data-testid={testId} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm-delete" role="alertdialog" aria-label={label} data-testid={`${testId}-confirm`}>
      <p>{question}</p>
      <ErrorNote error={error} />
      <div className="form-actions">
        <button
          type="button"
          className="danger"
          disabled={busy}
          data-testid={`${testId}-yes`}
          onClick={() => {
            setBusy(true);
            setError(null);
            run()
              .catch((err: unknown) => setError(err))
              .finally(() => setBusy(false));
          }}
        >
          {t('appForm.confirmDelete')}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          {t('appForm.cancel')}
        </button>
      </div>
    </div>
  );
}
