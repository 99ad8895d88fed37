import type { ReleaseFactRow } from '../store/tables-insights.js';
import type { FactInput } from './classify-releases.js';
import type { ReleaseTimeline } from './value-stream.js';

/** A release's facts as the computations use them: numbers, parsed JSON. */
export type InsightsFact = FactInput &
  ReleaseTimeline & {
    image: string | null;
    source_run_number: number | null;
    changes: number;
    /** `[leadMs, leadFromPushMs | null]` per commit shipped first. */
    lead_times: [number, number | null][];
    /** `[segment, ms]` pairs summed over its commits (the stored JSON object, parsed once). */
    segment_sums: [string, number][];
  };

// PostgreSQL returns bigint columns as strings: every time is converted here, once.
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function factFromRow(r: ReleaseFactRow): InsightsFact {
  return {
    release_id: r.release_id,
    environment_id: r.environment_id,
    number: Number(r.number),
    trigger: r.trigger,
    status: r.status,
    reason: r.reason,
    ref_name: r.ref_name,
    digest: r.digest,
    rollback_of: r.rollback_of,
    image: r.image,
    source_run_number: nullableNumber(r.source_run_number),
    created_at: Number(r.created_at),
    started_at: nullableNumber(r.started_at),
    ended_at: Number(r.ended_at),
    run_created_at: nullableNumber(r.run_created_at),
    run_started_at: nullableNumber(r.run_started_at),
    pipeline_end_at: nullableNumber(r.pipeline_end_at),
    approved_at: nullableNumber(r.approved_at),
    stages: JSON.parse(r.stages) as { stage: string; ms: number }[],
    manual_wait_ms: Number(r.manual_wait_ms),
    changes: Number(r.changes),
    lead_times: JSON.parse(r.lead_times) as [number, number | null][],
    segment_sums: Object.entries(JSON.parse(r.segment_sums) as Record<string, number>),
  };
}
