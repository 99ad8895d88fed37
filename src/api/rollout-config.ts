import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';

/**
 * `protocol:` and `rollout:` of an environment (issue #13). `protocol` says what the agent's
 * proxy speaks in front of the containers: `http` counts requests per release (and can split
 * them for a canary), `tcp` counts connections. Unset: http when the health check is http,
 * else tcp (see effectiveProtocol).
 *
 * `rollout: {strategy: canary, steps: [10, 50, 100], bake: 2m, max_error_rate: 0.05,
 * max_p95_ms: 800, min_requests: 100}` sends each step's share of the traffic to the new
 * version, bakes, and judges it against the stable version over the same window.
 */
export const protocolSchema = z.enum(['http', 'tcp']);

/** A duration: ms as a number, or text like 90s, 2m, 1h; between 1 s and 24 h. */
const bake = z
  .union([z.number(), z.string()], { message: 'bake is a duration like 90s or 2m (or milliseconds)' })
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDuration(value);
    if (ms === null || !Number.isInteger(ms) || ms < 1_000 || ms > 24 * 3_600_000) {
      ctx.addIssue({
        code: 'custom',
        message: `bake ${JSON.stringify(value)} is not a duration between 1s and 24h (write e.g. 90s, 2m, 1h)`,
      });
      return z.NEVER;
    }
    return ms;
  });

export const rolloutConfigSchema = z
  .object({
    strategy: z.literal('canary', { message: 'the only rollout strategy is canary' }),
    steps: z
      .array(z.number().int('a step is a whole percentage').min(1).max(100))
      .min(1)
      .max(20)
      .default([10, 50, 100])
      .refine((s) => s.every((v, i) => i === 0 || v > (s[i - 1] as number)), 'steps must increase')
      .refine((s) => s[s.length - 1] === 100, 'the last step must be 100 (all traffic on the new version)'),
    bake: bake.default(120_000),
    max_error_rate: z.number().min(0).max(1).optional(),
    max_p95_ms: z.number().positive().max(600_000).optional(),
    min_requests: z.number().int().min(1).max(10_000_000).default(100),
  })
  .strict();
export type RolloutConfig = z.infer<typeof rolloutConfigSchema>;

/** The protocol an environment's proxy speaks: as configured, else http for an http health check. */
export function effectiveProtocol(config: {
  protocol?: 'http' | 'tcp' | undefined;
  healthcheck: { http?: unknown } | null;
}): 'http' | 'tcp' {
  return config.protocol ?? (config.healthcheck?.http ? 'http' : 'tcp');
}
