import { useEffect, useState } from 'react';
import { apiFetch } from '../api/http.js';
import { useI18n } from '../app/i18n-context.js';
import { safeReturnPath } from '../app/visitor-reads.js';
import { tCode } from '../i18n/index.js';

interface Provider {
  id: string;
  name: string;
  kind: string;
}

/**
 * One button per configured sign-in provider (OIDC or forge), and the reason a provider sign-in
 * came back refused (`/?signin_error=<code>`). Nothing is shown when no provider is configured.
 */
export function SignInProviders() {
  const { t } = useI18n();
  const [providers, setProviders] = useState<Provider[]>([]);
  const error = new URLSearchParams(window.location.search).get('signin_error');
  useEffect(() => {
    apiFetch<Provider[]>('/api/auth/providers')
      .then(setProviders)
      .catch(() => setProviders([]));
  }, []);
  if (providers.length === 0 && !error) return null;
  // Back to the page asked for: this one, or the `next` of /sign-in (the header's Sign in).
  // A refused attempt's `signin_error` is not carried along.
  const { pathname, search } = window.location;
  const query = new URLSearchParams(search);
  query.delete('signin_error');
  const rest = query.toString();
  const returnTo =
    pathname === '/sign-in' ? safeReturnPath(query.get('next')) : rest ? `${pathname}?${rest}` : pathname;
  return (
    <div className="signin-providers">
      {error ? (
        <p className="error" role="alert">
          {tCode(t, 'signin.error', error, t('signin.error.other', { code: error }))}
        </p>
      ) : null}
      {providers.map((p) => (
        <a
          key={p.id}
          className="button"
          data-provider={p.id}
          href={`/api/auth/oidc/${encodeURIComponent(p.id)}/start?returnTo=${encodeURIComponent(returnTo)}`}
        >
          {t('signin.with', { name: p.name })}
        </a>
      ))}
      {providers.length > 0 ? <p className="hint">{t('signin.or')}</p> : null}
    </div>
  );
}
