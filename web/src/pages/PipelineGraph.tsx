import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { parse } from 'yaml';
import { StatusIcon } from '../components/StatusIcon.js';
import type { TFunction } from '../i18n/index.js';

interface GraphJob {
  name: string;
  stage: string;
  needs: string[];
  manual: boolean;
  allowFailure: boolean;
}

/**
 * Stages as columns, jobs as cards, `needs` as SVG curves between cards. The YAML is read here
 * only for the picture (the server's diagnostics are the authority on validity); a file that
 * does not parse simply has no picture. It shows this file only: jobs from `include:` and the
 * jobs a `matrix:` makes are on the run page, which the server's plan draws.
 */
export function PipelineGraph({ text, t }: { text: string; t: TFunction }) {
  const graph = useMemo(() => readGraph(text), [text]);
  const box = useRef<HTMLDivElement>(null);
  const [edges, setEdges] = useState<{ d: string; key: string }[]>([]);

  useLayoutEffect(() => {
    const root = box.current;
    if (!root || !graph) return;
    const measure = () => {
      const origin = root.getBoundingClientRect();
      const at = (name: string) => root.querySelector<HTMLElement>(`[data-graph-job="${CSS.escape(name)}"]`);
      const paths: { d: string; key: string }[] = [];
      for (const job of graph.jobs) {
        const to = at(job.name)?.getBoundingClientRect();
        for (const need of job.needs) {
          const from = at(need)?.getBoundingClientRect();
          if (!from || !to) continue;
          const x1 = from.right - origin.left;
          const y1 = from.top + from.height / 2 - origin.top;
          const x2 = to.left - origin.left;
          const y2 = to.top + to.height / 2 - origin.top;
          const mid = (x1 + x2) / 2;
          paths.push({
            key: `${need}->${job.name}`,
            d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
          });
        }
      }
      setEdges(paths);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(root);
    return () => observer.disconnect();
  }, [graph]);

  if (!graph || graph.stages.length === 0) return null;
  return (
    <figure className="graph" aria-label={t('pipeline.picture')}>
      <div className="graph-body" ref={box}>
        <svg className="graph-edges" aria-hidden="true">
          {edges.map((e) => (
            <path key={e.key} d={e.d} />
          ))}
        </svg>
        {graph.stages.map((stage) => (
          <div className="graph-stage" key={stage}>
            <h3>{stage}</h3>
            {graph.jobs
              .filter((j) => j.stage === stage)
              .map((j) => (
                <div className="graph-job" key={j.name} data-graph-job={j.name}>
                  <span>{j.name}</span>
                  {j.manual ? (
                    <span className="tag">
                      <StatusIcon status="manual" t={t} size={13} /> {t('pipeline.manual')}
                    </span>
                  ) : null}
                  {j.allowFailure ? <span className="tag">{t('run.allowFailure')}</span> : null}
                  {j.needs.length > 0 ? (
                    <span className="sr-only">
                      {t('pipeline.needs')}: {j.needs.join(', ')}
                    </span>
                  ) : null}
                </div>
              ))}
          </div>
        ))}
      </div>
    </figure>
  );
}

function readGraph(text: string): { stages: string[]; jobs: GraphJob[] } | null {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, merge: true });
  } catch {
    return null;
  }
  const stages: string[] = [];
  const jobs: GraphJob[] = [];
  const list = isRecord(doc) && Array.isArray(doc.stages) ? doc.stages : [];
  for (const stage of list) {
    if (!isRecord(stage) || typeof stage.name !== 'string') continue;
    stages.push(stage.name);
    if (!isRecord(stage.jobs)) continue;
    for (const [name, job] of Object.entries(stage.jobs)) {
      // Templates (`.name`) are never run: no card.
      if (name.startsWith('.')) continue;
      const spec = isRecord(job) ? job : {};
      jobs.push({
        name,
        stage: stage.name,
        needs: Array.isArray(spec.needs) ? spec.needs.filter((n): n is string => typeof n === 'string') : [],
        manual: spec.when === 'manual',
        allowFailure: spec.allow_failure === true,
      });
    }
  }
  return { stages, jobs };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
