/**
 * Folding a job's log into steps. The runtime echoes every script line before running it as
 * `ESC[32;1m$ <line>ESC[0m` (src/runtime/job-script.ts, STEP_MARKER); that echo starts a step,
 * which runs until the next echo. Lines before the first echo (image pull, service start…)
 * belong to no step and never fold.
 */

/** Kept equal to STEP_MARKER in src/runtime/job-script.ts (the web app does not import src/). */
export const STEP_MARKER = '\u001b[32;1m$ ';

export interface Step {
  /** Index (in the line array) of the echoed command line. */
  header: number;
  /** Index one past the step's last line. */
  end: number;
}

export function isStepHeader(text: string): boolean {
  return text.startsWith(STEP_MARKER);
}

/** The steps of a log, in order. `texts` are the raw line texts (with their escapes). */
export function findSteps(texts: readonly string[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (!isStepHeader(texts[i] as string)) continue;
    const last = steps.at(-1);
    if (last) last.end = i;
    steps.push({ header: i, end: texts.length });
  }
  return steps;
}

/** The step a line index belongs to (its header included), or undefined before the first step. */
export function stepOf(steps: readonly Step[], index: number): Step | undefined {
  // Binary search: steps are sorted and contiguous from the first header on.
  let lo = 0;
  let hi = steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const step = steps[mid] as Step;
    if (index < step.header) hi = mid - 1;
    else if (index >= step.end) lo = mid + 1;
    else return step;
  }
  return undefined;
}

/**
 * The line indices to show, in order: everything except the body of a collapsed step (its
 * header stays, so it can be unfolded). `collapsed` holds header indices.
 */
export function visibleRows(
  lineCount: number,
  steps: readonly Step[],
  collapsed: ReadonlySet<number>,
): number[] {
  if (collapsed.size === 0) return Array.from({ length: lineCount }, (_, i) => i);
  const rows: number[] = [];
  let i = 0;
  for (const step of steps) {
    for (; i <= step.header; i++) rows.push(i);
    if (collapsed.has(step.header)) i = step.end;
  }
  for (; i < lineCount; i++) rows.push(i);
  return rows;
}
