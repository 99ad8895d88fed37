/**
 * Saving from the forms: secret values typed in the form are written to the project's secrets
 * first (the environment only stores their names), then the application or environment. Errors
 * keep the server's `where`, so the form can show them next to the part they are about.
 */
import { ApiError, apiFetch } from '../../api/http.js';
import type { FieldError } from './EnvironmentFields.js';
import type { EnvironmentDraft } from './environment-draft.js';
import { fieldOf } from './environment-draft.js';

export function projectPath(project: string): string {
  return `/api/projects/${encodeURIComponent(project)}`;
}

export function appPath(project: string, app: string): string {
  return `${projectPath(project)}/applications/${encodeURIComponent(app)}`;
}

/** Writes each secret that has a value typed; a refused value is an error of the secrets part. */
export async function saveSecretValues(project: string, draft: EnvironmentDraft): Promise<void> {
  for (const s of draft.secrets) {
    const name = s.key.trim();
    if (!name || !s.value) continue;
    try {
      await apiFetch(`${projectPath(project)}/secrets/${encodeURIComponent(name)}`, {
        method: 'PUT',
        body: { value: s.value },
      });
    } catch (err) {
      if (err instanceof ApiError)
        throw new ApiError(err.status, err.code, err.message, 'body.config.secrets');
      throw err;
    }
  }
}

/** The form's view of a failed save. */
export function fieldErrorOf(err: unknown): FieldError {
  if (err instanceof ApiError) return { field: fieldOf(err.where), message: err.message };
  return { field: null, message: err instanceof Error ? err.message : String(err) };
}
