import type { Generated } from 'kysely';

/** Row types of migration 019 (notifications, commit statuses) and 020 (sign-in identities). */
export interface NotifyTables {
  notification_channels: NotificationChannelRow;
  outbound_deliveries: OutboundDeliveryRow;
  commit_status_settings: CommitStatusSettingsRow;
  user_identities: UserIdentityRow;
}

export interface NotificationChannelRow {
  id: string;
  /** null: a global default every project gets. */
  project_id: string | null;
  name: string;
  kind: string;
  language: string;
  /** Sealed JSON of the secret part (URL, signing secret, SMTP password); never returned. */
  target: string;
  /** JSON of the non-secret settings (SMTP host, port, sender, recipients). */
  settings: string;
  /** JSON ChannelRules (notify/channel-rules.ts). */
  rules: string;
  enabled: number;
  /** When the weekly summary was last queued for this channel. */
  last_summary_at: number | null;
  created_at: number;
  updated_at: number;
}

export type OutboundStatus = 'pending' | 'sending' | 'succeeded' | 'failed' | 'superseded';

export interface OutboundDeliveryRow {
  id: Generated<number>;
  kind: 'notification' | 'commit_status';
  project_id: string | null;
  channel_id: string | null;
  dedup_key: string;
  group_key: string | null;
  payload: string;
  status: OutboundStatus;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  response_code: number | null;
  error: string | null;
  created_at: number;
}

export interface CommitStatusSettingsRow {
  project_id: string;
  enabled: number;
  /** Sealed forge token; never returned. */
  token: string | null;
  api_url: string | null;
  updated_at: number;
}

export interface UserIdentityRow {
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  login: string | null;
  created_at: number;
  last_login_at: number;
}
