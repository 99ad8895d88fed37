import { registerMessages } from '../../i18n/index.js';

/** The two labels that lead to the insights (top bar, project tab), loaded with the layout. */
registerMessages({
  en: { 'nav.insights': 'Insights', 'tab.insights': 'Insights' },
  'zh-CN': { 'nav.insights': '洞察', 'tab.insights': '洞察' },
});
