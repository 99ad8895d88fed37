/**
 * The project's caches in the server's cache store (what agents upload so that another agent
 * starts from them): key, size, last use, with clear buttons for maintainers. Caches an agent
 * keeps on its own engine are listed by `slipway cache ls` on that machine.
 */
import { useQuery } from '@tanstack/react-query';
import { formatByteSize } from '../../../../src/domain/byte-size.js';
import { queryKeys } from '../../api/query-keys.js';
import { useInvalidate } from '../../api/use-invalidate.js';
import { useI18n } from '../../app/i18n-context.js';
import { formatTime } from '../../i18n/format.js';
import { cacheApi } from './cache-api.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

export function CacheSettings({ project, canEdit }: { project: string; canEdit: boolean }) {
  const { t, lang } = useI18n();
  const { data, error: loadError } = useQuery({
    queryKey: queryKeys.caches(project),
    queryFn: () => cacheApi.list(project),
  });
  const reload = useInvalidate(queryKeys.caches(project));
  const [error, busy, run] = useAction();
  const limits = data?.limits;
  return (
    <ListSection
      title={t('settings.caches')}
      testid="caches"
      hint={t('settings.cachesHint', {
        max: limits ? formatByteSize(limits.maxBytes) : '…',
        total: limits ? formatByteSize(limits.totalBytes) : '…',
        days: limits ? String(Math.round((limits.maxAgeMs / 86_400_000) * 10) / 10) : '…',
      })}
      loadError={loadError}
      empty={data?.caches.length === 0 ? t('settings.noCaches') : null}
      error={error}
      form={
        canEdit && (data?.caches.length ?? 0) > 0 ? (
          <RemoveButton
            label={t('settings.clearAllCaches')}
            busy={busy}
            run={run}
            reload={reload}
            remove={() => cacheApi.clear(project)}
          />
        ) : null
      }
    >
      {data?.caches.map((c) => (
        <li key={c.key} data-testid="cache-item" data-key={c.key}>
          <code>{c.key}</code>
          <span>{formatByteSize(c.size)}</span>
          <span className="muted">{c.paths.join(', ')}</span>
          <span className="muted">{t('settings.cacheUsed', { time: formatTime(c.lastUsedAt, lang) })}</span>
          <span className="muted">{t('settings.cacheWhere')}</span>
          {canEdit ? (
            <RemoveButton
              label={t('settings.clearCache')}
              busy={busy}
              run={run}
              reload={reload}
              remove={() => cacheApi.clearKey(project, c.key)}
            />
          ) : null}
        </li>
      ))}
    </ListSection>
  );
}
