import { parseArgs } from 'node:util';
import type { InsightsChangesJson, InsightsSummaryJson } from '../api/insights.js';
import { formatDuration } from '../domain/duration.js';
import { clientFrom, projectFrom } from './client/context.js';
import type { CliIO } from './exec.js';
import { UsageError } from './usage-error.js';

export const INSIGHTS_USAGE = `usage: slipway insights [--project P[,Q] | --all] [--app A] [--env E] [--since 30d | --from DATE [--to DATE]]
                        [--hotfix-window 7d] [--list deployments|lead_time|failures|recovery|rework] [--json]
  DORA delivery metrics of production (the environments flagged production; --env names another):
  deployment frequency, lead time for changes, change failure rate, failed deployment recovery
  time, deployment rework rate, each with its DORA 2024 band, and where lead time goes.
  --list prints the releases or commits behind a number.`;

const LISTS = ['deployments', 'lead_time', 'failures', 'recovery', 'rework'] as const;

/** `slipway insights`: the insights API's summary as text, or its JSON. */
export async function insightsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      project: { type: 'string' },
      all: { type: 'boolean' },
      app: { type: 'string' },
      env: { type: 'string' },
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'hotfix-window': { type: 'string' },
      list: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (values.since && !/^\d{1,5}[mhdw]$/.test(values.since)) {
    throw new UsageError(`--since: expected a duration such as 30d, 12w or 6h, got "${values.since}"`);
  }
  if (values.list && !(LISTS as readonly string[]).includes(values.list)) {
    throw new UsageError(`--list: one of ${LISTS.join(', ')}, got "${values.list}"`);
  }
  const query = new URLSearchParams();
  if (!values.all) query.set('project', projectFrom(values.project, io));
  if (values.app) query.set('app', values.app);
  if (values.env) query.set('env', values.env);
  if (values.since) query.set('since', values.since);
  if (values.from) query.set('from', values.from);
  if (values.to) query.set('to', values.to);
  if (values['hotfix-window']) query.set('hotfixWindow', values['hotfix-window']);
  const client = clientFrom(io);
  if (values.list) {
    query.set('metric', values.list);
    query.set('limit', '500');
    const list = await client.request<InsightsChangesJson>('GET', `/api/insights/changes?${query}`);
    io.stdout(values.json ? `${JSON.stringify(list, null, 2)}\n` : listText(list));
    return 0;
  }
  const summary = await client.request<InsightsSummaryJson>('GET', `/api/insights/summary?${query}`);
  io.stdout(values.json ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary));
  return 0;
}

const time = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));
const pct = (r: number | null) => (r === null ? '-' : `${Math.round(r * 1000) / 10}%`);
const band = (b: string | null) => (b === null ? '' : `  [${b}]`);

export function summaryText(s: InsightsSummaryJson): string {
  const envs =
    s.scope.environments.map((e) => `${e.project}/${e.application}/${e.name}`).join(', ') || 'none';
  const range = `${new Date(s.scope.from).toISOString().slice(0, 10)} → ${new Date(s.scope.to).toISOString().slice(0, 10)}`;
  const lines = [
    `environments: ${envs}`,
    `range:        ${range}`,
    '',
    `deployment frequency   ${s.deploymentFrequency.deployments} (${s.deploymentFrequency.perWeek}/week)${band(s.deploymentFrequency.band)}`,
    `lead time for changes  median ${time(s.leadTime.medianMs)}, p90 ${time(s.leadTime.p90Ms)} over ${s.leadTime.changes} commits; from push: median ${time(s.leadTime.fromPushMedianMs)}${band(s.leadTime.band)}`,
    `change failure rate    ${pct(s.changeFailureRate.rate)} (${s.changeFailureRate.failures} of ${s.changeFailureRate.changeDeployments})${band(s.changeFailureRate.band)}`,
    `recovery time          median ${time(s.recoveryTime.medianMs)} (${s.recoveryTime.recovered} recovered, ${s.recoveryTime.open} open)${band(s.recoveryTime.band)}`,
    `rework rate            ${pct(s.reworkRate.rate)} (${s.reworkRate.unplanned} of ${s.reworkRate.deployments})`,
    `performance band       ${s.band ?? 'no data'} (DORA 2024, weakest key metric)`,
  ];
  const stream = s.segments.filter((k) => (s.valueStream[k] ?? 0) > 0);
  if (stream.length > 0) {
    lines.push('', 'where lead time goes (mean per change):');
    for (const k of stream) lines.push(`  ${k.padEnd(24)} ${time(s.valueStream[k] ?? 0)}`);
  }
  return `${lines.join('\n')}\n`;
}

function listText(list: InsightsChangesJson): string {
  if (list.changes.length > 0) {
    return list.changes
      .map(
        (c) =>
          `${c.sha.slice(0, 7)}  ${c.project}/${c.application}/${c.environment} #${c.releaseNumber}  lead ${time(c.leadTimeMs)}  released ${new Date(c.releasedAt).toISOString()}\n`,
      )
      .join('');
  }
  if (list.releases.length === 0) return 'nothing in this range\n';
  return list.releases
    .map((r) => {
      const failure = r.failure ? `  failure: ${r.failure.kind} (release #${r.failure.evidenceRelease})` : '';
      const rework = r.rework ? `  unplanned: ${r.rework}` : '';
      const recovered = r.recoveryMs === null ? '' : `  recovered in ${time(r.recoveryMs)}`;
      return `${r.project}/${r.application}/${r.environment} #${r.number}  ${r.status}  ${r.trigger}${r.ref ? ` ${r.ref}` : ''}${failure}${rework}${recovered}\n`;
    })
    .join('');
}
