import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { invalid, notFound } from '../errors.js';
import type { SecretBox } from '../services.js';
import type { Database } from '../store/tables.js';
import type { NotificationChannelRow } from '../store/tables-notify.js';
import {
  type ChannelInput,
  type ChannelJson,
  type ChannelTarget,
  channelProblem,
  channelTargetSchema,
  emailSettingsSchema,
} from './channel-config.js';
import { parseRules } from './notification-follow-up.js';

/** `projectId` null: the global defaults. */
export interface ChannelScope {
  projectId: string | null;
}

/** The channel without its secrets: which parts are set and the host, never the URL or keys. */
export function channelJson(row: NotificationChannelRow, secretBox: SecretBox): ChannelJson {
  let target: ChannelTarget = {};
  try {
    target = channelTargetSchema.parse(JSON.parse(secretBox.open(row.target)));
  } catch {
    // Sealed with another key: shown as not configured, so the user sets it again.
  }
  const settings = emailSettingsSchema.safeParse(safeJson(row.settings));
  let host: string | null = null;
  if (target.url) host = new URL(target.url).host;
  else if (settings.success) host = settings.data.host;
  return {
    id: row.id,
    scope: row.project_id === null ? 'global' : 'project',
    name: row.name,
    kind: row.kind as ChannelJson['kind'],
    language: row.language === 'zh-CN' ? 'zh-CN' : 'en',
    enabled: row.enabled === 1,
    rules: parseRules(row.rules) ?? { events: [], branches: [] },
    settings: row.kind === 'email' && settings.success ? settings.data : null,
    host,
    configured: {
      url: Boolean(target.url),
      secret: Boolean(target.secret),
      password: Boolean(target.password),
    },
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export async function listChannels(
  db: Kysely<Database>,
  scope: ChannelScope,
  withGlobal: boolean,
): Promise<NotificationChannelRow[]> {
  return db
    .selectFrom('notification_channels')
    .selectAll()
    .where((eb) =>
      scope.projectId === null
        ? eb('project_id', 'is', null)
        : withGlobal
          ? eb.or([eb('project_id', '=', scope.projectId), eb('project_id', 'is', null)])
          : eb('project_id', '=', scope.projectId),
    )
    .orderBy('created_at')
    .execute();
}

export async function findChannel(
  db: Kysely<Database>,
  scope: ChannelScope,
  id: string,
): Promise<NotificationChannelRow> {
  const row = await db
    .selectFrom('notification_channels')
    .selectAll()
    .where('id', '=', id)
    .where((eb) =>
      scope.projectId === null ? eb('project_id', 'is', null) : eb('project_id', '=', scope.projectId),
    )
    .executeTakeFirst();
  if (!row) throw notFound(`notification channel ${id}`);
  return row;
}

/** Creates (no `existing`) or updates a channel; an absent `target` keeps the stored secrets. */
export async function saveChannel(
  deps: { db: Kysely<Database>; secretBox: SecretBox; now: () => number },
  scope: ChannelScope,
  input: ChannelInput,
  existing: NotificationChannelRow | null,
): Promise<NotificationChannelRow> {
  const stored = existing ? storedTarget(existing, deps.secretBox) : {};
  // A field sent replaces the stored one; a field left out keeps it (write-only secrets).
  const target: ChannelTarget = { ...stored, ...(input.target ?? {}) };
  const problem = channelProblem(input.kind, target, input.settings);
  if (problem) throw invalid(problem[0], problem[1]);
  const now = deps.now();
  const values = {
    name: input.name,
    kind: input.kind,
    language: input.language,
    target: deps.secretBox.seal(JSON.stringify(target)),
    settings: JSON.stringify(input.kind === 'email' ? input.settings : {}),
    rules: JSON.stringify(input.rules),
    enabled: input.enabled ? 1 : 0,
    updated_at: now,
  };
  if (existing) {
    await deps.db.updateTable('notification_channels').set(values).where('id', '=', existing.id).execute();
    return { ...existing, ...values };
  }
  const row: NotificationChannelRow = {
    ...values,
    id: randomUUID(),
    project_id: scope.projectId,
    // The first weekly summary comes a week after the channel was made.
    last_summary_at: now,
    created_at: now,
  };
  await deps.db.insertInto('notification_channels').values(row).execute();
  return row;
}

function storedTarget(row: NotificationChannelRow, secretBox: SecretBox): ChannelTarget {
  try {
    return channelTargetSchema.parse(JSON.parse(secretBox.open(row.target)));
  } catch {
    return {};
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
