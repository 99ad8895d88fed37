import { defineMessages } from '../../i18n/define-messages.js';

/** Column and list headings of the charts' data tables (read by screen readers). */
export const chartMessages = defineMessages({
  en: { 'chart.week': 'Week starting', 'chart.time': 'Time', 'chart.releases': 'Releases' },
  'zh-CN': { 'chart.week': '周起始', 'chart.time': '时间', 'chart.releases': '发布' },
});
