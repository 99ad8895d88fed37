/**
 * A job's `reports:`: its JUnit files read from the workspace and parsed here (the XML never
 * goes to the server), its coverage from the log (regex) or a Cobertura file, sent as one
 * report. Problems (a file that is not JUnit, too many cases) travel with the report.
 */

import { writeSystemLine } from '../domain/system-line-codes.js';
import type { PlanJob } from '../pipeline/plan/plan.js';
import { MAX_TEST_CASES, type TestCaseMessage } from '../protocol/artifact-protocol.js';
import type { AfterJob } from '../runtime/run-job.js';
import { expandArtifactVariables, selectPaths } from './artifact-paths.js';
import type { JobArtifactsContext } from './job-artifacts.js';
import { coberturaCoverage, NotJunitError, parseJunit } from './junit-parse.js';
import { readEntry, walkSelected } from './workspace-files.js';

/** Largest single report file read (JUnit of a huge suite is a few MB). */
const MAX_REPORT_FILE = 32 * 1024 * 1024;

export async function collectTestReport(
  ctx: JobArtifactsContext,
  job: PlanJob,
  io: Parameters<AfterJob>[2],
): Promise<void> {
  const spec = job.reports as NonNullable<PlanJob['reports']>;
  if (!ctx.transport.reportTests) {
    writeSystemLine(
      io,
      'tests.not_supported',
      {},
      '[slipway] test reports were not sent: this server does not take them',
    );
    return;
  }
  const expand = (p: string) => expandArtifactVariables(p, io.env);
  const cases: TestCaseMessage[] = [];
  const problems: string[] = [];
  let files = 0;
  if (spec.junit.length > 0) {
    await walkSelected(
      ctx.backend,
      ctx.runId,
      selectPaths(spec.junit.map(expand), []),
      async (entry) => {
        if (entry.type !== 'file') return;
        const data = await readEntry(entry, MAX_REPORT_FILE);
        if (data === null) return void problems.push(`${entry.path}: larger than ${MAX_REPORT_FILE} bytes`);
        files++;
        try {
          cases.push(...parseJunit(data.toString('utf8'), entry.path));
        } catch (error) {
          if (!(error instanceof NotJunitError)) throw error;
          problems.push(error.message);
        }
      },
      (why) => problems.push(why),
    );
    if (files === 0) problems.push(`no JUnit file matched ${spec.junit.join(', ')}`);
  }
  let coverage: number | null = null;
  if (spec.coverage && 'regex' in spec.coverage) coverage = ctx.logCoverage(job.name);
  else if (spec.coverage && 'cobertura' in spec.coverage) {
    let found = false;
    await walkSelected(
      ctx.backend,
      ctx.runId,
      selectPaths([expand(spec.coverage.cobertura)], []),
      async (entry) => {
        if (entry.type !== 'file' || found) return void entry.stream.resume();
        found = true;
        const data = await readEntry(entry, MAX_REPORT_FILE);
        coverage = data === null ? null : coberturaCoverage(data.toString('utf8'));
        if (coverage === null) problems.push(`${entry.path}: no line-rate in a Cobertura <coverage> element`);
      },
      (why) => problems.push(why),
    );
    if (!found) problems.push(`no Cobertura file matched ${spec.coverage.cobertura}`);
  }
  if (cases.length > MAX_TEST_CASES) {
    problems.push(`${cases.length} test cases; only the first ${MAX_TEST_CASES} are kept`);
    cases.length = MAX_TEST_CASES;
  }
  for (const problem of problems)
    writeSystemLine(io, 'reports.problem', { detail: problem }, `[slipway] reports: ${problem}`);
  await ctx.transport.reportTests(ctx.leaseId, {
    job: job.name,
    cases,
    coverage,
    problems: problems.slice(0, 50).map((p) => p.slice(0, 1000)),
  });
  const count = (status: string) => cases.filter((c) => c.status === status).length;
  const totals = {
    passed: count('passed'),
    failed: count('failed') + count('error'),
    skipped: count('skipped'),
  };
  const text = `[slipway] tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
  if (coverage === null) writeSystemLine(io, 'tests.summary', totals, text);
  else
    writeSystemLine(io, 'tests.summary_coverage', { ...totals, coverage }, `${text}; coverage ${coverage}%`);
}
