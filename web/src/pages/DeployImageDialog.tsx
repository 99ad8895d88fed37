import { useQuery } from '@tanstack/react-query';
import { useActionState, useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import type { ImageTagJsonType } from '../../../src/api/images.js';
import type { ApplicationJson, ReleaseJson } from '../../../src/api/releases.js';
import { apiFetch } from '../api/http.js';
import { queryKeys } from '../api/query-keys.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { keepControlledFields } from '../components/form-action.js';
import { SubmitButton } from '../components/SubmitButton.js';
import type { TFunction } from '../i18n/index.js';
import '../styles/deploy.css';

export interface DeployImageDialogProps {
  project: string;
  repository: string;
  version: ImageTagJsonType;
  t: TFunction;
  onClose: () => void;
}

/**
 * "Deploy this version" from the image catalogue: pick an application and environment, then
 * release exactly this image — by digest when it was pushed (what the environment runs is then
 * immutable), by image id when it only exists on the agent's engine — and go to the release run,
 * whose page shows the rollout's live log.
 */
export function DeployImageDialog({ project, repository, version, t, onClose }: DeployImageDialogProps) {
  const [, navigate] = useLocation();
  const dialog = useRef<HTMLDialogElement>(null);
  const base = `/api/projects/${encodeURIComponent(project)}`;
  const loaded = useQuery({
    queryKey: queryKeys.applications(project),
    queryFn: () => apiFetch<{ applications: ApplicationJson[] }>(`${base}/applications`),
  });
  const apps = loaded.data?.applications ?? [];
  const [appName, setAppName] = useState('');
  const [envName, setEnvName] = useState('');
  const app = apps.find((a) => a.name === appName) ?? apps[0];
  const env = app?.environments.find((e) => e.name === envName) ?? app?.environments[0];
  const image = version.digest ? `${repository}@${version.digest}` : version.imageId;

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  // The form action: deploys and leaves for the release, or answers the server's refusal.
  const [refusal, submit] = useActionState<unknown, FormData>(async () => {
    if (!app || !env) return null;
    try {
      const release = await apiFetch<ReleaseJson>(
        `${base}/applications/${encodeURIComponent(app.name)}/environments/${encodeURIComponent(env.name)}/deploy`,
        { method: 'POST', body: { image } },
      );
      onClose();
      // A gated release has no run until it is approved: show it on the applications tab then.
      navigate(
        release.releaseRun !== null
          ? `/projects/${encodeURIComponent(project)}/runs/${release.releaseRun}`
          : `/projects/${encodeURIComponent(project)}/apps`,
      );
      return null;
    } catch (err) {
      return err;
    }
  }, null);

  return (
    <dialog ref={dialog} className="deploy-image-dialog" data-testid="deploy-image-dialog" onClose={onClose}>
      <form className="dialog-body" action={submit} onReset={keepControlledFields}>
        <h3 className="dialog-title">{t('deployImage.title', { image: `${repository}:${version.tag}` })}</h3>
        <p className="dialog-ref">
          <code data-testid="deploy-image-ref">{image}</code>
        </p>
        <ErrorNote error={loaded.error ?? refusal} />
        {loaded.data && apps.length === 0 ? <p className="empty">{t('deployImage.noApps')}</p> : null}
        {app ? (
          <div className="dialog-fields">
            <label>
              <span className="field-label">{t('deployImage.application')}</span>
              <select
                data-testid="deploy-image-app"
                value={app.name}
                onChange={(e) => {
                  setAppName(e.target.value);
                  setEnvName('');
                }}
              >
                {apps.map((a) => (
                  <option key={a.name} value={a.name}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="field-label">{t('deployImage.environment')}</span>
              <select
                data-testid="deploy-image-env"
                value={env?.name ?? ''}
                onChange={(e) => setEnvName(e.target.value)}
              >
                {app.environments.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        ) : null}
        {env?.requiresApproval ? <p className="dialog-note">{t('deployImage.approval')}</p> : null}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('deployImage.cancel')}
          </button>
          <SubmitButton className="primary" testId="deploy-image-submit" disabled={!env}>
            {t('deployImage.submit')}
          </SubmitButton>
        </div>
      </form>
    </dialog>
  );
}

export default DeployImageDialog;
