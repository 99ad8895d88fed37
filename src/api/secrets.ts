import { z } from 'zod';

/** A project secret as the API lists it: never its value. */
export const secretInfoSchema = z.object({ name: z.string(), createdAt: z.number(), updatedAt: z.number() });
export type SecretInfo = z.infer<typeof secretInfoSchema>;
