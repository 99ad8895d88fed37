import { IMPORT_REPORT_MESSAGES, OUTCOME_WORDS } from '../../../../src/import/report-messages.js';
import { defineCodeMessages, defineMessages } from '../../i18n/define-messages.js';

/**
 * Words of the "Import from …" dialog, plus the report's sentences (shared with the CLI from
 * src/import/report-messages.ts) under `importReport.<code>` and the outcomes under
 * `importOutcome.<outcome>`. Those two are keyed by the report's codes (data), so they are code
 * tables read through `tCode`, not typed keys.
 */
export const importReportCodes = defineCodeMessages('importReport', IMPORT_REPORT_MESSAGES);
export const importOutcomeCodes = defineCodeMessages('importOutcome', OUTCOME_WORDS);

export const importMessages = defineMessages({
  en: {
    'import.open': 'Import from GitLab CI / Woodpecker / DaoCloud…',
    'import.title': 'Import a pipeline from another CI',
    'import.format': 'Format',
    'import.auto': 'Detect from the file name',
    'import.fileName': 'File name',
    'import.paste': 'Paste the file here',
    'import.upload': 'Or choose files (several for .woodpecker/ or include: local)',
    'import.files': '{count} file(s): {names}',
    'import.translate': 'Translate',
    'import.close': 'Close',
    'import.copy': 'Copy',
    'import.copied': 'Copied',
    'import.download': 'Download .slipway.yml',
    'import.notSaved':
      'Nothing is saved: review the file, then commit it to your repository as .slipway.yml (on Gitee, GitHub or any Git host Slipway watches).',
    'import.summary':
      '{constructs} constructs: {translated} translated, {approximated} approximated, {untranslatable} not translatable ({carried}% carried over)',
    'import.lintClean': 'slipway lint: no problems',
    'import.lintProblems': 'slipway lint: {count} problem(s) — some keys may need a newer Slipway',
    'import.noOutput': 'Nothing of this file can run in Slipway; the report says why.',
    'import.line': 'Line',
    'import.outcome': 'Result',
    'import.construct': 'Construct',
    'import.how': 'How / why',
    'import.showTranslated': 'Show translated constructs too',
  },
  'zh-CN': {
    'import.open': '从 GitLab CI / Woodpecker / DaoCloud 导入…',
    'import.title': '从其他 CI 导入流水线',
    'import.format': '格式',
    'import.auto': '根据文件名识别',
    'import.fileName': '文件名',
    'import.paste': '在此粘贴文件内容',
    'import.upload': '或选择文件（.woodpecker/ 或 include: local 可选多个）',
    'import.files': '{count} 个文件：{names}',
    'import.translate': '转换',
    'import.close': '关闭',
    'import.copy': '复制',
    'import.copied': '已复制',
    'import.download': '下载 .slipway.yml',
    'import.notSaved':
      '不会保存任何内容：请检查文件，然后以 .slipway.yml 提交到你的仓库（Gitee、GitHub 或 Slipway 监听的任何 Git 托管）。',
    'import.summary':
      '共 {constructs} 项：已转换 {translated}，近似转换 {approximated}，无法转换 {untranslatable}（保留 {carried}%）',
    'import.lintClean': 'slipway lint：没有问题',
    'import.lintProblems': 'slipway lint：{count} 个问题 —— 部分键可能需要更新版本的 Slipway',
    'import.noOutput': '该文件没有可在 Slipway 运行的内容；原因见报告。',
    'import.line': '行',
    'import.outcome': '结果',
    'import.construct': '配置项',
    'import.how': '方式 / 原因',
    'import.showTranslated': '同时显示已转换的配置项',
  },
});
