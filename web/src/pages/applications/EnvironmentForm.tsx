/**
 * Adding an environment to an application, or editing one: PUT …/environments/:env with the
 * whole configuration. On a refusal the form stays open with everything typed, and the server's
 * message is shown at the top and inside the part it is about.
 */
import { useActionState, useState } from 'react';
import { apiFetch } from '../../api/http.js';
import { keepControlledFields } from '../../components/form-action.js';
import type { TFunction } from '../../i18n/index.js';
import { EnvironmentFields, type FieldError, FormActions } from './EnvironmentFields.js';
import { type EnvironmentDraft, emptyDraft, environmentInput } from './environment-draft.js';
import { appPath, fieldErrorOf, saveSecretValues } from './save-environment.js';
import '../../styles/application-form.css';

export function EnvironmentForm({
  project,
  app,
  initial,
  onSaved,
  onCancel,
  t,
}: {
  project: string;
  app: string;
  /** null: a new environment (its name is asked). */
  initial: EnvironmentDraft | null;
  onSaved: () => void;
  onCancel: () => void;
  t: TFunction;
}) {
  const [draft, setDraft] = useState<EnvironmentDraft>(() => initial ?? emptyDraft());
  const set = (change: Partial<EnvironmentDraft>) => setDraft((d) => ({ ...d, ...change }));
  // The form action: null when saved, else the refusal (shown at the top and at its field).
  const [error, submit] = useActionState<FieldError | null, FormData>(async () => {
    try {
      await saveSecretValues(project, draft);
      await apiFetch(`${appPath(project, app)}/environments/${encodeURIComponent(draft.name.trim())}`, {
        method: 'PUT',
        body: environmentInput(draft),
      });
      onSaved();
      return null;
    } catch (err) {
      return fieldErrorOf(err);
    }
  }, null);
  return (
    <form className="app-form" data-testid={`env-form-${app}`} action={submit} onReset={keepControlledFields}>
      <h4>{initial ? t('appForm.editTitle', { app, env: initial.name }) : t('appForm.addTitle', { app })}</h4>
      {error ? (
        <p className="error" role="alert" data-testid="form-error">
          {error.message}
        </p>
      ) : null}
      {initial ? null : (
        <label>
          {t('appForm.envName')}
          <input name="envName" required value={draft.name} onChange={(e) => set({ name: e.target.value })} />
        </label>
      )}
      <EnvironmentFields draft={draft} set={set} error={error} t={t} />
      <FormActions label={t('appForm.save')} testId="env-form-save" onCancel={onCancel} t={t} />
    </form>
  );
}
