import { useEffect, useRef, useState } from 'react';
import type { ImportResult } from '../../../../src/import/import-pipeline.js';
import type { ImportFormat } from '../../../../src/import/report.js';
import { apiFetch } from '../../api/http.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { TFunction } from '../../i18n/index.js';
import { ImportReportTable } from './ImportReportTable.js';
import '../../styles/pipeline-import.css';

const FORMATS: (ImportFormat | '')[] = ['', 'gitlab', 'woodpecker', 'daocloud'];
const FORMAT_NAMES: Record<string, string> = {
  gitlab: 'GitLab CI',
  woodpecker: 'Woodpecker',
  daocloud: 'DaoCloud',
};

/** The "Import from …" button of the pipeline tab; the dialog lives only while it is open. */
export function ImportButton({ t }: { t: TFunction }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="secondary" data-testid="import-open" onClick={() => setOpen(true)}>
        {t('import.open')}
      </button>
      {open ? <ImportDialog t={t} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

/**
 * Paste or upload a CI file of another system, see the translated `.slipway.yml` with the report
 * (what was translated, approximated, or left out and why), then copy or download it. Nothing is
 * saved here: the file goes into the repository by a commit, like any other change.
 */
export function ImportDialog({ t, onClose }: { t: TFunction; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [name, setName] = useState('.gitlab-ci.yml');
  const [text, setText] = useState('');
  const [uploaded, setUploaded] = useState<Record<string, string> | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const translate = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const files = uploaded ?? { [name.trim() || '.gitlab-ci.yml']: text };
      const body = { ...(format ? { format } : {}), files };
      setResult(await apiFetch<ImportResult>('/api/pipeline/import', { method: 'POST', body }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const upload = async (list: FileList | null) => {
    if (!list || list.length === 0) return setUploaded(null);
    const files: Record<string, string> = {};
    for (const file of Array.from(list)) {
      // A file picked from a .woodpecker/ directory keeps its folder, so the format is recognised.
      const path = file.webkitRelativePath || file.name;
      files[
        /^(daocloud|\.gitlab-ci|\.woodpecker)/.test(path) || path.includes('/') ? path : `.woodpecker/${path}`
      ] = await file.text();
    }
    setUploaded(
      Object.keys(files).length === 1
        ? { [list[0]?.name ?? 'file.yml']: Object.values(files)[0] ?? '' }
        : files,
    );
  };

  const download = () => {
    if (!result?.yaml) return;
    const url = URL.createObjectURL(new Blob([result.yaml], { type: 'text/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = '.slipway.yml';
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <dialog ref={dialog} className="import-dialog" data-testid="import-dialog" onClose={onClose}>
      <div className="dialog-body">
        <h3 className="dialog-title">{t('import.title')}</h3>
        <div className="import-inputs">
          <label>
            <span className="field-label">{t('import.format')}</span>
            <select
              data-testid="import-format"
              value={format}
              onChange={(e) => setFormat(e.target.value as ImportFormat | '')}
            >
              {FORMATS.map((f) => (
                <option key={f} value={f}>
                  {f ? FORMAT_NAMES[f] : t('import.auto')}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="field-label">{t('import.fileName')}</span>
            <input
              data-testid="import-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              disabled={uploaded !== null}
            />
          </label>
          <label>
            <span className="field-label">{t('import.upload')}</span>
            <input
              data-testid="import-upload"
              type="file"
              multiple
              accept=".yml,.yaml"
              onChange={(e) => void upload(e.target.files)}
            />
          </label>
        </div>
        {uploaded ? (
          <p className="muted">
            {t('import.files', {
              count: Object.keys(uploaded).length,
              names: Object.keys(uploaded).join(', '),
            })}
          </p>
        ) : (
          <textarea
            data-testid="import-text"
            className="import-text"
            placeholder={t('import.paste')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
          />
        )}
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            {t('import.close')}
          </button>
          <button
            type="button"
            data-testid="import-translate"
            disabled={busy || (!uploaded && !text.trim())}
            onClick={() => void translate()}
          >
            {t('import.translate')}
          </button>
        </div>
        <ErrorNote error={error} />
        {result ? (
          <ImportOutput
            result={result}
            t={t}
            copied={copied}
            onCopy={() => void copy(result.yaml, setCopied)}
            onDownload={download}
          />
        ) : null}
      </div>
    </dialog>
  );
}

async function copy(text: string | null, setCopied: (v: boolean) => void) {
  if (!text) return;
  await navigator.clipboard.writeText(text);
  setCopied(true);
}

function ImportOutput({
  result,
  t,
  copied,
  onCopy,
  onDownload,
}: {
  result: ImportResult;
  t: TFunction;
  copied: boolean;
  onCopy: () => void;
  onDownload: () => void;
}) {
  const s = result.report.summary;
  return (
    <section className="import-result" data-testid="import-result">
      <p className="import-summary" data-testid="import-summary">
        {t('import.summary', { ...s })}
      </p>
      <p className="dialog-note">{t('import.notSaved')}</p>
      {result.yaml === null ? (
        <p className="empty">{t('import.noOutput')}</p>
      ) : (
        <>
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onCopy}>
              {copied ? t('import.copied') : t('import.copy')}
            </button>
            <button type="button" data-testid="import-download" onClick={onDownload}>
              {t('import.download')}
            </button>
          </div>
          <p className={result.lint.length === 0 ? 'ok' : 'muted'}>
            {result.lint.length === 0
              ? t('import.lintClean')
              : t('import.lintProblems', { count: result.lint.length })}
          </p>
          <pre className="import-yaml" data-testid="import-yaml">
            {result.yaml}
          </pre>
        </>
      )}
      <ImportReportTable report={result.report} t={t} />
    </section>
  );
}
