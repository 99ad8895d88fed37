/**
 * The words for the `error.reason` codes of the server's 4xx answers (ERROR_REASONS in
 * src/domain/reason-codes.ts), filled with `error.params`. ErrorNote shows them; a reason
 * missing here shows the server's English message instead (test/web/reason-messages.test.ts
 * makes sure none is missing). Terms follow docs/glossary.zh-CN.md.
 */
import { defineMessages } from '../i18n/define-messages.js';

export const errorMessages = defineMessages({
  en: {
    'error.canary_needs_swarm_proxy':
      'A canary rollout on the swarm target needs the proxy publish mode (SLIPWAY_SWARM_PUBLISH=proxy): ingress publishing balances connections over all tasks and cannot be given a share.',
    'error.four_eyes':
      '{target} needs another person’s approval: {actor} asked for this deployment and may not approve it too (four-eyes rule).',
    'error.workflow': 'No run was made: the pipeline’s workflow: does not apply to this event.',
    'error.upstream_failed': 'Job “{job}” cannot run: “{upstream}” {state} earlier in run #{run}.',
    'error.run_canceled': 'Run #{run} was canceled.',
    'error.run_not_finished': 'Run #{run} is {status}; resume it once it has finished.',
    'error.nothing_to_resume': 'Run #{run} has no failed, canceled or skipped job to resume.',
    'error.job_not_manual': 'Job “{job}” is {status}; only a job waiting for a manual start can be run.',
    'error.not_awaiting_approval':
      'Release #{release} is {status}; only a release awaiting approval can be approved.',
    'error.no_release_to_promote': 'Environment “{env}” has no successful release to promote.',
    'error.not_digest_pinned':
      'Release #{release} in “{env}” runs {image}, not an image pinned by digest; only a pushed image (repo@sha256:…) can be promoted into “{target}”, which requires approval.',
    'error.not_rollback_target':
      'Release #{release} is {status}; only a successful release can be rolled back to.',
    'error.no_release_to_scale': '{target} has no successful release to scale.',
    'error.unknown_user': 'There is no user “{username}”.',
    'error.public_projects_disabled':
      'Public projects are turned off on this server (an admin sets SLIPWAY_ALLOW_PUBLIC_PROJECTS=true).',
    'error.feedback_rate': 'Too many feedback messages from you; try again in an hour.',
    'error.address_rate': 'Too many requests from this address; try again later.',
    'error.site_rate': 'This site sends too many requests; try again later.',
    'error.origin_not_declared': 'This page’s origin is not declared by any site.',
    'error.state.failed': 'failed',
    'error.state.canceled': 'was canceled',
    'error.state.skipped': 'was skipped',
    'error.releaseStatus.queued': 'queued',
    'error.releaseStatus.awaiting_approval': 'awaiting approval',
    'error.releaseStatus.running': 'running',
    'error.releaseStatus.succeeded': 'succeeded',
    'error.releaseStatus.failed': 'failed',
    'error.releaseStatus.rolled_back': 'rolled back',
    'error.releaseStatus.canceled': 'canceled',
  },
  'zh-CN': {
    'error.canary_needs_swarm_proxy':
      'swarm 目标上的金丝雀发布需要 proxy 发布模式（SLIPWAY_SWARM_PUBLISH=proxy）：ingress 发布在所有任务间均衡连接，无法按比例分配流量。',
    'error.four_eyes': '{target} 需要另一个人审批：{actor} 发起了这次发布，不能自己批准（四眼原则）。',
    'error.workflow': '未创建执行：流水线的 workflow: 不适用于此事件。',
    'error.upstream_failed': '任务“{job}”无法运行：执行 #{run} 中之前的“{upstream}”{state}。',
    'error.run_canceled': '执行 #{run} 已取消。',
    'error.run_not_finished': '执行 #{run} 当前为“{status}”；请在它结束后再恢复。',
    'error.nothing_to_resume': '执行 #{run} 没有失败、取消或跳过的任务可以恢复。',
    'error.job_not_manual': '任务“{job}”当前为“{status}”；只有等待手动启动的任务可以运行。',
    'error.not_awaiting_approval': '发布 #{release} 当前为“{status}”；只有等待审批的发布可以批准。',
    'error.no_release_to_promote': '环境“{env}”没有可推广的成功发布。',
    'error.not_digest_pinned':
      '“{env}”中的发布 #{release} 运行的是 {image}，不是按摘要固定的镜像；只有已推送的镜像（repo@sha256:…）才能推广到需要审批的“{target}”。',
    'error.not_rollback_target': '发布 #{release} 当前为“{status}”；只能回滚到成功的发布。',
    'error.no_release_to_scale': '{target} 没有可扩缩容的成功发布。',
    'error.unknown_user': '不存在用户“{username}”。',
    'error.public_projects_disabled':
      '此服务器已关闭公开项目（管理员可设置 SLIPWAY_ALLOW_PUBLIC_PROJECTS=true）。',
    'error.feedback_rate': '你的反馈过多，请一小时后再试。',
    'error.address_rate': '来自此地址的请求过多，请稍后再试。',
    'error.site_rate': '此站点的请求过多，请稍后再试。',
    'error.origin_not_declared': '没有任何站点声明此页面的来源。',
    'error.state.failed': '失败',
    'error.state.canceled': '已取消',
    'error.state.skipped': '被跳过',
    'error.releaseStatus.queued': '排队中',
    'error.releaseStatus.awaiting_approval': '等待审批',
    'error.releaseStatus.running': '发布中',
    'error.releaseStatus.succeeded': '成功',
    'error.releaseStatus.failed': '失败',
    'error.releaseStatus.rolled_back': '已回滚',
    'error.releaseStatus.canceled': '已取消',
  },
});
