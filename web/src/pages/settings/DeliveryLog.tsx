import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '../../api/http.js';
import { queryKeys } from '../../api/query-keys.js';
import { useI18n } from '../../app/i18n-context.js';
import { formatTime } from '../../i18n/format.js';
import { tCode } from '../../i18n/index.js';

export interface Delivery {
  id: number;
  event: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  error: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
}

/** A channel's delivery log: event, status, response code, attempts and time, newest first. */
export function DeliveryLog({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const { data } = useQuery({
    queryKey: queryKeys.apiPath(`${path}?limit=20`),
    queryFn: () => apiFetch<Delivery[]>(`${path}?limit=20`),
  });
  if (!data) return null;
  if (data.length === 0) return <p className="muted">{t('notify.noDeliveries')}</p>;
  return (
    <table className="delivery-log" data-testid="delivery-log">
      <tbody>
        {data.map((d) => (
          <tr key={d.id} data-status={d.status}>
            <td>{tCode(t, 'notify.event', d.event, d.event)}</td>
            <td>{tCode(t, 'notify.status', d.status, d.status)}</td>
            <td>{d.responseCode ?? '-'}</td>
            <td>×{d.attempts}</td>
            <td className="muted">{formatTime(d.lastAttemptAt ?? d.createdAt, lang)}</td>
            <td className="muted">{d.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
