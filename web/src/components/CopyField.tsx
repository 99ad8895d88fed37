import { useState } from 'react';
import { useI18n } from '../app/i18n-context.js';

/** A read-only value with a copy button (webhook URLs, secrets and tokens shown once). */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <label className="copy-field">
      <span>{label}</span>
      <span className="copy-row">
        <input readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </span>
    </label>
  );
}
