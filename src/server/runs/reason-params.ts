import { type ReasonParams, reasonParamsSchema } from '../../api/reasons.js';

/**
 * Reason parameters in the `failure_params` / `skip_params` columns (migration 030): JSON
 * objects, NULL when a reason has none. Reading never throws: a row from before the columns, or
 * a hand-edited one, simply has no parameters and the UI shows its English sentence.
 */
export function storedParams(params: ReasonParams | undefined): string | null {
  return params && Object.keys(params).length > 0 ? JSON.stringify(params) : null;
}

export function parseParams(text: string | null | undefined): ReasonParams | undefined {
  if (!text) return undefined;
  try {
    const parsed = reasonParamsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
