import { defineMessages } from '../i18n/define-messages.js';

/** What a page says when it could not be drawn (PageErrorBoundary), en + zh-CN. */
export const pageErrorMessages = defineMessages({
  en: {
    'pageError.title': 'This page could not be shown.',
    'pageError.detail': 'What went wrong: {message}',
    'pageError.updated':
      'Slipway was updated since this tab was opened, and a part of the page is no longer there. Reload to get the new version.',
    'pageError.reload': 'Reload the page',
    'pageError.home': 'Back to the projects',
  },
  'zh-CN': {
    'pageError.title': '此页面无法显示。',
    'pageError.detail': '出错原因：{message}',
    'pageError.updated': '打开此标签页之后 Slipway 已更新，页面的部分内容已不存在。请刷新以加载新版本。',
    'pageError.reload': '刷新页面',
    'pageError.home': '返回项目列表',
  },
});
