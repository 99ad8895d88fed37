import { z } from 'zod';

/** A personal API token as the API lists it: never its value (shown once, on creation). */
export const tokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revoked: z.boolean(),
});
export type TokenInfo = z.infer<typeof tokenInfoSchema>;
