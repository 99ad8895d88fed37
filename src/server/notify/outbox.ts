import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { OutboundDeliveryRow } from '../store/tables-notify.js';

/** What one attempt came to; `permanent` failures are not retried (a refused URL, a deleted channel). */
export type Attempt =
  | { ok: true; code: number | null }
  | { ok: false; code: number | null; error: string; permanent?: boolean };

export type OutboundKind = OutboundDeliveryRow['kind'];
export type DueDelivery = Pick<
  OutboundDeliveryRow,
  'kind' | 'project_id' | 'channel_id' | 'dedup_key' | 'group_key' | 'payload' | 'attempts' | 'created_at'
> & { id: number };
export type Sender = (delivery: DueDelivery) => Promise<Attempt>;

export interface OutboxOptions {
  db: Kysely<Database>;
  now: () => number;
  senders: Record<OutboundKind, Sender>;
  /** First retry after this long; each further one waits four times longer (capped at 1 h). */
  retryBaseMs: number;
  maxAttempts: number;
  /** How often due rows are looked for without a kick (retries become due by time). */
  pollMs: number;
  log: { warn(obj: object, msg: string): void };
}

export interface NewDelivery {
  kind: OutboundKind;
  projectId: string | null;
  channelId: string | null;
  /** Unique per logical message: a replayed event inserts nothing twice. */
  dedupKey: string;
  /** Deliveries of one group are sent in order, and an older one is dropped once a newer exists. */
  groupKey?: string | null;
  payload: unknown;
}

/** Inserts deliveries (ignoring ones already there by `dedupKey`); returns how many are new. */
export async function enqueueDeliveries(
  db: Kysely<Database>,
  now: number,
  deliveries: readonly NewDelivery[],
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const result = await db
    .insertInto('outbound_deliveries')
    .values(
      deliveries.map((d) => ({
        kind: d.kind,
        project_id: d.projectId,
        channel_id: d.channelId,
        dedup_key: d.dedupKey,
        group_key: d.groupKey ?? null,
        payload: JSON.stringify(d.payload),
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
        last_attempt_at: null,
        response_code: null,
        error: null,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

const BATCH = 20;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Drains `outbound_deliveries`: the one place notifications and commit statuses leave the
 * server. Event subscribers only insert rows (fast, transactional, replay-safe) and kick this
 * worker, so a slow or dead receiver never holds up the delivery event bus. Each due row is
 * claimed (`pending` → `sending`), sent once, and ends `succeeded`, back to `pending` with a
 * later `next_attempt_at` (backoff), or `failed` after `maxAttempts` or a permanent refusal.
 * Rows of one group (a commit's statuses) go one at a time in id order, and a row with a newer
 * row in its group is `superseded` instead of sent. Rows left `sending` by a crash are sent
 * again on start (at-least-once: receivers see the delivery id to drop a duplicate).
 */
export class Outbox {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: OutboxOptions) {}

  async start(): Promise<void> {
    await this.opts.db
      .updateTable('outbound_deliveries')
      .set({ status: 'pending' })
      .where('status', '=', 'sending')
      .execute();
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.kick();
  }

  /** Looks for due rows now (after new rows were inserted). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.opts.log.warn({ err: error }, 'outbound delivery pass failed'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when no pass is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.opts.now();
      const due = await this.opts.db
        .selectFrom('outbound_deliveries')
        .select([
          'id',
          'kind',
          'project_id',
          'channel_id',
          'dedup_key',
          'group_key',
          'payload',
          'attempts',
          'created_at',
        ])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(BATCH)
        .execute();
      if (due.length === 0 || this.stopped) return;
      const groups = new Set<string>();
      const batch = due.filter((row) => {
        if (row.group_key === null) return true;
        if (groups.has(row.group_key)) return false;
        groups.add(row.group_key);
        return true;
      });
      await Promise.all(batch.map((row) => this.deliver({ ...row, id: Number(row.id) })));
      if (due.length < BATCH && batch.length === due.length) return;
    }
  }

  private async deliver(row: DueDelivery): Promise<void> {
    const { db } = this.opts;
    if (row.group_key !== null) {
      const newer = await db
        .selectFrom('outbound_deliveries')
        .select('id')
        .where('group_key', '=', row.group_key)
        .where('id', '>', row.id)
        .executeTakeFirst();
      if (newer) {
        await db
          .updateTable('outbound_deliveries')
          .set({ status: 'superseded' })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .execute();
        return;
      }
    }
    const claimed = await db
      .updateTable('outbound_deliveries')
      .set({ status: 'sending' })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    let attempt: Attempt;
    try {
      attempt = await this.opts.senders[row.kind](row);
    } catch (error) {
      attempt = { ok: false, code: null, error: error instanceof Error ? error.message : String(error) };
    }
    const attempts = row.attempts + 1;
    const now = this.opts.now();
    const exhausted = !attempt.ok && (attempt.permanent === true || attempts >= this.opts.maxAttempts);
    await db
      .updateTable('outbound_deliveries')
      .set({
        status: attempt.ok ? 'succeeded' : exhausted ? 'failed' : 'pending',
        attempts,
        last_attempt_at: now,
        response_code: attempt.code,
        error: attempt.ok ? null : attempt.error.slice(0, 1000),
        next_attempt_at: attempt.ok || exhausted ? now : now + this.backoff(attempts),
      })
      .where('id', '=', row.id)
      .execute();
  }

  private backoff(attempts: number): number {
    return Math.min(MAX_BACKOFF_MS, this.opts.retryBaseMs * 4 ** (attempts - 1));
  }
}
