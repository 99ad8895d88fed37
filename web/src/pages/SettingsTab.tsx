import { type FormEvent, type ReactNode, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../api/client.js';
import type { ProjectJson } from '../api/types.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { CopyField } from '../components/CopyField.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { useLoad } from '../components/use-load.js';
import { formatTime } from '../i18n/format.js';

/**
 * What the API lets a project change: default branch and concurrency, webhook (rotate the
 * secret), secrets (write-only), cron schedules, your API tokens, and deletion with a typed
 * confirmation. Buttons a role may not use are hidden; the server checks anyway.
 */
export function SettingsTab({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { can } = useAuth();
  return (
    <div className="settings">
      <General project={project} onChanged={onChanged} />
      {project.source.kind === 'remote' ? <Webhook project={project} /> : <GitUrl project={project} />}
      <Secrets project={project.name} canEdit={can('maintainer')} />
      <Schedules project={project.name} canEdit={can('maintainer')} defaultBranch={project.defaultBranch} />
      <Tokens />
      {can('admin') ? <DangerZone project={project.name} /> : null}
    </div>
  );
}

function Section({ title, children, testid }: { title: string; children: ReactNode; testid?: string }) {
  return (
    <section className="card settings-section" data-testid={testid}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Runs an async action, remembering its error for display. */
function useAction(): [unknown, boolean, (fn: () => Promise<void>) => Promise<void>] {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return [
    error,
    busy,
    async (fn) => {
      setBusy(true);
      setError(null);
      try {
        await fn();
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
  ];
}

function General({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const [error, busy, run] = useAction();
  const [saved, setSaved] = useState(false);
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setSaved(false);
    void run(async () => {
      await api.updateProject(project.name, {
        defaultBranch: String(form.get('defaultBranch') ?? '').trim(),
        concurrencyLimit: Number(form.get('concurrencyLimit')),
      });
      setSaved(true);
      onChanged();
    });
  }
  const disabled = !can('maintainer');
  return (
    <Section title={t('settings.general')}>
      <form className="form" onSubmit={submit}>
        <label>
          {t('create.defaultBranch')}
          <input name="defaultBranch" defaultValue={project.defaultBranch} required disabled={disabled} />
        </label>
        <label>
          {t('settings.concurrency')}
          <input
            name="concurrencyLimit"
            type="number"
            min={1}
            max={64}
            defaultValue={project.concurrencyLimit}
            required
            disabled={disabled}
          />
          <span className="hint">{t('settings.concurrencyHint')}</span>
        </label>
        <ErrorNote error={error} />
        {saved ? <p className="ok">{t('common.saved')}</p> : null}
        {disabled ? null : (
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        )}
      </form>
    </Section>
  );
}

function GitUrl({ project }: { project: ProjectJson }) {
  const { t } = useI18n();
  return (
    <Section title={t('settings.git')} testid="push-instructions">
      <pre className="code">{`git remote add slipway ${project.gitUrl ?? ''}\ngit push slipway ${project.defaultBranch}`}</pre>
    </Section>
  );
}

function Webhook({ project }: { project: ProjectJson }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  return (
    <Section title={t('settings.webhook')} testid="webhook-info">
      <CopyField label={t('settings.webhookUrl')} value={project.webhookUrl ?? ''} />
      {secret ? (
        <>
          <CopyField label={t('settings.webhookSecret')} value={secret} />
          <p className="warning">{t('create.secretOnce')}</p>
        </>
      ) : (
        <p className="hint">{t('settings.secretHidden')}</p>
      )}
      <ErrorNote error={error} />
      {can('maintainer') ? (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            window.confirm(t('settings.rotateConfirm')) &&
            void run(async () => setSecret((await api.rotateWebhookSecret(project.name)).webhookSecret))
          }
        >
          {t('settings.rotate')}
        </button>
      ) : null}
    </Section>
  );
}

function Secrets({ project, canEdit }: { project: string; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const { data, error: loadError, reload } = useLoad(() => api.secrets(project), [project]);
  const [error, busy, run] = useAction();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    void run(async () => {
      await api.setSecret(
        project,
        String(form.get('secretName') ?? '').trim(),
        String(form.get('secretValue') ?? ''),
      );
      formEl.reset();
      reload();
    });
  }
  return (
    <Section title={t('settings.secrets')} testid="secrets">
      <p className="hint">{t('settings.secretsHint')}</p>
      <ErrorNote error={loadError} />
      <ul className="plain-list">
        {data?.map((s) => (
          <li key={s.name} data-testid="secret-item" data-name={s.name}>
            <code>{s.name}</code>
            <span className="muted">{formatTime(s.updatedAt, lang)}</span>
            {canEdit ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await api.deleteSecret(project, s.name);
                    reload();
                  })
                }
              >
                {t('common.delete')}
              </button>
            ) : null}
          </li>
        ))}
        {data?.length === 0 ? <li className="muted">{t('settings.noSecrets')}</li> : null}
      </ul>
      {canEdit ? (
        <form className="inline-form" onSubmit={submit}>
          <input name="secretName" aria-label={t('settings.secretName')} placeholder="NAME" required />
          <input
            name="secretValue"
            type="password"
            autoComplete="new-password"
            aria-label={t('settings.secretValue')}
            placeholder={t('settings.secretValue')}
            required
            minLength={8}
          />
          <button type="submit" disabled={busy}>
            {t('settings.setSecret')}
          </button>
        </form>
      ) : null}
      <ErrorNote error={error} />
    </Section>
  );
}

function Schedules({
  project,
  canEdit,
  defaultBranch,
}: {
  project: string;
  canEdit: boolean;
  defaultBranch: string;
}) {
  const { t, lang } = useI18n();
  const { data, error: loadError, reload } = useLoad(() => api.schedules(project), [project]);
  const [error, busy, run] = useAction();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    void run(async () => {
      await api.addSchedule(
        project,
        String(form.get('branch') ?? '').trim(),
        String(form.get('cron') ?? '').trim(),
      );
      formEl.reset();
      reload();
    });
  }
  return (
    <Section title={t('settings.schedules')} testid="schedules">
      <p className="hint">{t('settings.schedulesHint')}</p>
      <ErrorNote error={loadError} />
      <ul className="plain-list">
        {data?.map((s) => (
          <li key={s.id}>
            <code>{s.cron}</code>
            <span>{s.branch}</span>
            <span className="muted">
              {t('settings.nextAt')} {formatTime(s.nextAt, lang)}
            </span>
            {canEdit ? (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await api.deleteSchedule(project, s.id);
                    reload();
                  })
                }
              >
                {t('common.delete')}
              </button>
            ) : null}
          </li>
        ))}
        {data?.length === 0 ? <li className="muted">{t('settings.noSchedules')}</li> : null}
      </ul>
      {canEdit ? (
        <form className="inline-form" onSubmit={submit}>
          <input name="branch" aria-label={t('records.branch')} defaultValue={defaultBranch} required />
          <input name="cron" aria-label={t('settings.cron')} placeholder="0 3 * * *" required />
          <button type="submit" disabled={busy}>
            {t('settings.addSchedule')}
          </button>
        </form>
      ) : null}
      <ErrorNote error={error} />
    </Section>
  );
}

function Tokens() {
  const { t, lang } = useI18n();
  const { data, error: loadError, reload } = useLoad(() => api.tokens(), []);
  const [created, setCreated] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    void run(async () => {
      setCreated((await api.createToken(String(form.get('tokenName') ?? '').trim())).token);
      formEl.reset();
      reload();
    });
  }
  return (
    <Section title={t('settings.tokens')} testid="tokens">
      <p className="hint">{t('settings.tokensHint')}</p>
      <ErrorNote error={loadError} />
      <ul className="plain-list">
        {data
          ?.filter((tk) => !tk.revoked)
          .map((tk) => (
            <li key={tk.id}>
              <span>{tk.name}</span>
              <span className="muted">
                {tk.lastUsedAt
                  ? `${t('settings.lastUsed')} ${formatTime(tk.lastUsedAt, lang)}`
                  : t('settings.neverUsed')}
              </span>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await api.revokeToken(tk.id);
                    reload();
                  })
                }
              >
                {t('settings.revoke')}
              </button>
            </li>
          ))}
      </ul>
      {created ? (
        <>
          <CopyField label={t('settings.newToken')} value={created} />
          <p className="warning">{t('create.secretOnce')}</p>
        </>
      ) : null}
      <form className="inline-form" onSubmit={submit}>
        <input
          name="tokenName"
          aria-label={t('settings.tokenName')}
          placeholder={t('settings.tokenName')}
          required
        />
        <button type="submit" disabled={busy}>
          {t('settings.createToken')}
        </button>
      </form>
      <ErrorNote error={error} />
    </Section>
  );
}

function DangerZone({ project }: { project: string }) {
  const { t } = useI18n();
  const [typed, setTyped] = useState('');
  const [error, busy, run] = useAction();
  const [, navigate] = useLocation();
  return (
    <Section title={t('settings.danger')} testid="danger-zone">
      <p>{t('settings.deleteHint', { name: project })}</p>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api.deleteProject(project);
            navigate('/');
          });
        }}
      >
        <input
          name="confirm"
          aria-label={t('settings.typeName')}
          placeholder={project}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
        />
        <button
          type="submit"
          className="danger"
          data-testid="delete-project"
          disabled={busy || typed !== project}
        >
          {t('settings.delete')}
        </button>
      </form>
      <ErrorNote error={error} />
    </Section>
  );
}
