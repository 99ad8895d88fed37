import type { ProjectJson } from '../../api/projects.js';
import { redactRemoteUrl } from '../git/remote-url.js';
import type { ProjectRow } from '../store/tables.js';

/**
 * A project as the API shows it — never its webhook secret, nor credentials in a remote URL. `origin` is the server's public URL
 * (or the request's origin when none is configured), used for the git and webhook URLs.
 */
export function projectJson(row: ProjectRow, origin: string): ProjectJson {
  const builtin = row.source_kind === 'builtin';
  return {
    id: row.id,
    name: row.name,
    source: builtin
      ? { kind: 'builtin' }
      : {
          kind: 'remote',
          url: redactRemoteUrl(row.remote_url ?? ''),
          ...(row.forge ? { forge: row.forge } : {}),
        },
    ...(builtin ? { gitUrl: `${origin}/git/${row.name}.git` } : {}),
    ...(!builtin && row.forge ? { webhookUrl: `${origin}/api/hooks/${row.name}/${row.forge}` } : {}),
    defaultBranch: row.default_branch,
    concurrencyLimit: row.concurrency_limit,
    trusted: row.trusted === 1,
    publicBadge: row.public_badge === 1,
    autoCancelSuperseded: row.auto_cancel_superseded === 1,
    visibility: row.visibility ?? 'internal',
    createdAt: row.created_at,
  };
}
