import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { DEFAULT_IMPACT_OPTIONS } from '../domain/release-stats.js';

/** Window before and after a release when neither the environment nor the request names one. */
export const DEFAULT_WINDOW_MS = 30 * 60_000;
export const MIN_WINDOW_MS = 60_000;
export const MAX_WINDOW_MS = 24 * 3_600_000;

const WINDOW_HINT = 'a duration of whole minutes between 1m and 24h, such as 30m or 2h';

/** `30m`, `2h`, `1h30m` → ms when it is whole minutes in [1m, 24h]; null otherwise. */
export function parseWindow(text: string): number | null {
  const ms = parseDuration(text);
  if (ms === null || ms % 60_000 !== 0 || ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS) return null;
  return ms;
}

export const windowText = z.string().refine((v) => parseWindow(v) !== null, WINDOW_HINT);
export const minRequestsNumber = z.number().int().min(1).max(1_000_000_000);

/**
 * `impact:` of an environment config: how long the windows before and after a release are, and
 * how many requests each side needs before a verdict is given. Optional, so existing configs
 * read back unchanged.
 */
export const impactConfigSchema = z
  .object({
    window: windowText.optional(),
    min_requests: minRequestsNumber.optional(),
  })
  .strict();
export type ImpactConfig = z.infer<typeof impactConfigSchema>;

export interface ImpactSettings {
  windowMs: number;
  minRequests: number;
  /** Where each value came from, so the answer can say so. */
  source: { window: Source; minRequests: Source };
}
type Source = 'default' | 'environment' | 'request';

/** Request overrides environment overrides the defaults, value by value. */
export function impactSettings(
  environment: ImpactConfig | undefined,
  request: { window?: string | undefined; minRequests?: number | undefined },
): ImpactSettings {
  const envWindow = environment?.window ? parseWindow(environment.window) : null;
  const reqWindow = request.window ? parseWindow(request.window) : null;
  const windowMs = reqWindow ?? envWindow ?? DEFAULT_WINDOW_MS;
  const minRequests = request.minRequests ?? environment?.min_requests ?? DEFAULT_IMPACT_OPTIONS.minRequests;
  return {
    windowMs,
    minRequests,
    source: {
      window: reqWindow !== null ? 'request' : envWindow !== null ? 'environment' : 'default',
      minRequests:
        request.minRequests !== undefined
          ? 'request'
          : environment?.min_requests !== undefined
            ? 'environment'
            : 'default',
    },
  };
}

/** The `impact:` part of an environment's stored config JSON (a damaged one counts as absent). */
export function impactConfigOf(configJson: string): ImpactConfig | undefined {
  try {
    const parsed = impactConfigSchema.safeParse((JSON.parse(configJson) as { impact?: unknown }).impact);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
