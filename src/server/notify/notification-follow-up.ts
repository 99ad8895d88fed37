import type { Kysely } from 'kysely';
import picomatch from 'picomatch';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import type { StoredDeliveryEvent } from '../events/delivery-events.js';
import type { Database } from '../store/tables.js';
import type { NotificationChannelRow } from '../store/tables-notify.js';
import { isFixed, releaseMessage, releasePart, runLink, runPart } from './build-message.js';
import { type ChannelRules, channelRulesSchema } from './channel-config.js';
import type { NotificationMessage, NotifyEvent } from './notification-message.js';
import { enqueueDeliveries, type NewDelivery } from './outbox.js';

export interface NotificationFollowUpDeps {
  db: Kysely<Database>;
  now: () => number;
  /** Base of links in messages (build-message.ts linkBase). */
  linkBase: string;
  /** New rows were queued: the outbox should look now. */
  kick: () => void;
}

/**
 * Notifications follow delivery events: a finished run, a release that ended, an approval that
 * is needed. For each, the enabled channels of the project and the global ones whose rules ask
 * for it get one outbox row (`n:<channel>:<event id>`, so a replayed event queues nothing
 * twice); the outbox worker sends them. Nothing here waits for a receiver.
 */
export function followNotifications(bus: DeliveryEventBus, deps: NotificationFollowUpDeps): () => void {
  return bus.subscribe(
    'notifications',
    async (event) => {
      const queued = await queueNotifications(deps, event);
      if (queued > 0) deps.kick();
    },
    ['run.finished', 'release.succeeded', 'release.failed', 'release.rolled_back', 'approval.requested'],
  );
}

export async function queueNotifications(
  deps: NotificationFollowUpDeps,
  event: StoredDeliveryEvent,
): Promise<number> {
  const channels = await channelsOf(deps.db, event.projectId);
  if (channels.length === 0) return 0;
  const deliveries: NewDelivery[] = [];
  const add = (channel: NotificationChannelRow, message: NotificationMessage) =>
    deliveries.push({
      kind: 'notification',
      projectId: event.projectId,
      channelId: channel.id,
      dedupKey: `n:${channel.id}:${event.id}`,
      payload: message,
    });

  if (event.type === 'run.finished' && event.runId) {
    if (event.data.status !== 'failed' && event.data.status !== 'succeeded') return 0;
    const part = await runPart(deps.db, event.runId);
    if (!part) return 0;
    const fixed = event.data.status === 'succeeded' && (await isFixed(deps.db, event.runId));
    for (const { channel, rules } of channels) {
      const kind = runRule(rules, event.data.status, fixed, part.refKind, part.refName);
      if (!kind) continue;
      add(channel, {
        event: kind,
        project: part.project,
        url: runLink(deps.linkBase, part.project, part.run.number),
        at: event.occurredAt,
        run: part.run,
      });
    }
  } else if (
    event.type === 'release.succeeded' ||
    event.type === 'release.failed' ||
    event.type === 'release.rolled_back' ||
    event.type === 'approval.requested'
  ) {
    const wanting = channels.filter(({ rules }) => rules.events.includes(event.type));
    if (wanting.length === 0) return 0;
    const project = await deps.db
      .selectFrom('projects')
      .select('name')
      .where('id', '=', event.projectId)
      .executeTakeFirst();
    if (!project) return 0;
    const release = await releasePart(deps.db, event);
    for (const { channel } of wanting)
      add(channel, releaseMessage(deps.linkBase, project.name, event, release));
  }
  return enqueueDeliveries(deps.db, deps.now(), deliveries);
}

/** Which run rule a finished run triggers on a channel, or null; "fixed" wins over "succeeded". */
function runRule(
  rules: ChannelRules,
  status: string,
  fixed: boolean,
  refKind: string,
  refName: string,
): NotifyEvent | null {
  if (status === 'failed') return rules.events.includes('run.failed') ? 'run.failed' : null;
  if (fixed && rules.events.includes('run.fixed')) return 'run.fixed';
  if (!rules.events.includes('run.succeeded')) return null;
  if (rules.branches.length === 0) return 'run.succeeded';
  return refKind === 'branch' && picomatch(rules.branches)(refName) ? 'run.succeeded' : null;
}

/** Enabled channels of the project and the global defaults, with their rules parsed. */
export async function channelsOf(
  db: Kysely<Database>,
  projectId: string,
): Promise<{ channel: NotificationChannelRow; rules: ChannelRules }[]> {
  const rows = await db
    .selectFrom('notification_channels')
    .selectAll()
    .where('enabled', '=', 1)
    .where((eb) => eb.or([eb('project_id', '=', projectId), eb('project_id', 'is', null)]))
    .orderBy('created_at')
    .execute();
  return rows.flatMap((channel) => {
    const rules = parseRules(channel.rules);
    return rules ? [{ channel, rules }] : [];
  });
}

export function parseRules(text: string): ChannelRules | null {
  try {
    const parsed = channelRulesSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
