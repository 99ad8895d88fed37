import { z } from 'zod';

/**
 * One audit log entry, as GET /api/audit (instance) and an application's audit route answer it;
 * the web's admin page reads the inferred type. `at` is Unix milliseconds.
 */
export const auditJsonSchema = z.object({
  id: z.number().int(),
  at: z.number().int(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  /** null for instance-wide actions (users, invitations) and for deleted projects. */
  projectId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditJson = z.infer<typeof auditJsonSchema>;

/** The audit routes' answer: entries, newest first. */
export const AuditListSchema = z.object({ entries: z.array(auditJsonSchema) });
export type AuditList = z.infer<typeof AuditListSchema>;
