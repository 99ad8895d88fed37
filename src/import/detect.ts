/**
 * Which CI system a set of files is written for: by file name first (`.gitlab-ci.yml`,
 * `.woodpecker.yml`, `.woodpecker/*.yml`, `daocloud.yml`), then by what the main file contains.
 */
import type { ImportFormat } from './report.js';
import { isRecord } from './source.js';

export function formatFromName(path: string): ImportFormat | null {
  const base = path.split('/').pop() ?? path;
  if (/\.gitlab-ci\.ya?ml$/.test(base) || base === '.gitlab-ci.yml') return 'gitlab';
  if (/^\.?woodpecker\.ya?ml$/.test(base) || /(^|\/)\.woodpecker\//.test(path)) return 'woodpecker';
  if (/^daocloud\.ya?ml$/.test(base) || /daocloud.*\.ya?ml$/i.test(base)) return 'daocloud';
  return null;
}

export function formatFromContent(value: unknown): ImportFormat {
  if (!isRecord(value)) return 'gitlab';
  const jobs = Object.values(value).filter(isRecord);
  if (
    jobs.some((j) => 'job_type' in j) ||
    'install' in value ||
    (isRecord(value.build) && ('image' in value.build || 'lite_image' in value.build))
  )
    return 'daocloud';
  if ('steps' in value || 'pipeline' in value || jobs.some((j) => 'commands' in j)) return 'woodpecker';
  if (
    typeof value.version !== 'undefined' &&
    !('stages' in value && Array.isArray(value.stages) && jobs.some((j) => 'script' in j && 'stage' in j))
  )
    return 'daocloud';
  return 'gitlab';
}
