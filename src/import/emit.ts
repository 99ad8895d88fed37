/**
 * PipelineDraft → `.slipway.yml` text, through the `yaml` Document API so that comments of the
 * source (file header, above jobs, on script lines) are written where they belong.
 */
import { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type {
  ArtifactsDraft,
  CacheDraft,
  JobDraft,
  PipelineDraft,
  RetryDraft,
  ScriptLine,
  ServiceDraft,
} from './draft.js';
import { JOB_KEYS, jobValue, TOP_KEYS } from './target.js';

export function emitPipeline(draft: PipelineDraft): string {
  const doc = new Document();
  const root = new YAMLMap();
  for (const [concept, key] of TOP_KEYS) {
    if (concept === 'version') root.add(doc.createPair(key, 1));
    else if (concept === 'stages') root.add(doc.createPair(key, stagesNode(doc, draft)));
    else {
      const value = draft[concept];
      if (value === undefined) continue;
      const pair = doc.createPair(key, plain(doc, value));
      const comment = draft.topComments?.[concept as 'image' | 'variables'];
      if (comment) (pair.key as Scalar).commentBefore = comment;
      root.add(pair);
    }
  }
  doc.contents = root;
  if (draft.header) doc.commentBefore = draft.header;
  if (draft.footer) doc.comment = draft.footer;
  return doc.toString({ lineWidth: 0, minContentWidth: 0 });
}

function stagesNode(doc: Document, draft: PipelineDraft): YAMLSeq {
  const seq = new YAMLSeq();
  for (const stage of draft.stages) {
    const jobs = new YAMLMap();
    for (const job of stage.jobs) {
      const pair = doc.createPair(job.name, jobNode(doc, job));
      if (job.comment) (pair.key as Scalar).commentBefore = job.comment;
      jobs.add(pair);
    }
    const node = new YAMLMap();
    node.add(doc.createPair('name', stage.name));
    node.add(doc.createPair('jobs', jobs));
    seq.add(node);
  }
  return seq;
}

function jobNode(doc: Document, job: JobDraft): YAMLMap {
  const map = new YAMLMap();
  for (const [concept, key] of JOB_KEYS) {
    const value = job[concept];
    if (value === undefined) continue;
    map.add(doc.createPair(key, jobField(doc, concept, value)));
  }
  return map;
}

function jobField(doc: Document, concept: string, value: unknown): unknown {
  switch (concept) {
    case 'beforeScript':
    case 'script':
    case 'afterScript':
      return scriptNode(value as ScriptLine[]);
    case 'services':
      return plain(
        doc,
        Object.fromEntries(
          Object.entries(value as Record<string, ServiceDraft>).map(([k, s]) => [k, service(s)]),
        ),
      );
    case 'cache':
      return plain(doc, jobValue(concept, (value as CacheDraft[]).map(cache)));
    case 'artifacts':
      return plain(doc, artifacts(value as ArtifactsDraft));
    case 'allowFailure':
      return plain(
        doc,
        typeof value === 'boolean' ? value : { exit_codes: (value as { exitCodes: number[] }).exitCodes },
      );
    case 'retry':
      return plain(doc, typeof value === 'number' ? value : retry(value as RetryDraft));
    default:
      return plain(doc, jobValue(concept, value));
  }
}

function scriptNode(lines: readonly ScriptLine[]): YAMLSeq {
  const seq = new YAMLSeq();
  for (const line of lines) {
    const node = new Scalar(line.text);
    if (line.before) node.commentBefore = line.before;
    if (line.after) node.comment = line.after;
    seq.items.push(node);
  }
  return seq;
}

/** Plain data as nodes; undefined members dropped (the file never says `key: null` by accident). */
function plain(doc: Document, value: unknown): unknown {
  return doc.createNode(strip(value));
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, strip(v)]),
    );
  }
  return value;
}

function service(s: ServiceDraft): unknown {
  if (!s.variables && !s.command) return s.image;
  return { image: s.image, env: s.variables, command: s.command };
}

function cache(c: CacheDraft): unknown {
  return { key: c.key, paths: c.paths, policy: c.policy, fallback_keys: c.fallbackKeys, when: c.when };
}

function artifacts(a: ArtifactsDraft): unknown {
  return { paths: a.paths, exclude: a.exclude, name: a.name, expire_in: a.expireIn, when: a.when };
}

function retry(r: RetryDraft): unknown {
  return { max: r.max, when: r.when, exit_codes: r.exitCodes };
}
