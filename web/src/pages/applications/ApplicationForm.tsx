/**
 * "New application" for maintainers: a name and its first environment, created in one
 * POST …/applications. The form stays filled when the server refuses something.
 */
import { useActionState, useState } from 'react';
import { apiFetch } from '../../api/http.js';
import { keepControlledFields } from '../../components/form-action.js';
import type { TFunction } from '../../i18n/index.js';
import { EnvironmentFields, type FieldError, FormActions } from './EnvironmentFields.js';
import { type EnvironmentDraft, emptyDraft, environmentInput } from './environment-draft.js';
import { fieldErrorOf, projectPath, saveSecretValues } from './save-environment.js';
import '../../styles/application-form.css';

export function NewApplication({
  project,
  onCreated,
  t,
}: {
  project: string;
  onCreated: () => void;
  t: TFunction;
}) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <p className="app-form-open">
        <button type="button" className="primary" data-testid="new-application" onClick={() => setOpen(true)}>
          {t('appForm.newApplication')}
        </button>
      </p>
    );
  }
  return (
    <ApplicationForm
      project={project}
      t={t}
      onCancel={() => setOpen(false)}
      onCreated={() => {
        setOpen(false);
        onCreated();
      }}
    />
  );
}

function ApplicationForm({
  project,
  onCreated,
  onCancel,
  t,
}: {
  project: string;
  onCreated: () => void;
  onCancel: () => void;
  t: TFunction;
}) {
  const [name, setName] = useState('');
  const [draft, setDraft] = useState<EnvironmentDraft>(() => emptyDraft('staging'));
  const set = (change: Partial<EnvironmentDraft>) => setDraft((d) => ({ ...d, ...change }));
  // The form action: null when created, else the refusal (shown at the top and at its field).
  const [error, submit] = useActionState<FieldError | null, FormData>(async () => {
    try {
      await saveSecretValues(project, draft);
      await apiFetch(`${projectPath(project)}/applications`, {
        method: 'POST',
        body: { name: name.trim(), environments: [{ name: draft.name.trim(), ...environmentInput(draft) }] },
      });
      onCreated();
      return null;
    } catch (err) {
      return fieldErrorOf(err);
    }
  }, null);
  return (
    <form className="app-form" data-testid="application-form" action={submit} onReset={keepControlledFields}>
      <h3>{t('appForm.newApplication')}</h3>
      {error ? (
        <p className="error" role="alert" data-testid="form-error">
          {error.message}
        </p>
      ) : null}
      <label>
        {t('appForm.appName')}
        <input name="appName" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <h4>{t('appForm.firstEnvironment')}</h4>
      <label>
        {t('appForm.envName')}
        <input name="envName" required value={draft.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <EnvironmentFields draft={draft} set={set} error={error} t={t} />
      <FormActions label={t('appForm.create')} testId="application-form-save" onCancel={onCancel} t={t} />
    </form>
  );
}
