import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { resetOnlyAfterSuccess } from '../../components/form-action.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { tCode } from '../../i18n/index.js';
import { DeliveryLog } from './DeliveryLog.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { field, useAction, useFormThenReload } from './settings-actions.js';

const KINDS = ['webhook', 'slack', 'dingtalk', 'wecom', 'feishu', 'email'] as const;
const EVENTS = [
  'run.failed',
  'run.fixed',
  'run.succeeded',
  'release.succeeded',
  'release.failed',
  'release.rolled_back',
  'approval.requested',
  'summary.weekly',
] as const;

interface Channel {
  id: string;
  scope: 'project' | 'global';
  name: string;
  kind: (typeof KINDS)[number];
  language: 'en' | 'zh-CN';
  enabled: boolean;
  rules: { events: string[]; branches: string[] };
  settings: Record<string, unknown> | null;
  host: string | null;
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Notification channels of a project (`base` = /api/projects/<p>/notifications, with the global
 * ones it gets shown read-only) or the global defaults (`base` = /api/notifications, admins).
 */
export function NotificationSettings({
  base,
  canEdit,
  title,
}: {
  base: string;
  canEdit: boolean;
  title?: string;
}) {
  const { t } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.apiPath(base),
    queryFn: () => apiFetch<Channel[]>(base),
  });
  const reload = useInvalidate(queryKeys.apiPath(base));
  const [error, busy, run] = useAction();
  const [kind, setKind] = useState<(typeof KINDS)[number]>('webhook');
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const ownScope = base === '/api/notifications' ? 'global' : 'project';

  // A refusal keeps the whole form as typed; a success clears it (resetOnlyAfterSuccess).
  const [sent, submit] = useFormThenReload(reload, (form) => {
    const events = EVENTS.filter((ev) => form.get(`ev-${ev}`) === 'on');
    const body: Record<string, unknown> = {
      name: field(form, 'name'),
      kind,
      language: field(form, 'language'),
      rules: { events, branches: list(field(form, 'branches')) },
    };
    if (kind === 'email') {
      body.settings = {
        host: field(form, 'host'),
        port: Number(field(form, 'port') || 587),
        user: field(form, 'user') || undefined,
        from: field(form, 'from'),
        to: list(field(form, 'to')),
      };
      if (field(form, 'password')) body.target = { password: field(form, 'password') };
    } else {
      body.target = {
        url: field(form, 'url'),
        ...(field(form, 'secret') ? { secret: field(form, 'secret') } : {}),
      };
    }
    return apiFetch(base, { method: 'POST', body });
  });

  return (
    <ListSection
      title={title ?? t('notify.title')}
      testid="notifications"
      hint={t('notify.hint')}
      loadError={loadError}
      empty={data?.length === 0 ? t('notify.none') : null}
      error={sent.error ?? error}
      form={
        canEdit ? (
          <form
            className="stack-form"
            action={submit}
            onReset={resetOnlyAfterSuccess(sent)}
            data-testid="channel-form"
          >
            <input name="name" aria-label={t('notify.name')} placeholder={t('notify.name')} required />
            <select
              aria-label={t('notify.kind')}
              value={kind}
              onChange={(e) => setKind(e.target.value as typeof kind)}
            >
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`notify.kind.${k}`)}
                </option>
              ))}
            </select>
            <select name="language" aria-label={t('notify.language')} defaultValue="en">
              <option value="en">English</option>
              <option value="zh-CN">简体中文</option>
            </select>
            {kind === 'email' ? (
              <>
                <input
                  name="host"
                  placeholder={t('notify.smtpHost')}
                  aria-label={t('notify.smtpHost')}
                  required
                />
                <input name="port" placeholder="587" aria-label={t('notify.smtpPort')} inputMode="numeric" />
                <input name="user" placeholder={t('notify.smtpUser')} aria-label={t('notify.smtpUser')} />
                <input
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  placeholder={t('notify.smtpPassword')}
                  aria-label={t('notify.smtpPassword')}
                />
                <input name="from" placeholder={t('notify.from')} aria-label={t('notify.from')} required />
                <input name="to" placeholder={t('notify.to')} aria-label={t('notify.to')} required />
              </>
            ) : (
              <>
                <input
                  name="url"
                  type="password"
                  autoComplete="off"
                  placeholder={t('notify.url')}
                  aria-label={t('notify.url')}
                  required
                />
                <input
                  name="secret"
                  type="password"
                  autoComplete="new-password"
                  placeholder={t('notify.secret')}
                  aria-label={t('notify.secret')}
                />
              </>
            )}
            <fieldset>
              {EVENTS.map((ev) => (
                <label key={ev}>
                  <input
                    type="checkbox"
                    name={`ev-${ev}`}
                    defaultChecked={ev === 'run.failed' || ev === 'run.fixed'}
                  />{' '}
                  {t(`notify.event.${ev}`)}
                </label>
              ))}
            </fieldset>
            <input name="branches" placeholder={t('notify.branches')} aria-label={t('notify.branches')} />
            <SubmitButton disabled={busy}>{t('notify.add')}</SubmitButton>
          </form>
        ) : null
      }
    >
      {note ? <li className="muted">{note}</li> : null}
      {data?.map((c) => {
        const mine = c.scope === ownScope;
        const path = `${mine ? base : '/api/notifications'}/${c.id}`;
        return (
          <li key={c.id} data-testid="channel-item" data-name={c.name}>
            <strong>{c.name}</strong>
            {c.enabled ? null : <span className="muted">({t('notify.disabled')})</span>}
            <span className="muted">
              {t(`notify.kind.${c.kind}`)} · {c.host ?? ''} · {c.language}
              {c.scope === 'global' && !mine ? ` · ${t('notify.global')}` : ''}
            </span>
            <span className="muted">
              {c.rules.events.map((ev) => tCode(t, 'notify.event', ev, ev)).join(', ')}
            </span>
            <button type="button" onClick={() => setOpen(open === c.id ? null : c.id)}>
              {t('notify.log')}
            </button>
            {canEdit && mine ? (
              <>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    run(async () => {
                      await apiFetch(`${path}/test`, { method: 'POST' });
                      setNote(t('notify.testQueued'));
                    })
                  }
                >
                  {t('notify.test')}
                </button>
                <button
                  type="button"
                  disabled={busy}
                  data-testid="channel-toggle"
                  onClick={() =>
                    run(async () => {
                      // Secrets are left out: the server keeps the stored ones.
                      const { name, kind, language, rules, settings } = c;
                      await apiFetch(path, {
                        method: 'PUT',
                        body: {
                          name,
                          kind,
                          language,
                          rules,
                          enabled: !c.enabled,
                          ...(settings ? { settings } : {}),
                        },
                      });
                      reload();
                    })
                  }
                >
                  {c.enabled ? t('notify.disable') : t('notify.enable')}
                </button>
                <RemoveButton
                  label={t('common.delete')}
                  busy={busy}
                  run={run}
                  reload={reload}
                  remove={() => apiFetch(path, { method: 'DELETE' })}
                />
              </>
            ) : null}
            {open === c.id ? <DeliveryLog path={`${base}/${c.id}/deliveries`} /> : null}
          </li>
        );
      })}
    </ListSection>
  );
}
