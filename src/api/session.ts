import { z } from 'zod';

/**
 * Who is signed in: the answer of POST /api/session (sign in) and GET /api/me (session-routes.ts),
 * read by the web UI's session hook.
 */
export const MeSchema = z.object({
  user: z.object({
    username: z.string(),
    role: z.enum(['admin', 'maintainer', 'viewer']),
    /** true: the UI asks for a new password before anything else (PUT /api/me/password). */
    mustChangePassword: z.boolean(),
  }),
  /** Echo it in X-CSRF-Token on writes; null when signed in with an API token. */
  csrfToken: z.string().nullable(),
});
export type Me = z.infer<typeof MeSchema>;
