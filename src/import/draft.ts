/**
 * The translated pipeline before it is written out: what every family translator produces and
 * the one emitter (emit.ts) turns into `.slipway.yml`. Field names here are concepts; the keys
 * they become in the file live in target.ts only.
 */

export type Scalar = string | number | boolean;

/** A script line with the comments it had in the source, when it had some. */
export interface ScriptLine {
  text: string;
  before?: string;
  after?: string;
}

export type FilterDraft = string[] | { branches?: string[]; tags?: string[]; events?: string[] };

export interface ServiceDraft {
  image: string;
  variables?: Record<string, string>;
  command?: string[];
}

export interface CacheDraft {
  key?: string | { files: string[]; prefix?: string };
  paths: string[];
  policy?: 'pull-push' | 'pull' | 'push';
  fallbackKeys?: string[];
  when?: 'on_success' | 'always';
}

export interface ArtifactsDraft {
  paths: string[];
  exclude?: string[];
  name?: string;
  expireIn?: string;
  when?: 'on_success' | 'on_failure' | 'always';
}

export interface ReportsDraft {
  junit?: string[];
  coverage?: { regex: string } | { cobertura: string };
}

export interface BuildDraft {
  dockerfile?: string;
  context?: string;
  target?: string;
  args?: Record<string, string>;
  cache?: boolean;
  image?: string;
  tags?: string[];
  push?: boolean;
  registry?: string;
}

export interface RetryDraft {
  max?: number;
  when?: string[];
  exitCodes?: number[];
}

export interface JobDraft {
  name: string;
  /** Comment written above the job. */
  comment?: string;
  image?: string;
  beforeScript?: ScriptLine[];
  script?: ScriptLine[];
  afterScript?: ScriptLine[];
  build?: BuildDraft;
  deploy?: { app: string; env: string; from?: string; image?: string };
  variables?: Record<string, Scalar>;
  secrets?: string[];
  services?: Record<string, ServiceDraft>;
  only?: FilterDraft;
  except?: FilterDraft;
  changes?: string[];
  needs?: string[];
  when?: 'on_success' | 'on_failure' | 'always' | 'manual' | 'never';
  allowFailure?: boolean | { exitCodes: number[] };
  retry?: number | RetryDraft;
  timeout?: string;
  interruptible?: boolean;
  cache?: CacheDraft[];
  artifacts?: ArtifactsDraft;
  reports?: ReportsDraft;
  /** One set of axes; `parallelMatrix` for GitLab's list of sets. */
  matrix?: Record<string, Scalar[]>;
  parallelMatrix?: Record<string, Scalar[]>[];
  runsOn?: Record<string, Scalar>;
}

export interface StageDraft {
  name: string;
  jobs: JobDraft[];
}

export interface WorkflowDraft {
  only?: FilterDraft;
  except?: FilterDraft;
  changes?: string[];
  when?: 'always' | 'never';
}

/** Top-level `clone:`: false (files only) or checkout settings. */
export type CloneDraft = false | { depth?: number; tags?: boolean };

export interface PipelineDraft {
  /** Comment at the top of the output: where it came from, plus the source's own header. */
  header?: string;
  /** Comments after the last entry of the source (often commented-out jobs), kept at the end. */
  footer?: string;
  /** Comments above top-level keys (`image`, `variables`), by concept. */
  topComments?: Partial<Record<'image' | 'variables', string>>;
  image?: string;
  variables?: Record<string, Scalar>;
  clone?: CloneDraft;
  interruptible?: boolean;
  runsOn?: Record<string, Scalar>;
  workflow?: WorkflowDraft;
  stages: StageDraft[];
}

export function lines(texts: readonly string[]): ScriptLine[] {
  return texts.map((text) => ({ text }));
}
