import { Play, Plus, X } from 'lucide-react';
import { useActionState, useEffect, useRef, useState } from 'react';
import { api } from '../api/client.js';
import { type CommitAtRef, overviewApi } from '../api/project-overview.js';
import type { RunSummary } from '../api/types.js';
import type { TFunction } from '../i18n/index.js';
import { ErrorNote } from './ErrorNote.js';
import { keepControlledFields } from './form-action.js';
import { type PickedRef, RefPicker } from './RefPicker.js';
import { SubmitButton } from './SubmitButton.js';

/**
 * The project header's "choose a branch or tag" + "Run manually" (手动执行). The button opens a
 * confirmation first — ref, the commit it points at right now, variables — and only "Start run"
 * calls POST /api/projects/:p/runs: a misclick never starts a pipeline.
 */
export function RunManually({
  project,
  defaultBranch,
  t,
  onStarted,
}: {
  project: string;
  defaultBranch: string | undefined;
  t: TFunction;
  onStarted?: (run: RunSummary) => void;
}) {
  const [ref, setRef] = useState<PickedRef | null>(null);
  const [open, setOpen] = useState(false);
  return (
    <div className="run-manually">
      <RefPicker project={project} value={ref} onChange={setRef} t={t} />
      <button type="button" className="primary" data-testid="run-manually" onClick={() => setOpen(true)}>
        <Play size={15} aria-hidden="true" /> {t('run.manually')}
      </button>
      {open ? (
        <ConfirmRun
          project={project}
          picked={ref ?? (defaultBranch ? { kind: 'branch', name: defaultBranch } : null)}
          isDefault={ref === null}
          t={t}
          onClose={() => setOpen(false)}
          onStarted={(run) => {
            setOpen(false);
            onStarted?.(run);
          }}
        />
      ) : null}
    </div>
  );
}

function ConfirmRun({
  project,
  picked,
  isDefault,
  t,
  onClose,
  onStarted,
}: {
  project: string;
  picked: PickedRef | null;
  isDefault: boolean;
  t: TFunction;
  onClose: () => void;
  onStarted: (run: RunSummary) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [commit, setCommit] = useState<CommitAtRef | null>(null);
  const [vars, setVars] = useState<{ key: string; value: string }[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);

  const kind = picked?.kind;
  const name = picked?.name;
  useEffect(() => {
    if (!kind || !name) return;
    let stale = false;
    overviewApi.commit(project, { kind, name }).then(
      (c) => {
        if (!stale) setCommit(c);
      },
      (err: unknown) => {
        if (!stale) setError(err);
      },
    );
    return () => {
      stale = true;
    };
  }, [project, kind, name]);

  // The form action: starts the run, or answers the server's refusal (the dialog stays, filled).
  const [refusal, submit] = useActionState<unknown, FormData>(async () => {
    if (!picked) return null;
    try {
      const variables = Object.fromEntries(
        vars.filter((v) => v.key.trim()).map((v) => [v.key.trim(), v.value]),
      );
      const run = await api.startRun(project, {
        [picked.kind]: picked.name,
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      });
      onStarted(run);
      return null;
    } catch (err) {
      return err;
    }
  }, null);

  const setVar = (i: number, field: 'key' | 'value', text: string) =>
    setVars((list) => list.map((v, j) => (j === i ? { ...v, [field]: text } : v)));

  return (
    <dialog
      ref={dialog}
      className="confirm-run"
      data-testid="run-manually-dialog"
      aria-labelledby="confirm-run-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <form action={submit} onReset={keepControlledFields}>
        <h2 id="confirm-run-title">{t('manual.title')}</h2>
        <dl className="confirm-facts">
          <dt>{t('manual.ref')}</dt>
          <dd data-testid="confirm-ref">
            {picked ? (
              <>
                <span className="ref-kind">{t(picked.kind === 'branch' ? 'ref.branch' : 'ref.tag')}</span>{' '}
                <strong>{picked.name}</strong>
                {isDefault ? <span className="muted"> · {t('manual.default')}</span> : null}
              </>
            ) : (
              t('manual.pickRef')
            )}
          </dd>
          <dt>{t('manual.commit')}</dt>
          <dd data-testid="confirm-commit">
            {commit ? (
              <>
                <code>{commit.shortSha}</code>{' '}
                <span className="commit-message">{firstLine(commit.message)}</span>
                <span className="muted"> · {commit.author}</span>
              </>
            ) : picked ? (
              <span className="muted">{t('manual.resolving')}</span>
            ) : null}
          </dd>
        </dl>
        <fieldset className="confirm-variables">
          <legend>{t('manual.variables')}</legend>
          {vars.length === 0 ? <p className="muted">{t('manual.noVariables')}</p> : null}
          {vars.map((v, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
            <div className="variable-row" key={i} data-testid="variable-row">
              <input
                aria-label={t('run.varName')}
                placeholder="NAME"
                data-testid="variable-key"
                value={v.key}
                onChange={(e) => setVar(i, 'key', e.target.value)}
              />
              <input
                aria-label={t('run.varValue')}
                placeholder={t('run.varValue')}
                data-testid="variable-value"
                value={v.value}
                onChange={(e) => setVar(i, 'value', e.target.value)}
              />
              <button
                type="button"
                className="icon-button"
                aria-label={t('common.remove')}
                title={t('common.remove')}
                onClick={() => setVars((list) => list.filter((_, j) => j !== i))}
              >
                <X size={15} aria-hidden="true" />
              </button>
            </div>
          ))}
          <button
            type="button"
            data-testid="add-variable"
            onClick={() => setVars((list) => [...list, { key: '', value: '' }])}
          >
            <Plus size={15} aria-hidden="true" /> {t('manual.addVariable')}
          </button>
        </fieldset>
        <ErrorNote error={refusal ?? error} />
        <div className="dialog-actions">
          <button type="button" data-testid="run-cancel-dialog" onClick={() => dialog.current?.close()}>
            {t('manual.cancel')}
          </button>
          <SubmitButton className="primary" testId="run-confirm" disabled={!picked}>
            <Play size={15} aria-hidden="true" /> {t('manual.confirm')}
          </SubmitButton>
        </div>
      </form>
    </dialog>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
