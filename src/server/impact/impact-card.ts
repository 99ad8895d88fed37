import type { Kysely } from 'kysely';
import type { ImpactCardJson, SideJson } from '../../api/impact.js';
import { type ImpactSettings, impactConfigOf, impactSettings } from '../../api/impact-config.js';
import {
  type Comparison,
  compareTraffic,
  DEFAULT_IMPACT_OPTIONS,
  type ImpactOptions,
  summarise,
} from '../../domain/release-stats.js';
import { previousServingRelease, rolloutStart } from '../deploys/serving-release.js';
import type { Database, ReleaseRow } from '../store/tables.js';
import type { ImpactCardCache } from './impact-card-cache.js';
import { countClientErrors, feedbackOf } from './release-signals.js';
import {
  addMinute,
  emptyTraffic,
  floorMinute,
  loadWindowTraffic,
  MINUTE_MS,
  minuteRows,
  type WindowTraffic,
} from './traffic-window.js';

/**
 * Traffic reports of a minute reach the server a little after the minute (agents batch them),
 * so a card is cached as final only this long after its after-window closed.
 */
export const REPORT_GRACE_MS = 2 * MINUTE_MS;

export interface CardInput {
  release: ReleaseRow;
  environment: { name: string; config: string };
  request: { window?: string | undefined; minRequests?: number | undefined };
  now: number;
}

/** The part of a card that stops changing once the after-window closed (what the cache keeps). */
type TrafficPart = Omit<ImpactCardJson, 'clientErrors' | 'feedback'> & {
  beforeReleaseId: string | null;
};

/**
 * The impact card of one release (issue #13): the previous serving release's traffic in the
 * window before this one began to roll out, against this release's traffic in the window after
 * it went live, judged by compareTraffic (two-proportion z-test on error rates, Mann–Whitney U on
 * latency histograms); a canary's share against the stable version in the same minutes; and the
 * client errors and feedback attributed to the release.
 */
export async function impactCard(
  db: Kysely<Database>,
  input: CardInput,
  cache?: ImpactCardCache,
): Promise<ImpactCardJson> {
  const settings = impactSettings(impactConfigOf(input.environment.config), input.request);
  const key = `${input.release.id}:${settings.windowMs}:${settings.minRequests}`;
  let traffic = cache?.get(key) as TrafficPart | undefined;
  if (!traffic) {
    traffic = await trafficPart(db, input, settings);
    if (traffic.phase === 'final' && input.now >= traffic.after.to + REPORT_GRACE_MS)
      cache?.set(key, traffic);
  }
  const { beforeReleaseId, ...card } = traffic;
  const clientErrors = await countClientErrors(db, {
    before: beforeReleaseId
      ? { releaseId: beforeReleaseId, from: card.before.from, to: card.before.to }
      : null,
    after:
      card.phase === 'not_live'
        ? null
        : { releaseId: input.release.id, from: card.after.from, to: card.after.to },
    releaseId: input.release.id,
  });
  return { ...card, clientErrors, feedback: await feedbackOf(db, input.release.id) };
}

async function trafficPart(
  db: Kysely<Database>,
  { release, environment, now }: CardInput,
  settings: ImpactSettings,
): Promise<TrafficPart> {
  const options: ImpactOptions = { ...DEFAULT_IMPACT_OPTIONS, minRequests: settings.minRequests };
  const start = rolloutStart(release);
  const previous = await previousServingRelease(db, release);
  const beforeFrom = start - settings.windowMs;
  const before = previous
    ? await loadWindowTraffic(db, {
        environmentId: release.environment_id,
        releaseId: previous.id,
        from: beforeFrom,
        to: start,
      })
    : emptyTraffic();
  const live = release.status === 'succeeded' && release.finished_at !== null;
  const afterFrom = live ? floorMinute(release.finished_at as number) : start;
  const afterTo = live ? (release.finished_at as number) + settings.windowMs : start;
  const after = live
    ? await loadWindowTraffic(db, {
        environmentId: release.environment_id,
        releaseId: release.id,
        from: afterFrom,
        to: afterTo,
      })
    : emptyTraffic();
  const comparison = compareTraffic(before, after, options);
  return {
    release: {
      number: release.number,
      environment: environment.name,
      status: release.status,
      trigger: release.trigger,
      startedAt: release.started_at,
      finishedAt: release.finished_at,
    },
    phase: !live ? 'not_live' : now >= afterTo ? 'final' : 'collecting',
    settings: {
      windowMs: settings.windowMs,
      minRequests: settings.minRequests,
      alpha: options.alpha,
      minErrorRateDelta: options.minErrorRateDelta,
      minLatencyRatio: options.minLatencyRatio,
      source: settings.source,
    },
    before: side(before, previous?.number ?? null, beforeFrom, start),
    after: side(after, release.number, afterFrom, afterTo),
    verdict: live ? comparison.verdict : 'not_enough_data',
    tests: testsOf(comparison),
    canary: await canaryPart(db, release, now, options),
    beforeReleaseId: previous?.id ?? null,
  };
}

/**
 * Canary against stable over the minutes the canary took traffic: the same minutes on both
 * sides, so a busy hour or a slow dependency affects both alike.
 */
async function canaryPart(
  db: Kysely<Database>,
  release: ReleaseRow,
  now: number,
  options: ImpactOptions,
): Promise<ImpactCardJson['canary']> {
  const spanFrom = floorMinute(rolloutStart(release));
  const spanTo = (release.finished_at ?? now) + MINUTE_MS;
  const rows = await minuteRows(db, {
    environmentId: release.environment_id,
    releaseId: release.id,
    role: 'canary',
    from: spanFrom,
    to: spanTo,
  });
  if (rows.length === 0) return null;
  const canary = emptyTraffic();
  const minutes = new Set<number>();
  for (const row of rows) {
    addMinute(canary, row);
    minutes.add(row.minute);
  }
  canary.minutes = minutes.size;
  const first = Math.min(...minutes);
  const last = Math.max(...minutes) + MINUTE_MS;
  const stable = await loadWindowTraffic(db, {
    environmentId: release.environment_id,
    excludeReleaseId: release.id,
    role: 'stable',
    from: first,
    to: last,
    minutes: [...minutes],
  });
  const comparison = compareTraffic(stable, canary, options);
  return {
    from: first,
    to: last,
    stable: side(stable, null, first, last),
    canary: side(canary, release.number, first, last),
    verdict: comparison.verdict,
    tests: testsOf(comparison),
  };
}

function side(sample: WindowTraffic, release: number | null, from: number, to: number): SideJson {
  const s = summarise(sample);
  return {
    release,
    from,
    to,
    requests: sample.requests,
    errors: sample.errors,
    status4xx: sample.status4xx,
    minutes: sample.minutes,
    errorRate: round(s.errorRate, 6),
    p50: round(s.p50, 2),
    p95: round(s.p95, 2),
    p99: round(s.p99, 2),
  };
}

function testsOf(c: Comparison): ImpactCardJson['tests'] {
  return {
    errorRate: {
      test: 'two_proportion_z',
      z: round(c.errorRate.z, 4) as number,
      pValue: round(c.errorRate.pValue, 6) as number,
      change: c.errorRate.change,
    },
    latency: {
      test: 'mann_whitney_u',
      z: round(c.latency.z, 4) as number,
      pValue: round(c.latency.pValue, 6) as number,
      change: c.latency.change,
    },
  };
}

const round = (v: number | null, digits: number): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;
