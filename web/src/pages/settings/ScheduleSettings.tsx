/** Cron schedules that start runs on a branch. */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { SubmitButton } from '../../components/SubmitButton.js';
import { formatTime } from '../../i18n/format.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { field, useAction, useFormThenReload } from './settings-actions.js';

export function ScheduleSettings({
  project,
  canEdit,
  defaultBranch,
}: {
  project: string;
  canEdit: boolean;
  defaultBranch: string;
}) {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.schedules(project),
    queryFn: () => api.schedules(project),
  });
  const reload = useInvalidate(queryKeys.schedules(project));
  const [error, busy, run] = useAction();
  const [sent, submit] = useFormThenReload(reload, (form) =>
    api.addSchedule(project, field(form, 'branch'), field(form, 'cron')),
  );
  return (
    <ListSection
      title={t('settings.schedules')}
      testid="schedules"
      hint={t('settings.schedulesHint')}
      loadError={loadError}
      empty={data?.length === 0 ? t('settings.noSchedules') : null}
      error={sent.error ?? error}
      form={
        canEdit ? (
          <form className="inline-form" action={submit}>
            <input
              name="branch"
              aria-label={t('records.branch')}
              defaultValue={sent.values.branch ?? defaultBranch}
              required
            />
            <input
              name="cron"
              defaultValue={sent.values.cron ?? ''}
              aria-label={t('settings.cron')}
              placeholder="0 3 * * *"
              required
            />
            <SubmitButton disabled={busy}>{t('settings.addSchedule')}</SubmitButton>
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
