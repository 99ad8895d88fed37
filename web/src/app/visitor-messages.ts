import { defineMessages } from '../i18n/define-messages.js';

/** Texts for visitors who are not signed in (public projects, issue #14), en + zh-CN. */
export const visitorMessages = defineMessages({
  en: {
    'visitor.signIn': 'Sign in',
    'visitor.signInToSee': 'Sign in to see this page.',
    'visitor.readOnly': 'You are browsing as a visitor: public projects only, read-only.',
  },
  'zh-CN': {
    'visitor.signIn': '登录',
    'visitor.signInToSee': '登录后即可查看此页面。',
    'visitor.readOnly': '你正以访客身份浏览：仅公开项目，只读。',
  },
});
