import { z } from 'zod';

/**
 * Artifacts and test reports between agent and server (part of protocol version 1; an older
 * server answers these calls 404 and the agent then says artifacts were not kept):
 *
 *   PUT  /api/agent/leases/:lease/artifacts/:job?name=&expireIn=   body: tar.gz → ArtifactStored
 *   GET  /api/agent/leases/:lease/artifacts/:job?run=              → the stored tar.gz
 *   POST /api/agent/leases/:lease/reports                          TestReport → 204
 *
 * The archive is a gzip-compressed tar of regular files and directories only (domain/
 * archive-entry.ts); the server checks every entry while it streams to disk and refuses the
 * upload at the first bad one, or once it passes the job or project cap (413).
 * JUnit files are parsed on the agent (the XML never reaches the server); the server validates
 * the parsed shape below with its caps.
 */
export const MAX_TEST_CASES = 20_000;
export const MAX_TEST_TEXT = 8_000;

export const artifactStoredSchema = z.object({ size: z.number().int(), files: z.number().int() });
export type ArtifactStoredMessage = z.infer<typeof artifactStoredSchema>;

/** Where an agent restores earlier jobs' artifacts from: the job, and the run that made them. */
export const artifactSourceSchema = z.object({ job: z.string(), runId: z.string() });
export type ArtifactSource = z.infer<typeof artifactSourceSchema>;

const text = z.string().max(MAX_TEST_TEXT);

export const testCaseSchema = z.object({
  suite: z.string().max(500),
  classname: z.string().max(500),
  name: z.string().max(1000),
  status: z.enum(['passed', 'failed', 'error', 'skipped']),
  durationMs: z.number().int().min(0),
  message: text.nullable(),
  output: text.nullable(),
});
export type TestCaseMessage = z.infer<typeof testCaseSchema>;

export const testReportSchema = z.object({
  job: z.string().min(1).max(100),
  cases: z.array(testCaseSchema).max(MAX_TEST_CASES),
  /** Line coverage in percent (0–100), from the job log's regex or a Cobertura file. */
  coverage: z.number().min(0).max(100).nullable(),
  /** Problems reading the reports (a file that is not JUnit XML), shown with the job's tests. */
  problems: z.array(z.string().max(1000)).max(50),
});
export type TestReportMessage = z.infer<typeof testReportSchema>;
