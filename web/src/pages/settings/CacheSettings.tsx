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
import { registerMessages } from '../../i18n/index.js';
import { cacheApi } from './cache-api.js';
import { ListSection, RemoveButton } from './SettingsSection.js';
import { useAction } from './settings-actions.js';

registerMessages({
  en: {
    'settings.caches': 'Caches',
    'settings.cachesHint':
      "Job caches (cache: in .slipway.yml) agents uploaded to the server's cache store, so that another agent starts from them. Each agent also keeps its own copies (slipway cache ls on that machine). Limits: {max} per cache, {total} in all; unused for {days} days: removed.",
    'settings.noCaches': 'No caches in the server store yet: a successful run with cache: saves one.',
    'settings.cacheUsed': 'last used {time}',
    'settings.cacheWhere': 'server store',
    'settings.clearCache': 'Clear',
    'settings.clearAllCaches': 'Clear all caches',
  },
  'zh-CN': {
    'settings.caches': '缓存',
    'settings.cachesHint':
      '各执行器上传到服务器缓存存储的任务缓存（.slipway.yml 中的 cache:），供其他执行器直接使用。每个执行器也在本机保留自己的副本（在该机器上运行 slipway cache ls 查看）。限制：单个缓存 {max}，总计 {total}；{days} 天未使用即删除。',
    'settings.noCaches': '服务器存储中还没有缓存：带 cache: 的运行成功后会保存一份。',
    'settings.cacheUsed': '最近使用 {time}',
    'settings.cacheWhere': '服务器存储',
    'settings.clearCache': '清除',
    'settings.clearAllCaches': '清除全部缓存',
  },
});

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
