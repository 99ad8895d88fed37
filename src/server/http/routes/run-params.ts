import { z } from 'zod';

/** Path parameters shared by the run, log and ref routes: projects by name, runs by number. */
export const projectParams = z.object({ project: z.string().min(1).max(200) });
export const runParams = projectParams.extend({ number: z.coerce.number().int().min(1) });
export const jobParams = runParams.extend({ job: z.string().min(1).max(200) });

/** How often an idle SSE stream sends a comment, so proxies and clients see it is alive. */
export const SSE_HEARTBEAT_MS = 15_000;
