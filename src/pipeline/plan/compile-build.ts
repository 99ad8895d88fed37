/**
 * A `build:` block × event → PlanBuild: paths defaulted, args stringified, tags resolved.
 * Default tags are the record name (`branch-shortsha`, or the git tag) and `latest` when the
 * run is on the default branch, so "latest" always means the newest build of the main line.
 */
import type { PipelineEvent } from '../../domain/event.js';
import { recordName } from '../../domain/ref.js';
import type { BuildConfig, DeployConfig } from '../config/schema.js';
import type { PlanBuild, PlanDeploy } from './plan.js';

export function compileBuild(build: BuildConfig, event: PipelineEvent, defaultBranch?: string): PlanBuild {
  const context = build.context ?? '.';
  return {
    dockerfile: build.dockerfile ?? joinPath(context, 'Dockerfile'),
    context,
    target: build.target ?? null,
    args: Object.fromEntries(Object.entries(build.args ?? {}).map(([k, v]) => [k, String(v)])),
    cache: build.cache ?? true,
    repository: build.image ?? null,
    tags: build.tags ?? defaultTags(event, defaultBranch ?? event.defaultBranch),
    push: build.push ?? null,
    registry: build.registry ?? null,
    secrets: build.secrets ?? [],
  };
}

export function compileDeploy(deploy: DeployConfig): PlanDeploy {
  return { app: deploy.app, env: deploy.env, from: deploy.from ?? null, image: deploy.image ?? null };
}

function defaultTags(event: PipelineEvent, defaultBranch: string | undefined): string[] {
  const tags = [asTag(recordName(event.ref, event.sha))];
  if (event.ref.kind === 'branch' && defaultBranch !== undefined && event.ref.name === defaultBranch)
    tags.push('latest');
  return tags;
}

/** A git ref name may hold characters an image tag may not (`+`, `@`, …): they become `-`. */
function asTag(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
  return (clean || 'build').slice(0, 128);
}

function joinPath(dir: string, file: string): string {
  const base = dir.replace(/\/+$/, '');
  return base === '' || base === '.' ? file : `${base}/${file}`;
}
