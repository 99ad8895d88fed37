import { z } from 'zod';

/**
 * The settings of the public collect endpoint (issue #13: `/api/collect`, `/s.js`), part of the
 * server's one config (config.ts reads the environment and spreads this schema into its own).
 */
const positive = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const collectConfigSchema = {
  /** Events one client address may send per minute (beyond: 429). */
  SLIPWAY_COLLECT_RATE_PER_ADDRESS: positive(300),
  /** Events one site may receive per minute, all visitors together (beyond: 429). */
  SLIPWAY_COLLECT_RATE_PER_SITE: positive(600_000),
  /** Feedback messages one visitor may send per hour. */
  SLIPWAY_COLLECT_FEEDBACK_PER_HOUR: positive(5),
  /** Events held in memory before they are written; when full, the endpoint answers 503. */
  SLIPWAY_COLLECT_BUFFER: positive(20_000),
};

export interface CollectConfig {
  ratePerAddressPerMinute: number;
  ratePerSitePerMinute: number;
  feedbackPerVisitorPerHour: number;
  bufferEvents: number;
}

export function collectConfigOf(c: {
  SLIPWAY_COLLECT_RATE_PER_ADDRESS: number;
  SLIPWAY_COLLECT_RATE_PER_SITE: number;
  SLIPWAY_COLLECT_FEEDBACK_PER_HOUR: number;
  SLIPWAY_COLLECT_BUFFER: number;
}): CollectConfig {
  return {
    ratePerAddressPerMinute: c.SLIPWAY_COLLECT_RATE_PER_ADDRESS,
    ratePerSitePerMinute: c.SLIPWAY_COLLECT_RATE_PER_SITE,
    feedbackPerVisitorPerHour: c.SLIPWAY_COLLECT_FEEDBACK_PER_HOUR,
    bufferEvents: c.SLIPWAY_COLLECT_BUFFER,
  };
}
