import type { Kysely } from 'kysely';
import { addHistograms, LATENCY_BOUNDS_MS } from '../../domain/release-stats.js';
import type { Database } from '../store/tables.js';
import { parseCounts } from '../traffic/traffic-reports.js';
import type { PrometheusText } from './prometheus-text.js';

/** A release is a series while it served in this window (then it stops being exported). */
export const TRAFFIC_SERIES_WINDOW_MS = 60 * 60_000;
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Per application, environment and release (and role: a canary's share apart), what the
 * agents' proxies counted, as Prometheus series. Values are running totals summed over every
 * stored minute of the release (traffic_minutes, within SLIPWAY_TRAFFIC_RETENTION_DAYS) — so
 * rate()/increase() work as for any counter; a release that served nothing for an hour drops
 * out of the page. Latency is a histogram in milliseconds with the LATENCY_BOUNDS_MS buckets.
 */
export async function trafficMetrics(db: Kysely<Database>, now: number, out: PrometheusText): Promise<void> {
  const recent = await db
    .selectFrom('traffic_minutes')
    .select(['environment_id', 'release_id', 'role'])
    .where('minute', '>=', now - TRAFFIC_SERIES_WINDOW_MS)
    .groupBy(['environment_id', 'release_id', 'role'])
    .execute();
  out.family(
    'slipway_http_requests_total',
    'counter',
    'HTTP requests through the deploy proxy, by status class.',
  );
  out.family(
    'slipway_http_proxy_errors_total',
    'counter',
    'Requests the deploy proxy answered 502 (no upstream).',
  );
  out.family(
    'slipway_http_request_duration_ms',
    'histogram',
    'Request latency through the deploy proxy (ms).',
  );
  out.family('slipway_tcp_connections_total', 'counter', 'TCP connections through the deploy proxy.');
  if (recent.length === 0) return;
  const releaseIds = [...new Set(recent.map((r) => r.release_id))];
  const rows = await db
    .selectFrom('traffic_minutes')
    .innerJoin('releases', 'releases.id', 'traffic_minutes.release_id')
    .innerJoin('environments', 'environments.id', 'traffic_minutes.environment_id')
    .innerJoin('applications', 'applications.id', 'environments.application_id')
    .innerJoin('projects', 'projects.id', 'applications.project_id')
    .select([
      'traffic_minutes.environment_id',
      'traffic_minutes.release_id',
      'traffic_minutes.role',
      'traffic_minutes.requests',
      'traffic_minutes.status_1xx',
      'traffic_minutes.status_2xx',
      'traffic_minutes.status_3xx',
      'traffic_minutes.status_4xx',
      'traffic_minutes.status_5xx',
      'traffic_minutes.proxy_errors',
      'traffic_minutes.connections',
      'traffic_minutes.latency_counts',
      'traffic_minutes.latency_sum_ms',
      'releases.number',
      'environments.name as env',
      'applications.name as app',
      'projects.name as project',
    ])
    .where('traffic_minutes.release_id', 'in', releaseIds)
    .execute();
  const wanted = new Set(recent.map((r) => `${r.environment_id}\0${r.release_id}\0${r.role}`));
  const series = new Map<
    string,
    {
      labels: Record<string, string>;
      status: number[];
      proxy: number;
      conns: number;
      latency: number[];
      sum: number;
    }
  >();
  for (const r of rows) {
    const key = `${r.environment_id}\0${r.release_id}\0${r.role}`;
    if (!wanted.has(key)) continue;
    let s = series.get(key);
    if (!s) {
      s = {
        labels: { project: r.project, app: r.app, env: r.env, release: String(r.number), role: r.role },
        status: [0, 0, 0, 0, 0],
        proxy: 0,
        conns: 0,
        latency: [],
        sum: 0,
      };
      series.set(key, s);
    }
    const counts = [r.status_1xx, r.status_2xx, r.status_3xx, r.status_4xx, r.status_5xx].map(Number);
    s.status = s.status.map((n, i) => n + (counts[i] ?? 0));
    s.proxy += Number(r.proxy_errors);
    s.conns += Number(r.connections);
    s.latency = addHistograms(s.latency, parseCounts(r.latency_counts));
    s.sum += Number(r.latency_sum_ms);
  }
  for (const s of series.values()) {
    CLASSES.forEach((cls, i) => {
      out.sample('slipway_http_requests_total', s.status[i] ?? 0, { ...s.labels, status_class: cls });
    });
    out.sample('slipway_http_proxy_errors_total', s.proxy, s.labels);
    let cumulative = 0;
    LATENCY_BOUNDS_MS.forEach((bound, i) => {
      cumulative += s.latency[i] ?? 0;
      out.sample('slipway_http_request_duration_ms_bucket', cumulative, { ...s.labels, le: String(bound) });
    });
    const count = s.latency.reduce((a, b) => a + b, 0);
    out.sample('slipway_http_request_duration_ms_bucket', count, { ...s.labels, le: '+Inf' });
    out.sample('slipway_http_request_duration_ms_sum', s.sum, s.labels);
    out.sample('slipway_http_request_duration_ms_count', count, s.labels);
    out.sample('slipway_tcp_connections_total', s.conns, s.labels);
  }
}
