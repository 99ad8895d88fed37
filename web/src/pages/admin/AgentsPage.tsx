import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type AgentJson, admin } from '../../api/admin.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useAuth } from '../../app/auth.js';
import { useI18n } from '../../app/i18n-context.js';
import { CopyField } from '../../components/CopyField.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { useNow } from '../../components/use-now.js';
import { formatAgo } from '../../i18n/format.js';
import { field, useAction, useFormThenReload } from '../settings/settings-actions.js';

/** An agent that polled within this long is shown online (agents long-poll every ≤ 30 s). */
const ONLINE_MS = 90_000;

/** /admin/agents — every agent: labels, capacity, version, last seen, current work; register, revoke. */
export function AgentsPage() {
  const { t, lang } = useI18n();
  const { can } = useAuth();
  const now = useNow(5_000);
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.adminAgents(),
    queryFn: () => admin.agents(),
  });
  const reload = useInvalidate(queryKeys.adminAgents());
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, busy, run] = useAction();
  const [sent, register] = useFormThenReload(reload, async (form) => {
    const made = await admin.createAgent(field(form, 'agentName'));
    setCreated({ name: made.name, token: made.token });
  });
  if (!can('admin')) return <p className="error">403</p>;
  const seen = (a: AgentJson) =>
    a.lastSeenAt === null ? t('agents.never') : formatAgo(a.lastSeenAt, now, lang);
  const online = (a: AgentJson) => a.lastSeenAt !== null && now - a.lastSeenAt < ONLINE_MS;

  return (
    <div className="page agents-page">
      <h1>{t('agents.title')}</h1>
      <section className="card settings-section" data-testid="agents">
        <p className="hint">{t('agents.hint')}</p>
        <ErrorNote error={loadError} />
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('agents.name')}</th>
                <th>{t('agents.labels')}</th>
                <th>{t('agents.capacity')}</th>
                <th>{t('agents.version')}</th>
                <th>{t('agents.lastSeen')}</th>
                <th>{t('agents.work')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data?.map((a) => (
                <tr key={a.id} data-testid={`agent-${a.name}`}>
                  <td>
                    <span className={online(a) ? 'dot ok' : 'dot'} aria-hidden="true" /> {a.name}{' '}
                    <span className="muted">
                      {a.embedded ? `${t('agents.embedded')} · ` : ''}
                      {online(a) ? t('agents.online') : t('agents.offline')}
                    </span>
                  </td>
                  <td className="labels">
                    {Object.entries(a.labels).map(([k, v]) => (
                      <code key={k} className="label-chip">
                        {k}={v}
                      </code>
                    ))}
                  </td>
                  <td>{a.capacity ?? '—'}</td>
                  <td>{a.version ?? '—'}</td>
                  <td>{seen(a)}</td>
                  <td>
                    {a.leases.length === 0 ? t('agents.idle') : t('agents.runs', { count: a.leases.length })}
                  </td>
                  <td className="row-actions">
                    {a.embedded ? null : (
                      <button
                        type="button"
                        className="danger"
                        disabled={busy}
                        onClick={() => {
                          if (window.confirm(t('agents.confirmRevoke', { name: a.name })))
                            void run(async () => {
                              await admin.revokeAgent(a.id);
                              reload();
                            });
                        }}
                      >
                        {t('agents.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {created ? (
          <>
            <p>{t('agents.start')}</p>
            <CopyField
              label={created.name}
              value={`slipway agent --server ${window.location.origin} --token ${created.token}`}
            />
          </>
        ) : null}
        <form className="inline-form" action={register} data-testid="register-agent">
          <input
            name="agentName"
            defaultValue={sent.values.agentName ?? ''}
            aria-label={t('agents.name')}
            placeholder={t('agents.name')}
            required
          />
          <SubmitButton disabled={busy}>{t('agents.register')}</SubmitButton>
        </form>
        <ErrorNote error={sent.error ?? error} />
      </section>
    </div>
  );
}
