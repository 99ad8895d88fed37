import type { ColumnType } from 'kysely';

/** Rows of release impact (migration 024, issue #13). Times are Unix ms; minutes are floored. */
type Counter = ColumnType<number, number | undefined, number>;

export interface TrafficMinuteRow {
  environment_id: string;
  release_id: string;
  /** 'stable' for the version serving everyone, 'canary' for a canary's share. */
  role: ColumnType<'stable' | 'canary', 'stable' | 'canary' | undefined, 'stable' | 'canary'>;
  minute: number;
  requests: Counter;
  status_1xx: Counter;
  status_2xx: Counter;
  status_3xx: Counter;
  status_4xx: Counter;
  status_5xx: Counter;
  /** Requests the proxy answered itself because no upstream could (502/504): counted as errors. */
  proxy_errors: Counter;
  bytes_in: Counter;
  bytes_out: Counter;
  /** TCP environments: connections accepted in the minute. */
  connections: Counter;
  /** JSON array, one count per bucket of LATENCY_BOUNDS_MS (domain/release-stats.ts). */
  latency_counts: ColumnType<string, string | undefined, string>;
  latency_sum_ms: Counter;
}

export interface CollectSiteRow {
  application_id: string;
  /** Public: it is in every page that loads the snippet. */
  site_key: string;
  /** JSON array of origins (`https://app.example.com`) allowed to send events. */
  origins: string;
  feedback_enabled: number;
  created_at: number;
  updated_at: number;
}

export interface BehaviourEventRow {
  id: string;
  application_id: string;
  environment_id: string | null;
  release_id: string | null;
  kind: 'pageview' | 'event' | 'error';
  /** Custom event name or client error message; null for page views. */
  name: string | null;
  path: string;
  /** Referrer host only (never a full URL with its query). */
  referrer: string | null;
  /** hash(daily salt, site, client address, user agent): counts visitors, follows nobody. */
  visitor: string;
  /** JSON object of small custom properties, or null. */
  props: string | null;
  occurred_at: number;
}

export interface FeedbackMessageRow {
  id: string;
  application_id: string;
  environment_id: string | null;
  release_id: string | null;
  message: string;
  /** 1..5, or null when the sender gave none. */
  rating: number | null;
  contact: string | null;
  page: string;
  visitor: string;
  created_at: number;
  resolved_at: number | null;
}

export interface VisitorSaltRow {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  salt: string;
}

export interface ImpactTables {
  traffic_minutes: TrafficMinuteRow;
  collect_sites: CollectSiteRow;
  behaviour_events: BehaviourEventRow;
  feedback_messages: FeedbackMessageRow;
  visitor_salts: VisitorSaltRow;
}
