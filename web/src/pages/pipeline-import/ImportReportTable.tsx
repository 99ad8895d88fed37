import { useState } from 'react';
import type { ImportReport } from '../../../../src/import/report.js';
import { type TFunction, tCode } from '../../i18n/index.js';

/** The report: by default what needs the reader's attention (approximated, not translatable). */
export function ImportReportTable({ report, t }: { report: ImportReport; t: TFunction }) {
  const [all, setAll] = useState(false);
  const rows = report.entries.filter((e) => all || e.outcome !== 'translated');
  return (
    <div className="import-report">
      <label className="import-toggle">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />{' '}
        {t('import.showTranslated')}
      </label>
      <table data-testid="import-report">
        <thead>
          <tr>
            <th>{t('import.line')}</th>
            <th>{t('import.outcome')}</th>
            <th>{t('import.construct')}</th>
            <th>{t('import.how')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr
              key={`${e.file}:${e.line}:${e.construct}:${e.code}:${e.outcome}`}
              className={`outcome-${e.outcome}`}
              data-outcome={e.outcome}
            >
              <td>
                {e.file}:{e.line}
              </td>
              <td>{tCode(t, 'importOutcome', e.outcome, e.outcome)}</td>
              <td>
                <code>{e.construct}</code>
                {e.job ? <span className="muted"> ({e.job})</span> : null}
              </td>
              <td>{tCode(t, 'importReport', e.code, e.code, e.params)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
