import { useQuery } from '@tanstack/react-query';
import { CircleX, TriangleAlert } from 'lucide-react';
import { useState } from 'react';
import { api } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { Diagnostic } from '../api/types.js';
import { useI18n } from '../app/i18n-context.js';
import { ErrorNote } from '../components/ErrorNote.js';
import { type PickedRef, RefPicker } from '../components/RefPicker.js';
import { StatusIcon } from '../components/StatusIcon.js';
import { PipelineGraph } from './PipelineGraph.js';
import { ImportButton } from './pipeline-import/ImportDialog.js';

/**
 * The `.slipway.yml` at a chosen ref: the file with its diagnostics under the lines they are
 * about, and a picture of stages, jobs and `needs` edges.
 */
export function PipelineTab({
  project,
  defaultBranch,
}: {
  project: string;
  defaultBranch: string | undefined;
}) {
  const { t } = useI18n();
  const [ref, setRef] = useState<PickedRef | null>(null);
  const wanted = ref ? (ref.kind === 'tag' ? `refs/tags/${ref.name}` : `refs/heads/${ref.name}`) : undefined;
  const { data, error } = useQuery({
    queryKey: queryKeys.pipeline(project, wanted),
    queryFn: () => api.pipeline(project, wanted),
  });
  return (
    <div className="pipeline-tab">
      <div className="pipeline-ref">
        <RefPicker project={project} value={ref} onChange={(r) => r && setRef(r)} t={t} />
        <span className="muted">
          {data
            ? `${data.ref.replace(/^refs\/(heads|tags)\//, '')} · ${data.sha.slice(0, 7)}`
            : (defaultBranch ?? '')}
        </span>
        <ImportButton t={t} />
      </div>
      <ErrorNote error={error} />
      {data?.text ? <PipelineGraph text={data.text} t={t} /> : null}
      {data ? <Source text={data.text} diagnostics={data.diagnostics} /> : null}
    </div>
  );
}

/** The file this tab shows; diagnostics about other files are about its includes. */
const PIPELINE_FILE = '.slipway.yml';

function Source({ text, diagnostics }: { text: string | null; diagnostics: Diagnostic[] }) {
  const { t } = useI18n();
  const byLine = new Map<number, Diagnostic[]>();
  // Problems in files `include:` brought in are listed after the file, with their file's name.
  const inFile = (d: Diagnostic) => d.file === PIPELINE_FILE;
  for (const d of diagnostics.filter(inFile)) byLine.set(d.line, [...(byLine.get(d.line) ?? []), d]);
  const lines = text === null ? [] : text.split('\n');
  const beyond = diagnostics.filter((d) => !inFile(d) || d.line > lines.length || d.line < 1);
  return (
    <div className="source" data-testid="pipeline-source">
      <h2 className="sr-only">{t('pipeline.file')}</h2>
      {diagnostics.length === 0 ? (
        <p className="ok">
          <StatusIcon status="succeeded" t={t} /> {t('pipeline.valid')}
        </p>
      ) : null}
      <ol className="source-lines">
        {lines.map((line, i) => {
          const n = i + 1;
          return (
            <li key={n} id={`L${n}`} className={byLine.has(n) ? 'has-diag' : undefined}>
              <span className="ln" aria-hidden="true">
                {n}
              </span>
              <code>{line || ' '}</code>
              {byLine.get(n)?.map((d) => (
                <DiagLine key={`${d.col}:${d.code}`} d={d} />
              ))}
            </li>
          );
        })}
      </ol>
      {beyond.map((d) => (
        <DiagLine key={`${d.file}:${d.line}:${d.col}:${d.code}`} d={d} />
      ))}
    </div>
  );
}

function DiagLine({ d }: { d: Diagnostic }) {
  return (
    <p className={`diag diag-${d.severity}`} data-testid="diagnostic" data-line={d.line}>
      <DiagIcon severity={d.severity} /> {d.file === PIPELINE_FILE ? '' : `${d.file}:`}
      {d.line}:{d.col} {d.message} <span className="muted">({d.code})</span>
    </p>
  );
}

/** Error or warning mark of a diagnostic: an SVG with its word for screen readers. */
function DiagIcon({ severity }: { severity: Diagnostic['severity'] }) {
  const { t } = useI18n();
  const label = severity === 'error' ? t('status.failed') : t('icon.warning');
  const Icon = severity === 'error' ? CircleX : TriangleAlert;
  return (
    <span className={`diag-icon diag-icon-${severity}`} role="img" aria-label={label} title={label}>
      <Icon size={14} aria-hidden="true" />
    </span>
  );
}
