import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { ServerConfig } from '../config.js';
import type { DeliveryEventBus } from '../events/delivery-event-bus.js';
import { createOutboundPolicy } from '../git/outbound-policy.js';
import type { SecretBox } from '../services.js';
import type { Database } from '../store/tables.js';
import { linkBase } from './build-message.js';
import { followCommitStatuses } from './commit-status-follow-up.js';
import { commitStatusSender } from './commit-status-sender.js';
import { followNotifications } from './notification-follow-up.js';
import { notificationSender } from './notification-sender.js';
import { Outbox } from './outbox.js';
import { queueWeeklySummaries } from './weekly-summary.js';

/** How often channels are checked for a weekly summary that is due. */
const SUMMARY_CHECK_MS = 3_600_000;

export interface NotifyRuntime {
  outbox: Outbox;
  linkBase: string;
  kick: () => void;
  /** Starts the outbox worker and the weekly summary check (server listen). */
  start(): Promise<void>;
  /** Stops both after the pass in progress (server close, before the database goes). */
  stop(): Promise<void>;
}

/**
 * Notifications and commit statuses, built once per server by the composition root: the two
 * delivery-event subscribers that fill the outbox, and the outbox worker that empties it under
 * the outbound policy (the same allowlist as remote sources: SLIPWAY_OUTBOUND_ALLOWLIST).
 */
export function createNotifyRuntime(deps: {
  config: ServerConfig;
  db: Kysely<Database>;
  now: () => number;
  secretBox: SecretBox;
  deliveries: DeliveryEventBus;
  log: FastifyBaseLogger;
}): NotifyRuntime {
  const { config, db, now } = deps;
  const policy = createOutboundPolicy({ allowlist: config.outboundAllowlist });
  const timeoutMs = config.notify.timeoutMs;
  const outbox = new Outbox({
    db,
    now,
    log: deps.log,
    retryBaseMs: config.notify.retryBaseMs,
    maxAttempts: config.notify.maxAttempts,
    pollMs: Math.max(100, Math.min(5000, Math.floor(config.notify.retryBaseMs / 2))),
    senders: {
      notification: notificationSender({ db, secretBox: deps.secretBox, policy, now, timeoutMs }),
      commit_status: commitStatusSender({ db, secretBox: deps.secretBox, policy, timeoutMs }),
    },
  });
  const base = linkBase(config);
  const kick = () => outbox.kick();
  followNotifications(deps.deliveries, { db, now, linkBase: base, kick });
  followCommitStatuses(deps.deliveries, { db, now, linkBase: base, kick });
  let summaries: NodeJS.Timeout | null = null;
  const checkSummaries = () => {
    queueWeeklySummaries({ db, linkBase: base }, now())
      .then((queued) => {
        if (queued > 0) kick();
      })
      .catch((error) => deps.log.warn({ err: error }, 'weekly summary check failed'));
  };
  return {
    outbox,
    linkBase: base,
    kick,
    async start() {
      await outbox.start();
      checkSummaries();
      summaries = setInterval(checkSummaries, SUMMARY_CHECK_MS);
    },
    async stop() {
      if (summaries) clearInterval(summaries);
      await outbox.stop();
    },
  };
}
