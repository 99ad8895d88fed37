/**
 * Performance bands of DORA's 2024 State of DevOps report (clusters elite / high / medium / low),
 * turned into cut points per metric. Where the report's clusters do not order (2024: medium's
 * change failure rate, 10 %, is lower than high's, 20 %; high and medium both recover in under a
 * day) the cut points keep the order of the bands; the README states every threshold.
 */
import { BANDS, type Band } from '../../api/insights.js';

// The band names are part of the API's shapes (src/api/insights.ts).
export { BANDS, type Band };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

/** Deployments per day, averaged over the range: on demand (≥ 1/day), ≥ weekly, ≥ monthly, less. */
export function frequencyBand(deployments: number, rangeMs: number): Band | null {
  if (deployments === 0 || rangeMs <= 0) return null;
  const perDay = deployments / (rangeMs / DAY);
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

/** Median lead time: under a day, a week, a month (30 days), or longer. */
export function leadTimeBand(medianMs: number | null): Band | null {
  if (medianMs === null) return null;
  if (medianMs < DAY) return 'elite';
  if (medianMs < WEEK) return 'high';
  if (medianMs < MONTH) return 'medium';
  return 'low';
}

/** Change failure rate: ≤ 5 %, ≤ 20 %, < 40 %, or more. */
export function failureRateBand(rate: number | null): Band | null {
  if (rate === null) return null;
  if (rate <= 0.05) return 'elite';
  if (rate <= 0.2) return 'high';
  if (rate < 0.4) return 'medium';
  return 'low';
}

/** Median failed deployment recovery time: under an hour, a day, a week, or longer. */
export function recoveryBand(medianMs: number | null): Band | null {
  if (medianMs === null) return null;
  if (medianMs < HOUR) return 'elite';
  if (medianMs < DAY) return 'high';
  if (medianMs < WEEK) return 'medium';
  return 'low';
}

/** A team is in the band of its weakest key metric (metrics without data do not count). */
export function overallBand(bands: readonly (Band | null)[]): Band | null {
  let worst = -1;
  for (const band of bands) if (band !== null) worst = Math.max(worst, BANDS.indexOf(band));
  return worst < 0 ? null : (BANDS[worst] ?? null);
}
