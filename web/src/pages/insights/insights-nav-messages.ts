import { defineMessages } from '../../i18n/define-messages.js';

/** The two labels that lead to the insights (top bar, project tab), loaded with the layout. */
export const insightsNavMessages = defineMessages({
  en: { 'nav.insights': 'Insights', 'tab.insights': 'Insights' },
  'zh-CN': { 'nav.insights': '洞察', 'tab.insights': '洞察' },
});
