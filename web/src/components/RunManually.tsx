import { type FormEvent, useState } from 'react';
import { api } from '../api/client.js';
import type { RunSummary } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';
import { ErrorNote } from './ErrorNote.js';
import { type PickedRef, RefPicker } from './RefPicker.js';

/** Branch-or-tag picker + optional variables + "Run manually" (POST /api/projects/:p/runs). */
export function RunManually({
  project,
  t,
  onStarted,
}: {
  project: string;
  t: TFunction;
  onStarted: (run: RunSummary) => void;
}) {
  const [ref, setRef] = useState<PickedRef | null>(null);
  const [vars, setVars] = useState<{ key: string; value: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const variables = Object.fromEntries(
        vars.filter((v) => v.key.trim()).map((v) => [v.key.trim(), v.value]),
      );
      const run = await api.startRun(project, {
        ...(ref ? { [ref.kind]: ref.name } : {}),
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      });
      onStarted(run);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const setVar = (i: number, field: 'key' | 'value', text: string) =>
    setVars((list) => list.map((v, j) => (j === i ? { ...v, [field]: text } : v)));

  return (
    <form className="run-manually" onSubmit={submit}>
      <RefPicker project={project} value={ref} onChange={setRef} t={t} />
      <button type="submit" className="primary" data-testid="run-manually" disabled={busy}>
        {t('run.manually')}
      </button>
      <details className="variables">
        <summary>{t('run.variables')}</summary>
        {vars.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
          <div className="variable-row" key={i}>
            <input
              aria-label={t('run.varName')}
              placeholder="NAME"
              value={v.key}
              onChange={(e) => setVar(i, 'key', e.target.value)}
            />
            <input
              aria-label={t('run.varValue')}
              placeholder={t('run.varValue')}
              value={v.value}
              onChange={(e) => setVar(i, 'value', e.target.value)}
            />
            <button type="button" onClick={() => setVars((list) => list.filter((_, j) => j !== i))}>
              {t('common.remove')}
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setVars((list) => [...list, { key: '', value: '' }])}>
          {t('run.addVariable')}
        </button>
      </details>
      <ErrorNote error={error} />
    </form>
  );
}
