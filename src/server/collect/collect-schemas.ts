import { z } from 'zod';

/**
 * What the page script (`/s.js`) sends. Small caps everywhere: this endpoint is public, so every
 * string is bounded and custom properties are a handful of short scalars.
 */
export const SITE_KEY = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a site key from the snippet');
const pageUrl = z.string().min(1).max(2048);

const props = z
  .record(z.string().min(1).max(40), z.union([z.string().max(200), z.number().finite(), z.boolean()]))
  .refine((p) => Object.keys(p).length <= 10, 'at most 10 properties');

export const collectEventSchema = z
  .object({
    site: SITE_KEY,
    kind: z.enum(['pageview', 'event', 'error']),
    /** The page's URL; only its path is kept. */
    url: pageUrl,
    referrer: z.string().max(2048).optional(),
    /** Custom event name (kind event) or error message (kind error). */
    name: z.string().min(1).max(500).optional(),
    props: props.optional(),
    /** Error source as `file:line:col` (kind error). */
    source: z.string().max(300).optional(),
    webdriver: z.boolean().optional(),
    automation: z.boolean().optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.kind !== 'pageview' && !e.name) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `required for kind "${e.kind}"` });
    }
    if (e.kind === 'event' && e.name && !/^[\w .:/-]{1,80}$/.test(e.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'an event name of at most 80 letters, digits, spaces and _ . : / -',
      });
    }
  });
export type CollectEvent = z.infer<typeof collectEventSchema>;

export const feedbackSchema = z
  .object({
    site: SITE_KEY,
    message: z.string().trim().min(1).max(2000),
    rating: z.number().int().min(1).max(5).nullable().optional(),
    contact: z.string().trim().max(200).optional(),
    url: pageUrl,
    /** Honeypot: a field people never see; a bot filling every input gives itself away. */
    website: z.string().max(200).optional(),
    webdriver: z.boolean().optional(),
    automation: z.boolean().optional(),
  })
  .strict();
export type CollectFeedback = z.infer<typeof feedbackSchema>;

export const acceptedSchema = z.object({
  /** false when the event was recognised as a bot's (or spam) and dropped on purpose. */
  stored: z.boolean(),
});
