/**
 * Where a change's lead time went: the span from its author time to the end of the release that
 * shipped it, cut at the moments Slipway knows (push, run created, run started, pipeline end,
 * release created, approval, release end) into segments that add up to the lead time exactly.
 * A moment that is unknown or out of order is clipped onto its neighbour, so its segment is 0
 * rather than negative.
 */
export const FIXED_SEGMENTS = [
  'commit_to_push',
  'push_to_run',
  'queue',
  'manual_wait',
  'promotion_wait',
  'approval_wait',
  'rollout',
] as const;
export type FixedSegment = (typeof FIXED_SEGMENTS)[number];

export interface ReleaseTimeline {
  run_created_at: number | null;
  run_started_at: number | null;
  pipeline_end_at: number | null;
  approved_at: number | null;
  created_at: number;
  ended_at: number;
  /** Stage split of the pipeline window, and the manual wait inside it (release-facts.ts). */
  stages: { stage: string; ms: number }[];
  manual_wait_ms: number;
}

/** Segment → ms for one change; stage segments are keyed `stage:<name>`. */
export type Segments = Record<string, number>;

export function changeSegments(authoredAt: number, pushedAt: number | null, r: ReleaseTimeline): Segments {
  const end = r.ended_at;
  const raw = [
    authoredAt,
    pushedAt ?? r.run_created_at,
    r.run_created_at,
    r.run_started_at,
    r.pipeline_end_at,
    r.created_at,
    r.approved_at,
    end,
  ];
  const t: number[] = [];
  for (const [i, value] of raw.entries()) {
    const previous = i === 0 ? Math.min(authoredAt, end) : (t[i - 1] as number);
    t.push(Math.min(end, Math.max(previous, value ?? previous)));
  }
  const span = (i: number) => (t[i + 1] as number) - (t[i] as number);
  const out: Segments = {
    commit_to_push: span(0),
    push_to_run: span(1),
    queue: span(2),
    manual_wait: 0,
    promotion_wait: span(4),
    approval_wait: span(5),
    rollout: span(6),
  };
  // The pipeline window as clipped here, shared out like the stored split (which covers the
  // unclipped window); the rounding remainder goes to the last part so the sum stays exact.
  const pipeline = span(3);
  const parts = [
    ...r.stages.map((s) => ({ key: `stage:${s.stage}`, ms: s.ms })),
    { key: 'manual_wait', ms: r.manual_wait_ms },
  ];
  const stored = parts.reduce((sum, p) => sum + p.ms, 0);
  let given = 0;
  const nonEmpty = parts.filter((p) => p.ms > 0);
  for (const [i, part] of nonEmpty.entries()) {
    const ms = i === nonEmpty.length - 1 ? pipeline - given : Math.round((pipeline * part.ms) / stored);
    out[part.key] = (out[part.key] ?? 0) + ms;
    given += ms;
  }
  if (nonEmpty.length === 0 && pipeline > 0) out['stage:'] = pipeline;
  return out;
}
