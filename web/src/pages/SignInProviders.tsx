import { useEffect, useState } from 'react';
import { apiFetch } from '../api/http.js';
import { useI18n } from '../app/i18n-context.js';
import { safeReturnPath } from '../app/visitor-reads.js';
import { registerMessages } from '../i18n/index.js';

registerMessages({
  en: {
    'signin.with': 'Sign in with {name}',
    'signin.or': 'or with a Slipway account',
    'signin.error.flow_expired': 'The sign-in took too long or was started elsewhere. Please try again.',
    'signin.error.provider_denied': 'The provider did not allow the sign-in.',
    'signin.error.account_disabled': 'This account is disabled; ask an admin.',
    'signin.error.provider_error': 'The provider’s answer could not be verified. Please try again.',
    'signin.error.provider_unavailable': 'The sign-in provider cannot be reached right now.',
    'signin.error.identity_taken': 'This provider account is already linked to another Slipway user.',
    'signin.error.no_account':
      'No Slipway user is linked to this account, and this provider does not create users.',
  },
  'zh-CN': {
    'signin.with': '使用 {name} 登录',
    'signin.or': '或使用 Slipway 账号',
    'signin.error.flow_expired': '登录耗时过长或在别处发起，请重试。',
    'signin.error.provider_denied': '身份提供方未允许此次登录。',
    'signin.error.account_disabled': '此账号已停用，请联系管理员。',
    'signin.error.provider_error': '无法验证身份提供方的应答，请重试。',
    'signin.error.provider_unavailable': '暂时无法连接身份提供方。',
    'signin.error.identity_taken': '该身份提供方账号已关联到另一个 Slipway 用户。',
    'signin.error.no_account': '没有关联此账号的 Slipway 用户，且该身份提供方不允许自动创建用户。',
  },
});

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
          {t(`signin.error.${error}`)}
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
