import { z } from 'zod';

/** A cron schedule of a project as the API answers it (times in ms since the epoch, UTC). */
export const scheduleSchema = z.object({
  id: z.string(),
  branch: z.string(),
  cron: z.string(),
  enabled: z.boolean(),
  nextAt: z.number(),
  lastRunId: z.string().nullable(),
  createdAt: z.number(),
});
export type Schedule = z.infer<typeof scheduleSchema>;
