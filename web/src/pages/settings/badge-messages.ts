/** Texts of the public status badge setting, en + zh-CN. */
import { defineMessages } from '../../i18n/define-messages.js';

export const badgeMessages = defineMessages({
  en: {
    'settings.publicBadge': 'Public status badge',
    'settings.publicBadgeHint':
      'Off: only signed-in users see the badge, anyone else gets "not found". On: anyone who knows the URL sees the status of the latest run (nothing else).',
    'settings.badgeMarkdown': 'Markdown for your README',
  },
  'zh-CN': {
    'settings.publicBadge': '公开状态徽章',
    'settings.publicBadgeHint':
      '关闭：只有已登录用户能看到徽章，其他人得到“未找到”。开启：任何知道地址的人都能看到最近一次运行的状态（仅此而已）。',
    'settings.badgeMarkdown': '用于 README 的 Markdown',
  },
});
