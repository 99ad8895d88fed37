/** Texts of the project caches setting, en + zh-CN. */
import { defineMessages } from '../../i18n/define-messages.js';

export const cacheMessages = defineMessages({
  en: {
    'settings.caches': 'Caches',
    'settings.cachesHint':
      "Job caches (cache: in .slipway.yml) agents uploaded to the server's cache store, so that another agent starts from them. Each agent also keeps its own copies (slipway cache ls on that machine). Limits: {max} per cache, {total} in all; unused for {days} days: removed.",
    'settings.noCaches': 'No caches in the server store yet: a successful run with cache: saves one.',
    'settings.cacheUsed': 'last used {time}',
    'settings.cacheWhere': 'server store',
    'settings.clearCache': 'Clear',
    'settings.clearAllCaches': 'Clear all caches',
  },
  'zh-CN': {
    'settings.caches': '缓存',
    'settings.cachesHint':
      '各执行器上传到服务器缓存存储的任务缓存（.slipway.yml 中的 cache:），供其他执行器直接使用。每个执行器也在本机保留自己的副本（在该机器上运行 slipway cache ls 查看）。限制：单个缓存 {max}，总计 {total}；{days} 天未使用即删除。',
    'settings.noCaches': '服务器存储中还没有缓存：带 cache: 的运行成功后会保存一份。',
    'settings.cacheUsed': '最近使用 {time}',
    'settings.cacheWhere': '服务器存储',
    'settings.clearCache': '清除',
    'settings.clearAllCaches': '清除全部缓存',
  },
});
