/**
 * The words for Slipway's coded system log lines (src/domain/system-line-codes.ts), in both
 * languages, following docs/glossary.zh-CN.md (缓存 cache, 制品 artifact, 镜像 image, 任务 job).
 * Sizes and durations arrive as numbers and are formatted by system-line-text.ts. Every code in
 * SYSTEM_LINE_CODES has a text here (test/web/system-line-messages.test.ts).
 */
import { defineMessages } from '../i18n/define-messages.js';

export const systemLineMessages = defineMessages({
  en: {
    'syslog.retry.exit_code':
      '[slipway] attempt {attempt} of {max} failed (exit code {code}); retrying: attempt {next}',
    'syslog.retry.failure': '[slipway] attempt {attempt} of {max} failed ({why}); retrying: attempt {next}',
    'syslog.why.exit_code': 'exit code',
    'syslog.why.timeout': 'timeout',
    'syslog.why.image_not_found': 'image not found',
    'syslog.why.agent_lost': 'agent lost',
    'syslog.why.backend_error': 'engine or server error',
    'syslog.why.config_error': 'configuration error',
    'syslog.after_script.start': '[slipway] running after_script',
    'syslog.after_script.exit':
      "[slipway] after_script exited with code {code} (after_script does not change the job's result)",
    'syslog.after_script.timeout':
      "[slipway] after_script timed out after {duration} (after_script does not change the job's result)",
    'syslog.after_script.error': '[slipway] after_script could not run: {detail}',
    'syslog.tests.summary': '[slipway] tests: {passed} passed, {failed} failed, {skipped} skipped',
    'syslog.tests.summary_coverage':
      '[slipway] tests: {passed} passed, {failed} failed, {skipped} skipped; coverage {coverage}%',
    'syslog.tests.not_supported': '[slipway] test reports were not sent: this server does not take them',
    'syslog.artifacts.uploaded':
      '[slipway] artifacts: uploaded {files} files ({size}, {compressed} compressed)',
    'syslog.artifacts.uploaded.one': '[slipway] artifacts: uploaded 1 file ({size}, {compressed} compressed)',
    'syslog.artifacts.none_matched': '[slipway] artifacts: no files matched {paths}',
    'syslog.artifacts.failed': '[slipway] artifacts were not uploaded: {detail}',
    'syslog.cache.restored.mounted': 'cache: restored key {key} ({size}, {ms} ms, mounted copy-on-write)',
    'syslog.cache.restored.copied': 'cache: restored key {key} ({size}, {ms} ms, copied)',
    'syslog.cache.restored_fallback': 'cache: restored fallback key {fallback} for {key} ({size}, {ms} ms)',
    'syslog.cache.missed': 'cache: no cache for key {key}; it is saved after the job',
    'syslog.cache.missed_no_save': 'cache: no cache for key {key}; nothing is saved ({reason})',
    'syslog.cache.push_only': 'cache: key {key} is saved after the job (policy: push)',
    'syslog.cache.already_saved': 'cache: key {key} already saved; not saved again',
    'syslog.cache.saved': 'cache: saved key {key} ({size}, {ms} ms)',
    'syslog.cache.not_saved.stopped': 'cache: key {key} not saved (the job was stopped)',
    'syslog.cache.not_saved.failed': 'cache: key {key} not saved (the job failed)',
    'syslog.cache.remote_restored':
      "cache: key {key} restored from the server's cache store ({size}, {ms} ms)",
    'syslog.cache.remote_uploaded': "cache: key {key} uploaded to the server's cache store ({size}, {ms} ms)",
    'syslog.cache.restored_fallback_no_save':
      'cache: restored fallback key {fallback} for {key} ({size}, {ms} ms); nothing is saved ({reason})',
    'syslog.cache.restore_failed': 'cache: could not be restored, the job runs without it: {detail}',
    'syslog.cache.save_failed': 'cache: could not be saved: {detail}',
    'syslog.cache.overlays_copied': 'cache: this engine cannot mount overlays, the cache is copied: {detail}',
    'syslog.cache.key_files_missing': 'cache: key files not in the workspace: {files}',
    'syslog.cache.remote_ask_failed':
      "cache: the server's cache store could not be asked for key {key}: {detail}",
    'syslog.cache.remote_restore_failed':
      "cache: key {key} from the server's cache store was not restored: {detail}",
    'syslog.cache.remote_upload_failed':
      "cache: key {key} was not uploaded to the server's cache store: {detail}",
    'syslog.secrets.missing.one': '[slipway] secret {names} not set (job "{job}" names it in secrets:)',
    'syslog.secrets.missing': '[slipway] secrets {names} not set (job "{job}" names them in secrets:)',
    'syslog.secrets.refused': '[slipway] secret {name} {detail} (job "{job}" names it)',
    'syslog.resources.limited.memory':
      '[slipway] resources: memory {asked} asked, limited to the maximum allowed here, {max}',
    'syslog.resources.limited.pids':
      '[slipway] resources: pids {asked} asked, limited to the maximum allowed here, {max}',
    'syslog.resources.limited.cpus':
      '[slipway] resources: cpus {asked} asked, limited to the maximum allowed here, {max}',
    'syslog.job.failed': '[slipway] Job failed: {why}',
    'syslog.reports.problem': '[slipway] reports: {detail}',
    'syslog.tests.not_sent': '[slipway] test reports were not sent: {detail}',
    'syslog.artifacts.skipped': '[slipway] artifacts: skipped: {detail}',
    'syslog.image.reusing_layers': 'reusing layers of {images}',
    'syslog.local.image_ignored': '[slipway] local backend: running on the host, image "{image}" is ignored',
    'syslog.local.no_caches': 'cache: the local backend keeps no caches; the job runs without them',
    'syslog.job.output_truncated': "the job's output ended in the middle of a frame",
    'syslog.job.output_failed': "reading the job's output failed: {detail}",
    'syslog.job.output_lost': "the job's output did not end within {seconds} s of its exit; the rest is lost",
    'syslog.job.stop_failed': 'stopping the job container: {detail}',
    'syslog.service.remove_failed': 'removing a service container: {detail}',
    'syslog.network.remove_failed': 'removing network {network}: {detail}',
    'syslog.image.not_pushed_untrusted':
      'not pushing {repository}: this run comes from an untrusted event (a fork pull request), so its image stays on the build engine',
    'syslog.image.pulling': 'pulling image {image}',
    'syslog.image.pulled': 'pulled image {image} in {duration}',
    'syslog.log.truncated':
      '[slipway] log truncated: this job printed more than {size}; the rest is dropped (the job keeps running)',
    'syslog.image.built': 'built {repository} ({id}) tagged {tags}',
    'syslog.image.pushing': 'pushing {image}',
    'syslog.image.pushed': 'pushed {image} ({digest})',
    'syslog.service.started': 'service {name}: started ({image})',
    'syslog.changes.matched':
      '[slipway] changes: {globs} matched {files} (changed since run #{baseRun}, {baseSha})',
    'syslog.changes.matched.more':
      '[slipway] changes: {globs} matched {files} and {more} more (changed since run #{baseRun}, {baseSha})',
    'syslog.changes.no_base.branch':
      '[slipway] changes: {globs} not applied: branch {branch} has no successful run to compare with, so the job runs',
    'syslog.changes.no_base.ref':
      '[slipway] changes: {globs} not applied: this ref has no successful run to compare with, so the job runs',
  },
  'zh-CN': {
    'syslog.retry.exit_code':
      '[slipway] 第 {attempt} 次尝试（共 {max} 次）失败（退出码 {code}），重试：第 {next} 次尝试',
    'syslog.retry.failure':
      '[slipway] 第 {attempt} 次尝试（共 {max} 次）失败（{why}），重试：第 {next} 次尝试',
    'syslog.why.exit_code': '退出码',
    'syslog.why.timeout': '超时',
    'syslog.why.image_not_found': '找不到镜像',
    'syslog.why.agent_lost': '执行器失去联系',
    'syslog.why.backend_error': '引擎或服务器错误',
    'syslog.why.config_error': '配置错误',
    'syslog.after_script.start': '[slipway] 正在运行 after_script',
    'syslog.after_script.exit': '[slipway] after_script 以退出码 {code} 结束（after_script 不影响任务结果）',
    'syslog.after_script.timeout':
      '[slipway] after_script 运行超过 {duration}，已超时（after_script 不影响任务结果）',
    'syslog.after_script.error': '[slipway] after_script 无法运行：{detail}',
    'syslog.tests.summary': '[slipway] 测试：{passed} 个通过，{failed} 个失败，{skipped} 个跳过',
    'syslog.tests.summary_coverage':
      '[slipway] 测试：{passed} 个通过，{failed} 个失败，{skipped} 个跳过；覆盖率 {coverage}%',
    'syslog.tests.not_supported': '[slipway] 测试报告未发送：此服务器不接收测试报告',
    'syslog.artifacts.uploaded': '[slipway] 制品：已上传 {files} 个文件（{size}，压缩后 {compressed}）',
    'syslog.artifacts.uploaded.one': '[slipway] 制品：已上传 1 个文件（{size}，压缩后 {compressed}）',
    'syslog.artifacts.none_matched': '[slipway] 制品：没有文件匹配 {paths}',
    'syslog.artifacts.failed': '[slipway] 制品未上传：{detail}',
    'syslog.cache.restored.mounted': '缓存：已恢复键 {key}（{size}，{ms} 毫秒，写时复制挂载）',
    'syslog.cache.restored.copied': '缓存：已恢复键 {key}（{size}，{ms} 毫秒，已复制）',
    'syslog.cache.restored_fallback': '缓存：已为 {key} 恢复备用键 {fallback}（{size}，{ms} 毫秒）',
    'syslog.cache.missed': '缓存：键 {key} 没有缓存；任务结束后保存',
    'syslog.cache.missed_no_save': '缓存：键 {key} 没有缓存；不保存（{reason}）',
    'syslog.cache.push_only': '缓存：键 {key} 在任务结束后保存（policy: push）',
    'syslog.cache.already_saved': '缓存：键 {key} 已保存过，不再重复保存',
    'syslog.cache.saved': '缓存：已保存键 {key}（{size}，{ms} 毫秒）',
    'syslog.cache.not_saved.stopped': '缓存：键 {key} 未保存（任务被停止）',
    'syslog.cache.not_saved.failed': '缓存：键 {key} 未保存（任务失败）',
    'syslog.cache.remote_restored': '缓存：键 {key} 已从服务器缓存存储恢复（{size}，{ms} 毫秒）',
    'syslog.cache.remote_uploaded': '缓存：键 {key} 已上传到服务器缓存存储（{size}，{ms} 毫秒）',
    'syslog.cache.restored_fallback_no_save':
      '缓存：已为 {key} 恢复备用键 {fallback}（{size}，{ms} 毫秒）；不保存（{reason}）',
    'syslog.cache.restore_failed': '缓存：无法恢复，任务在没有缓存的情况下运行：{detail}',
    'syslog.cache.save_failed': '缓存：无法保存：{detail}',
    'syslog.cache.overlays_copied': '缓存：此引擎无法挂载 overlay，改为复制缓存：{detail}',
    'syslog.cache.key_files_missing': '缓存：工作区中没有这些键文件：{files}',
    'syslog.cache.remote_ask_failed': '缓存：无法向服务器缓存存储查询键 {key}：{detail}',
    'syslog.cache.remote_restore_failed': '缓存：未能从服务器缓存存储恢复键 {key}：{detail}',
    'syslog.cache.remote_upload_failed': '缓存：键 {key} 未能上传到服务器缓存存储：{detail}',
    'syslog.secrets.missing.one': '[slipway] 密钥 {names} 未设置（任务“{job}”在 secrets: 中引用了它）',
    'syslog.secrets.missing': '[slipway] 密钥 {names} 未设置（任务“{job}”在 secrets: 中引用了它们）',
    'syslog.secrets.refused': '[slipway] 密钥 {name} 被拒绝：{detail}（任务“{job}”引用了它）',
    'syslog.resources.limited.memory':
      '[slipway] 资源：请求的内存 {asked} 超过此处允许的最大值，已限制为 {max}',
    'syslog.resources.limited.pids':
      '[slipway] 资源：请求的进程数 {asked} 超过此处允许的最大值，已限制为 {max}',
    'syslog.resources.limited.cpus':
      '[slipway] 资源：请求的 CPU {asked} 超过此处允许的最大值，已限制为 {max}',
    'syslog.job.failed': '[slipway] 任务失败：{why}',
    'syslog.reports.problem': '[slipway] 测试报告：{detail}',
    'syslog.tests.not_sent': '[slipway] 测试报告未发送：{detail}',
    'syslog.artifacts.skipped': '[slipway] 制品：已跳过：{detail}',
    'syslog.image.reusing_layers': '复用 {images} 的镜像层',
    'syslog.local.image_ignored': '[slipway] 本地后端：在主机上运行，忽略镜像“{image}”',
    'syslog.local.no_caches': '缓存：本地后端不保存缓存；任务在没有缓存的情况下运行',
    'syslog.job.output_truncated': '任务输出在一个数据帧的中途结束',
    'syslog.job.output_failed': '读取任务输出失败：{detail}',
    'syslog.job.output_lost': '任务退出后 {seconds} 秒内输出仍未结束；其余输出已丢失',
    'syslog.job.stop_failed': '停止任务容器失败：{detail}',
    'syslog.service.remove_failed': '删除服务容器失败：{detail}',
    'syslog.network.remove_failed': '删除网络 {network} 失败：{detail}',
    'syslog.image.not_pushed_untrusted':
      '不推送 {repository}：此执行来自不受信任的事件（来自派生仓库的合并请求），镜像保留在构建引擎上',
    'syslog.image.pulling': '正在拉取镜像 {image}',
    'syslog.image.pulled': '已拉取镜像 {image}，用时 {duration}',
    'syslog.log.truncated': '[slipway] 日志已截断：此任务输出超过 {size}；其余输出被丢弃（任务继续运行）',
    'syslog.image.built': '已构建 {repository}（{id}），标签 {tags}',
    'syslog.image.pushing': '正在推送 {image}',
    'syslog.image.pushed': '已推送 {image}（{digest}）',
    'syslog.service.started': '服务 {name}：已启动（{image}）',
    'syslog.changes.matched':
      '[slipway] changes: {globs} 匹配了 {files}（自执行 #{baseRun}（{baseSha}）以来的变更）',
    'syslog.changes.matched.more':
      '[slipway] changes: {globs} 匹配了 {files} 等，另有 {more} 个（自执行 #{baseRun}（{baseSha}）以来的变更）',
    'syslog.changes.no_base.branch':
      '[slipway] changes: {globs} 未生效：分支 {branch} 还没有成功的执行可供比较，因此运行此任务',
    'syslog.changes.no_base.ref':
      '[slipway] changes: {globs} 未生效：此引用还没有成功的执行可供比较，因此运行此任务',
  },
});
