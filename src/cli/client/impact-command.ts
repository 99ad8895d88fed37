import { parseArgs } from 'node:util';
import type { ImpactCardJson, SideJson, VerdictListJson } from '../../api/impact.js';
import type { CliIO } from '../exec.js';
import { UsageError } from '../usage-error.js';
import { clientFrom, projectFrom } from './context.js';

export const IMPACT_USAGE = `usage: slipway impact APP [--release N] [--project P] [--env E] [--window 30m] [--min-requests 100] [--json]
  Release impact: for each release, traffic, error rate and p95 latency in the window before it
  (the release serving until then) and after it went live, and the verdict (better, no change,
  worse, not enough data). Error rates are compared with a two-proportion z-test, latency with a
  Mann–Whitney rank test. --release N prints one release's card with the test statistics, the
  canary against stable, client errors and feedback.`;

/** `slipway impact`: the verdicts of an application's recent releases, or one release's card. */
export async function impactCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      release: { type: 'string' },
      project: { type: 'string' },
      env: { type: 'string' },
      window: { type: 'string' },
      'min-requests': { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [app, ...extra] = positionals;
  if (!app) throw new UsageError(`which application?\n\n${IMPACT_USAGE}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const release = values.release === undefined ? null : Number(values.release.replace(/^#/, ''));
  if (release !== null && (!Number.isInteger(release) || release < 1)) {
    throw new UsageError(`--release: expected a release number, got "${values.release}"`);
  }
  if (values.window !== undefined && !/^(\d+[mh])+$/.test(values.window)) {
    throw new UsageError(`--window: expected a duration such as 30m or 2h, got "${values.window}"`);
  }
  const minRequests = values['min-requests'];
  if (minRequests !== undefined && !/^[1-9]\d{0,8}$/.test(minRequests)) {
    throw new UsageError(`--min-requests: expected a positive whole number, got "${minRequests}"`);
  }
  const query = new URLSearchParams();
  if (values.window) query.set('window', values.window);
  if (minRequests) query.set('minRequests', minRequests);
  const project = projectFrom(values.project, io);
  const base = `/api/projects/${encodeURIComponent(project)}/applications/${encodeURIComponent(app)}`;
  const client = clientFrom(io);
  if (release !== null) {
    const card = await client.request<ImpactCardJson>('GET', `${base}/releases/${release}/impact?${query}`);
    io.stdout(values.json ? `${JSON.stringify(card, null, 2)}\n` : cardText(card));
    return 0;
  }
  if (values.env) query.set('env', values.env);
  if (values.limit) query.set('limit', values.limit);
  const list = await client.request<VerdictListJson>('GET', `${base}/impact/verdicts?${query}`);
  io.stdout(values.json ? `${JSON.stringify(list, null, 2)}\n` : listText(list));
  return 0;
}

const pct = (r: number | null) => (r === null ? '-' : `${(Math.round(r * 10_000) / 100).toFixed(2)}%`);
const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v * 10) / 10} ms`);
const verdictText = (v: string | null) => (v === null ? '-' : v.replace(/_/g, ' '));

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function listText(list: VerdictListJson): string {
  if (list.releases.length === 0) return 'no releases\n';
  const rows = [['RELEASE', 'ENV', 'STATUS', 'VERDICT', 'REQUESTS', 'ERROR RATE', 'P95']];
  for (const r of list.releases) {
    rows.push([
      `#${r.number}`,
      r.environment,
      r.status,
      r.phase === 'collecting' ? `${verdictText(r.verdict)} (collecting)` : verdictText(r.verdict),
      `${r.before.requests} → ${r.after.requests}`,
      `${pct(r.before.errorRate)} → ${pct(r.after.errorRate)}`,
      `${ms(r.before.p95)} → ${ms(r.after.p95)}`,
    ]);
  }
  return `${table(rows)}\n`;
}

function sideRow(name: string, s: SideJson): string[] {
  const span = `${new Date(s.from).toISOString().slice(0, 16)}–${new Date(s.to).toISOString().slice(11, 16)}`;
  return [
    name,
    s.release === null ? '-' : `#${s.release}`,
    span,
    String(s.requests),
    String(s.errors),
    pct(s.errorRate),
    ms(s.p50),
    ms(s.p95),
    ms(s.p99),
  ];
}

const HEADER = ['', 'RELEASE', 'WINDOW (UTC)', 'REQUESTS', 'ERRORS', 'ERROR RATE', 'P50', 'P95', 'P99'];

export function cardText(c: ImpactCardJson): string {
  const test = (t: ImpactCardJson['tests']['errorRate']) =>
    `${t.test} z=${t.z} p=${t.pValue} → ${t.change.replace(/_/g, ' ')}`;
  const lines = [
    `release #${c.release.number} (${c.release.environment}, ${c.release.status}): ${verdictText(c.verdict)}${c.phase === 'final' ? '' : ` [${c.phase.replace(/_/g, ' ')}]`}`,
    `window ${c.settings.windowMs / 60_000} min (${c.settings.source.window}), at least ${c.settings.minRequests} requests a side (${c.settings.source.minRequests}), α=${c.settings.alpha}`,
    '',
    table([HEADER, sideRow('before', c.before), sideRow('after', c.after)]),
    '',
    `error rate: ${test(c.tests.errorRate)}`,
    `latency:    ${test(c.tests.latency)}`,
  ];
  if (c.canary) {
    lines.push(
      '',
      `canary vs stable, same minutes: ${verdictText(c.canary.verdict)}`,
      table([HEADER, sideRow('stable', c.canary.stable), sideRow('canary', c.canary.canary)]),
      `error rate: ${test(c.canary.tests.errorRate)}`,
      `latency:    ${test(c.canary.tests.latency)}`,
    );
  }
  const rating = c.feedback.averageRating === null ? '' : `, average rating ${c.feedback.averageRating}`;
  lines.push(
    '',
    `client errors: ${c.clientErrors.before} before → ${c.clientErrors.after} after (${c.clientErrors.total} in all)`,
    `feedback: ${c.feedback.count} message${c.feedback.count === 1 ? '' : 's'}${rating}`,
  );
  return `${lines.join('\n')}\n`;
}
