import { z } from 'zod';

/**
 * User behaviour and feedback as the signed-in side reads them (behaviour-routes.ts): an
 * application's collect site, its behaviour report and its feedback inbox.
 */
export const siteJsonSchema = z.object({
  configured: z.boolean(),
  siteKey: z.string().nullable(),
  origins: z.array(z.object({ origin: z.string(), environment: z.string().nullable() })),
  feedbackEnabled: z.boolean(),
  /** The tag to paste into the app's pages (null until the site exists). */
  snippet: z.string().nullable(),
});
export type SiteJson = z.infer<typeof siteJsonSchema>;

/** GET …/behaviour: totals, a time series and the top pages, referrers, events, errors. */
export interface BehaviourReport {
  from: number;
  to: number;
  bucketMs: number;
  totals: { visitors: number; views: number; events: number; errors: number };
  series: { at: number; visitors: number; views: number; events: number; errors: number }[];
  pages: { path: string; views: number; visitors: number }[];
  referrers: { host: string; views: number }[];
  events: { name: string; count: number; visitors: number }[];
  errors: { message: string; count: number; lastAt: number }[];
  releases: {
    number: number;
    environment: string | null;
    visitors: number;
    views: number;
    events: number;
    errors: number;
    feedback: number;
  }[];
}

/** GET …/feedback: one message of the inbox. */
export interface FeedbackItem {
  id: string;
  message: string;
  rating: number | null;
  contact: string | null;
  page: string;
  release: number | null;
  environment: string | null;
  createdAt: number;
  resolvedAt: number | null;
}
