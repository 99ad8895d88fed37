/** Texts of single sign-on on the sign-in page (providers and their errors), en + zh-CN. */
import { defineMessages } from '../i18n/define-messages.js';

export const signinProviderMessages = defineMessages({
  en: {
    'signin.with': 'Sign in with {name}',
    'signin.or': 'or with a Slipway account',
    'signin.error.flow_expired': 'The sign-in took too long or was started elsewhere. Please try again.',
    'signin.error.provider_denied': 'The provider did not allow the sign-in.',
    'signin.error.account_disabled': 'This account is disabled; ask an admin.',
    'signin.error.provider_error': 'The provider’s answer could not be verified. Please try again.',
    'signin.error.provider_unavailable': 'The sign-in provider cannot be reached right now.',
    'signin.error.identity_taken': 'This provider account is already linked to another Slipway user.',
    'signin.error.other': 'The sign-in did not succeed ({code}). Please try again.',
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
    'signin.error.other': '登录未成功（{code}），请重试。',
    'signin.error.no_account': '没有关联此账号的 Slipway 用户，且该身份提供方不允许自动创建用户。',
  },
});
