import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../api/client.js';
import type { ProjectJson } from '../api/types.js';
import { useAuth } from '../app/auth.js';
import { useI18n } from '../app/i18n-context.js';
import { CopyField } from '../components/CopyField.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { pushCommands } from '../components/push-commands.js';
import { useLoad } from '../components/use-load.js';
import { formatTime } from '../i18n/format.js';
import { registerMessages } from '../i18n/index.js';

registerMessages({
  en: {
    'settings.publicBadge': 'Public status badge',
    'settings.publicBadgeHint':
      'Off: only signed-in users see the badge, anyone else gets "not found". On: anyone who knows the URL sees the status of the latest run (nothing else).',
    'settings.badgeMarkdown': 'Markdown for your README',
  },
  'zh-CN': {
    'settings.publicBadge': '公开状态徽章',
    'settings.publicBadgeHint':
      '关闭：只有已登录用户能看到徽章，其他人得到“未找到”。开启：任何知道地址的人都能看到最近一次运行的状态（仅此而已）。',
    'settings.badgeMarkdown': '用于 README 的 Markdown',
  },
});

/**
 * What the API lets a project change: default branch and concurrency, the public status badge,
 * webhook (rotate the secret), secrets (write-only), cron schedules, your API tokens, and
 * deletion with a typed confirmation. Buttons a role may not use are hidden; the server checks anyway.
 */
export function SettingsTab({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { can } = useAuth();
  return (
    <div className="settings">
      <General project={project} onChanged={onChanged} />
      <Badge project={project} onChanged={onChanged} />
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

/**
 * A settings list: hint, load error, the items (or a note when there are none), what follows
 * the list (an add form for editors), then the error of the last action.
 */
function ListSection({
  title,
  testid,
  hint,
  loadError,
  empty,
  form,
  error,
  children,
}: {
  title: string;
  testid: string;
  hint: string;
  loadError: unknown;
  empty: string | null;
  form: ReactNode;
  error: unknown;
  children: ReactNode;
}) {
  return (
    <Section title={title} testid={testid}>
      <p className="hint">{hint}</p>
      <ErrorNote error={loadError} />
      <ul className="plain-list">
        {children}
        {empty ? <li className="muted">{empty}</li> : null}
      </ul>
      {form}
      <ErrorNote error={error} />
    </Section>
  );
}

type Run = (fn: () => Promise<void>) => Promise<void>;

/** A form's trimmed text field. */
function field(form: FormData, name: string): string {
  return String(form.get(name) ?? '').trim();
}

/** A submit handler that runs `action` with the form's fields, then clears the form and reloads. */
function submitThenReload(run: Run, reload: () => void, action: (form: FormData) => Promise<unknown>) {
  return (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    void run(async () => {
      await action(form);
      formEl.reset();
      reload();
    });
  };
}

/** A list item's delete (or revoke) button: runs `remove`, then reloads the list. */
function RemoveButton({
  label,
  busy,
  run,
  remove,
  reload,
}: {
  label: string;
  busy: boolean;
  run: Run;
  remove: () => Promise<unknown>;
  reload: () => void;
}) {
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() =>
        void run(async () => {
          await remove();
          reload();
        })
      }
    >
      {label}
    </button>
  );
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

/** The server's public origin as the API reports it in the project's git or webhook URL. */
function publicOrigin(project: ProjectJson): string {
  const url = project.gitUrl ?? project.webhookUrl;
  const cut = url ? url.search(/\/(git|api\/hooks)\//) : -1;
  return url && cut > 0 ? url.slice(0, cut) : window.location.origin;
}

/** Opt-in anonymous status badge (off: the badge URL answers 404 to anyone not signed in). */
function Badge({ project, onChanged }: { project: ProjectJson; onChanged: () => void }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const [error, busy, run] = useAction();
  // Shown at once when clicked; the project reload (onChanged) confirms it, a failure reverts it.
  const [on, setOn] = useState(project.publicBadge);
  useEffect(() => setOn(project.publicBadge), [project.publicBadge]);
  const origin = publicOrigin(project);
  const markdown = `[![${project.name}](${origin}/badge/${project.name}.svg)](${origin}/projects/${project.name})`;
  return (
    <Section title={t('settings.publicBadge')} testid="badge-settings">
      <label className="inline">
        <input
          type="checkbox"
          data-testid="public-badge"
          checked={on}
          disabled={busy || !can('maintainer')}
          onChange={(e) => {
            const publicBadge = e.currentTarget.checked;
            setOn(publicBadge);
            void run(async () => {
              try {
                await api.updateProject(project.name, { publicBadge });
              } catch (err) {
                setOn(!publicBadge);
                throw err;
              }
              onChanged();
            });
          }}
        />
        {t('settings.publicBadge')}
      </label>
      <p className="hint">{t('settings.publicBadgeHint')}</p>
      {/* Offered once the server has it on (not while the change is on its way). */}
      {on && project.publicBadge ? <CopyField label={t('settings.badgeMarkdown')} value={markdown} /> : null}
      <ErrorNote error={error} />
    </Section>
  );
}

function GitUrl({ project }: { project: ProjectJson }) {
  const { t } = useI18n();
  return (
    <Section title={t('settings.git')} testid="push-instructions">
      <pre className="code">{pushCommands(project)}</pre>
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
  const submit = submitThenReload(run, reload, (form) =>
    api.setSecret(project, field(form, 'secretName'), String(form.get('secretValue') ?? '')),
  );
  return (
    <ListSection
      title={t('settings.secrets')}
      testid="secrets"
      hint={t('settings.secretsHint')}
      loadError={loadError}
      empty={data?.length === 0 ? t('settings.noSecrets') : null}
      error={error}
      form={
        canEdit ? (
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
        ) : null
      }
    >
      {data?.map((s) => (
        <li key={s.name} data-testid="secret-item" data-name={s.name}>
          <code>{s.name}</code>
          <span className="muted">{formatTime(s.updatedAt, lang)}</span>
          {canEdit ? (
            <RemoveButton
              label={t('common.delete')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => api.deleteSecret(project, s.name)}
            />
          ) : null}
        </li>
      ))}
    </ListSection>
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
  const submit = submitThenReload(run, reload, (form) =>
    api.addSchedule(project, field(form, 'branch'), field(form, 'cron')),
  );
  return (
    <ListSection
      title={t('settings.schedules')}
      testid="schedules"
      hint={t('settings.schedulesHint')}
      loadError={loadError}
      empty={data?.length === 0 ? t('settings.noSchedules') : null}
      error={error}
      form={
        canEdit ? (
          <form className="inline-form" onSubmit={submit}>
            <input name="branch" aria-label={t('records.branch')} defaultValue={defaultBranch} required />
            <input name="cron" aria-label={t('settings.cron')} placeholder="0 3 * * *" required />
            <button type="submit" disabled={busy}>
              {t('settings.addSchedule')}
            </button>
          </form>
        ) : null
      }
    >
      {data?.map((s) => (
        <li key={s.id}>
          <code>{s.cron}</code>
          <span>{s.branch}</span>
          <span className="muted">
            {t('settings.nextAt')} {formatTime(s.nextAt, lang)}
          </span>
          {canEdit ? (
            <RemoveButton
              label={t('common.delete')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => api.deleteSchedule(project, s.id)}
            />
          ) : null}
        </li>
      ))}
    </ListSection>
  );
}

function Tokens() {
  const { t, lang } = useI18n();
  const { data, error: loadError, reload } = useLoad(() => api.tokens(), []);
  const [created, setCreated] = useState<string | null>(null);
  const [error, busy, run] = useAction();
  const submit = submitThenReload(run, reload, async (form) => {
    setCreated((await api.createToken(field(form, 'tokenName'))).token);
  });
  return (
    <ListSection
      title={t('settings.tokens')}
      testid="tokens"
      hint={t('settings.tokensHint')}
      loadError={loadError}
      empty={null}
      error={error}
      form={
        <>
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
        </>
      }
    >
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
            <RemoveButton
              label={t('settings.revoke')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => api.revokeToken(tk.id)}
            />
          </li>
        ))}
    </ListSection>
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
