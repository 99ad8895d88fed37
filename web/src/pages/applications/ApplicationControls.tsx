/**
 * The maintainer's controls on the Applications page: per application "Add environment" and
 * "Delete application"; per environment "Edit" and "Delete environment". The server stops what
 * a deleted environment runs (the agents are told on their next report).
 */
import { useState } from 'react';
import type { ApplicationJson, EnvironmentJson } from '../../../../src/api/releases.js';
import { apiFetch } from '../../api/http.js';
import type { TFunction } from '../../i18n/index.js';
import { ConfirmDelete } from './ConfirmDelete.js';
import { EnvironmentForm } from './EnvironmentForm.js';
import { draftOf } from './environment-draft.js';
import { appPath } from './save-environment.js';
import '../../styles/application-form.css';

interface Common {
  project: string;
  onChange: () => void;
  t: TFunction;
}

export function ApplicationControls({ project, app, onChange, t }: Common & { app: ApplicationJson }) {
  const [adding, setAdding] = useState(false);
  const envs = app.environments.map((e) => e.name).join(', ');
  return (
    <div className="app-controls" data-testid={`app-controls-${app.name}`}>
      <div className="form-actions">
        {adding ? null : (
          <button type="button" data-testid={`add-env-${app.name}`} onClick={() => setAdding(true)}>
            {t('appForm.addEnvironment')}
          </button>
        )}
        <ConfirmDelete
          label={t('appForm.deleteApplication')}
          question={t('appForm.confirmDeleteApplication', { app: app.name, envs: envs || '—' })}
          testId={`delete-app-${app.name}`}
          run={async () => {
            await apiFetch(appPath(project, app.name), { method: 'DELETE' });
            onChange();
          }}
          t={t}
        />
      </div>
      {adding ? (
        <EnvironmentForm
          project={project}
          app={app.name}
          initial={null}
          t={t}
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            onChange();
          }}
        />
      ) : null}
    </div>
  );
}

export function EnvironmentControls({
  project,
  app,
  env,
  onChange,
  t,
}: Common & { app: string; env: EnvironmentJson }) {
  const [editing, setEditing] = useState(false);
  const id = `${app}-${env.name}`;
  return (
    <div className="env-controls">
      {editing ? (
        <EnvironmentForm
          project={project}
          app={app}
          initial={draftOf(env)}
          t={t}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onChange();
          }}
        />
      ) : (
        <div className="form-actions">
          <button type="button" data-testid={`edit-env-${id}`} onClick={() => setEditing(true)}>
            {t('appForm.editEnvironment')}
          </button>
          <ConfirmDelete
            label={t('appForm.deleteEnvironment')}
            question={t('appForm.confirmDeleteEnvironment', { app, env: env.name })}
            testId={`delete-env-${id}`}
            run={async () => {
              await apiFetch(`${appPath(project, app)}/environments/${encodeURIComponent(env.name)}`, {
                method: 'DELETE',
              });
              onChange();
            }}
            t={t}
          />
        </div>
      )}
    </div>
  );
}
