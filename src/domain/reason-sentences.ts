/**
 * The sentences for the server's failure and skip codes (reason-codes.ts), in English and
 * Simplified Chinese, following docs/glossary.zh-CN.md (任务 job, 执行 run, 执行器 agent, 镜像
 * image, 流水线 pipeline). Pure data, read by the web UI (web/src/pages/run/reason-messages.ts
 * makes its typed catalogue module from it) and by the server's notifications
 * (src/server/notify/reason-words.ts): one text per code for both, assembled by reason-text.ts.
 * English is `as const` so the web's `t` learns each key's placeholders from it.
 */
const EN = {
  'reason.failure.exit_code': 'The script exited with code {code}.',
  'reason.failure.timeout': 'Timed out after {duration} and was stopped.',
  'reason.failure.image_not_found': 'Image {image} was not found.',
  'reason.failure.agent_lost': 'The agent running it was lost (no contact within the lease time).',
  'reason.failure.backend_error': 'Could not be run (engine or server error): {detail}',
  'reason.failure.config_error': 'The pipeline file has errors: {detail}',
  // A run failed because of one of its jobs: "{why}" is the job's own reason, shortened.
  'reason.run.jobFailed': 'Job “{job}” failed: {why}',
  'reason.short.exit_code': 'exit code {code}',
  'reason.short.timeout': 'timed out after {duration}',
  'reason.short.image_not_found': 'image {image} not found',
  'reason.short.agent_lost': 'its agent was lost',
  'reason.short.backend_error': 'engine or server error',
  'reason.short.config_error': 'configuration error',
  'reason.skip.skip_ci': 'Skipped: the commit message asks to skip CI ([skip ci]).',
  'reason.skip.filtered': 'Not run for this event: its only/except rules do not match.',
  'reason.skip.not_selected': 'Not selected for this run.',
  'reason.skip.upstream_failed': 'Not run: “{job}” {state}.',
  'reason.skip.upstream_failed.agent_lost': 'Not run: the agent running this run was lost.',
  'reason.skip.upstream_failed.execution_ended': 'Not run: the execution ended before this job started.',
  'reason.skip.needs_not_run': 'Not run: it needs the manual job “{job}”, which did not run.',
  'reason.skip.run_canceled': 'Not run: the run was canceled.',
  'reason.skip.when_never': 'Not run: when: never.',
  'reason.skip.when_unmet': 'Not run: when: on_failure, and no earlier job failed.',
  'reason.skip.changes': 'Not run: no changed file matches changes: {globs} ({files}).',
  'reason.skip.changes.since':
    'Not run: no file changed since run #{baseRun} ({baseSha}) matches changes: {globs} ({files}).',
  'reason.skip.workflow': 'Not run: the pipeline’s workflow: does not apply to this event.',
  'reason.state.failed': 'failed',
  'reason.state.canceled': 'was canceled',
  'reason.state.skipped': 'was skipped',
  'reason.files.none': 'nothing changed',
  'reason.files.some': 'changed: {files}',
  'reason.files.more': 'changed: {files} and {more} more',
} as const;

type Key = keyof typeof EN;

/** Chinese, with exactly English's keys (a missing or extra key is a type error). */
const ZH: Readonly<Record<Key, string>> = {
  'reason.failure.exit_code': '脚本以退出码 {code} 结束。',
  'reason.failure.timeout': '运行超过 {duration}，已超时终止。',
  'reason.failure.image_not_found': '找不到镜像 {image}。',
  'reason.failure.agent_lost': '运行它的执行器失去联系（租约时间内没有响应）。',
  'reason.failure.backend_error': '无法运行（引擎或服务器错误）：{detail}',
  'reason.failure.config_error': '流水线文件有错误：{detail}',
  'reason.run.jobFailed': '任务“{job}”失败：{why}',
  'reason.short.exit_code': '退出码 {code}',
  'reason.short.timeout': '运行超过 {duration} 已超时',
  'reason.short.image_not_found': '找不到镜像 {image}',
  'reason.short.agent_lost': '执行器失去联系',
  'reason.short.backend_error': '引擎或服务器错误',
  'reason.short.config_error': '配置错误',
  'reason.skip.skip_ci': '已跳过：提交说明要求跳过 CI（[skip ci]）。',
  'reason.skip.filtered': '此事件不运行：only/except 规则不匹配。',
  'reason.skip.not_selected': '未被选入本次执行。',
  'reason.skip.upstream_failed': '未运行：“{job}”{state}。',
  'reason.skip.upstream_failed.agent_lost': '未运行：本次执行的执行器失去联系。',
  'reason.skip.upstream_failed.execution_ended': '未运行：执行在此任务开始前已结束。',
  'reason.skip.needs_not_run': '未运行：它依赖的手动任务“{job}”没有运行。',
  'reason.skip.run_canceled': '未运行：本次执行已取消。',
  'reason.skip.when_never': '未运行：when: never。',
  'reason.skip.when_unmet': '未运行：when: on_failure，且之前没有任务失败。',
  'reason.skip.changes': '未运行：没有变更的文件匹配 changes: {globs}（{files}）。',
  'reason.skip.changes.since':
    '未运行：自执行 #{baseRun}（{baseSha}）以来没有变更的文件匹配 changes: {globs}（{files}）。',
  'reason.skip.workflow': '未运行：流水线的 workflow: 不适用于此事件。',
  'reason.state.failed': '失败',
  'reason.state.canceled': '已取消',
  'reason.state.skipped': '被跳过',
  'reason.files.none': '没有文件变更',
  'reason.files.some': '变更：{files}',
  'reason.files.more': '变更：{files} 等，另有 {more} 个',
};

export const RUN_REASON_SENTENCES = { en: EN, 'zh-CN': ZH } as const;

/**
 * Durations inside a reason ("timed out after 1 min 30 s"). The web UI has the same three texts
 * in its base catalogue (web/src/i18n/en.ts, zh-CN.ts: `time.*`), which the notifications do not
 * load; test/notify/reason-words.test.ts holds the two copies equal.
 */
export const DURATION_SENTENCES = {
  en: { 'time.s': '{s} s', 'time.ms': '{m} min {s} s', 'time.hm': '{h} h {m} min' },
  'zh-CN': { 'time.s': '{s} 秒', 'time.ms': '{m} 分钟 {s} 秒', 'time.hm': '{h} 小时 {m} 分钟' },
} as const;
