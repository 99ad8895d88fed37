/** Weeks and quantiles as the insights define them (UTC weeks from Monday 00:00; interpolated quantiles). */
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: the first Monday is four days later. */
const FIRST_MONDAY = 4 * DAY_MS;

/** The Monday 00:00 UTC that starts the week of `t`. */
export function weekStart(t: number): number {
  return t - ((((t - FIRST_MONDAY) % WEEK_MS) + WEEK_MS) % WEEK_MS);
}

/** Every week start from the week of `from` to the week of `to - 1`. */
export function weeksBetween(from: number, to: number): number[] {
  const weeks: number[] = [];
  for (let w = weekStart(from); w < to; w += WEEK_MS) weeks.push(w);
  return weeks;
}

/**
 * The `p` quantile (0..1) with linear interpolation between the closest ranks (the common
 * "type 7" definition: the median of [1, 3] is 2); null for no values.
 */
export function quantile(values: readonly number[], p: number): number | null {
  return quantiles(values, [p])[0] ?? null;
}

/**
 * Several quantiles of the same values with one sort — a typed-array sort, numeric without a
 * comparator: the year's summary sorts ten thousand lead times, and this was its largest cost.
 */
export function quantiles(values: readonly number[], ps: readonly number[]): (number | null)[] {
  if (values.length === 0) return ps.map(() => null);
  const sorted = Float64Array.from(values).sort();
  return ps.map((p) => {
    const at = (sorted.length - 1) * p;
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    const a = sorted[lo] as number;
    const b = sorted[hi] as number;
    return Math.round(a + (b - a) * (at - lo));
  });
}

/** `30d`, `12w`, `6h`, `90m` → milliseconds; null when it is not such a duration. */
export function parseSince(text: string): number | null {
  const match = /^(\d{1,5})([mhdw])$/.exec(text.trim());
  if (!match) return null;
  const unit = { m: 60_000, h: 3_600_000, d: DAY_MS, w: WEEK_MS }[match[2] as 'm' | 'h' | 'd' | 'w'];
  const ms = Number(match[1]) * unit;
  return ms > 0 ? ms : null;
}
