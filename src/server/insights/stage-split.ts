/**
 * Splits a run's pipeline window (from its start to where the release took over) into the time
 * of each stage and the time spent waiting for someone to start a `when: manual` job. Pure, so
 * the value stream adds up by construction: the stage times plus the manual wait are exactly the
 * window, whatever the job timestamps look like (overlaps, gaps, clock skew are clipped).
 */
export interface StageJob {
  stage: string;
  stage_index: number;
  manual: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StageSplit {
  stages: { stage: string; ms: number }[];
  manualWaitMs: number;
}

export function splitPipelineWindow(jobs: readonly StageJob[], start: number, end: number): StageSplit {
  const window = Math.max(0, end - start);
  const byIndex = new Map<number, StageJob[]>();
  for (const job of jobs) {
    if (job.started_at === null) continue;
    const list = byIndex.get(job.stage_index) ?? [];
    list.push(job);
    byIndex.set(job.stage_index, list);
  }
  const stages: { stage: string; ms: number }[] = [];
  let manualWaitMs = 0;
  let cursor = start;
  const clip = (t: number, lo: number) => Math.min(end, Math.max(lo, t));
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const list = byIndex.get(index) ?? [];
    const first = Math.min(...list.map((j) => j.started_at as number));
    const ends = list.map((j) => j.finished_at ?? end);
    const from = clip(first, cursor);
    const to = clip(Math.max(...ends), from);
    const gap = from - cursor;
    // The pause before a manual stage is a person's wait; before any other stage it is the
    // stage being scheduled, which belongs to the stage.
    const manual = list.some((j) => j.manual === 1);
    if (manual) manualWaitMs += gap;
    stages.push({ stage: list[0]?.stage ?? String(index), ms: to - from + (manual ? 0 : gap) });
    cursor = to;
  }
  const rest = end - cursor;
  if (rest > 0) {
    const last = stages[stages.length - 1];
    if (last) last.ms += rest;
    else stages.push({ stage: '', ms: rest });
  }
  // Guard for an empty window: nothing to split.
  if (window === 0) return { stages: stages.map((s) => ({ ...s, ms: 0 })), manualWaitMs: 0 };
  return { stages, manualWaitMs };
}
