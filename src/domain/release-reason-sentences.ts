/**
 * The sentences for why a release ended as it did (RELEASE_REASONS in reason-codes.ts), in
 * English and Simplified Chinese. Pure data shared by the web UI (its release-reason-messages.ts
 * and release-why-messages.ts catalogue modules) and the server's notifications
 * (src/server/notify/reason-words.ts); reason-text.ts fills them from a release's parameters.
 * `release.reason.*`: canary verdicts and a deploy job that ended without deploying;
 * `release.check.*`: which canary check failed; `release.why.*`: the deploy targets' and the
 * agent's codes, with a `.detail` form used when the engine's own words came along.
 */
const REASON_EN = {
  'release.reason.canary_failed':
    'Canary failed at {step} % ({check}): errors {canaryErrorRate} vs {stableErrorRate} on stable, p95 {canaryP95} vs {stableP95} — all traffic went back to the stable version.',
  'release.reason.canary_not_enough_requests':
    'Canary at {step} % got only {canaryRequests} request(s) to judge (min_requests {needed}); not promoted.',
  'release.reason.canary_needs_swarm_proxy':
    'A canary on Docker Swarm needs the proxy publish mode (SLIPWAY_SWARM_PUBLISH=proxy): the routing mesh of ingress publishing cannot be given a share. Nothing was changed.',
  'release.check.error_rate_limit': 'error rate above max_error_rate',
  'release.check.p95_limit': 'p95 above max_p95_ms',
  'release.check.worse_than_stable': 'significantly worse than the stable version',
  'release.reason.job_failed': 'The deploy job failed: {why}',
} as const;

const REASON_ZH: Readonly<Record<keyof typeof REASON_EN, string>> = {
  'release.reason.canary_failed':
    '金丝雀在 {step}% 时未通过（{check}）：错误率 {canaryErrorRate}，稳定版本为 {stableErrorRate}；p95 {canaryP95}，稳定版本为 {stableP95}。全部流量已切回稳定版本。',
  'release.reason.canary_not_enough_requests':
    '金丝雀在 {step}% 时只收到 {canaryRequests} 个请求可供判断（min_requests 为 {needed}），未继续推进。',
  'release.reason.canary_needs_swarm_proxy':
    'Docker Swarm 上的金丝雀发布需要 proxy 发布模式（SLIPWAY_SWARM_PUBLISH=proxy）：ingress 发布的路由网格无法按比例分配流量。未做任何更改。',
  'release.check.error_rate_limit': '错误率超过 max_error_rate',
  'release.check.p95_limit': 'p95 超过 max_p95_ms',
  'release.check.worse_than_stable': '明显差于稳定版本',
  'release.reason.job_failed': '部署任务失败：{why}',
};

export const RELEASE_REASON_SENTENCES = { en: REASON_EN, 'zh-CN': REASON_ZH } as const;

const WHY_EN = {
  'release.why.container_exited': 'Container {container} exited with code {exitCode}.',
  'release.why.container_exited.detail': 'Container {container} exited with code {exitCode}: {detail}',
  'release.why.container_restarting': 'Container {container} keeps restarting (last exit code {exitCode}).',
  'release.why.container_unhealthy':
    'Container {container} is unhealthy after {failures} failed health checks.',
  'release.why.container_unhealthy.detail':
    'Container {container} is unhealthy after {failures} failed health checks; last output: {detail}',
  'release.why.container_vanished': 'Container {container} disappeared while starting: {detail}',
  'release.why.not_healthy_in_time': 'Container {container} did not become healthy within {seconds} s.',
  'release.why.not_healthy_in_time.detail':
    'Container {container} did not become healthy within {seconds} s; last health check output: {detail}',
  'release.why.image_pull_failed': 'Image {image} is not on the engine and could not be pulled: {detail}',
  'release.why.image_pull_timeout':
    'Image {image} is not on the engine and its pull did not finish within {seconds} s.',
  'release.why.image_inspect_failed': 'The engine could not inspect image {image}: {detail}',
  'release.why.port_in_use': 'Host port {port} is already in use by another process.',
  'release.why.port_unavailable': 'Cannot listen on host port {port}: {detail}',
  'release.why.engine_error': '{engine} answered with an error: {detail}',
  'release.why.deploy_step_failed': 'A deploy step failed: {detail}',
  'release.why.nothing_deployed': 'Nothing is deployed in this environment.',
  'release.why.swarm_inactive':
    "Docker Swarm is not active on the agent's engine (state: {state}); run `docker swarm init` there or use the docker target.",
  'release.why.swarm_worker':
    "The agent's Docker engine is a Swarm worker, not a manager; the agent must talk to a manager node.",
  'release.why.swarm_rolled_back': 'Swarm rolled the update of {service} back.',
  'release.why.swarm_rolled_back.detail': 'Swarm rolled the update of {service} back: {detail}',
  'release.why.swarm_update_paused': 'The update of {service} stopped ({state}).',
  'release.why.swarm_update_paused.detail': 'The update of {service} stopped ({state}): {detail}',
  'release.why.swarm_update_timeout':
    'The update of {service} did not finish within {seconds} s (last state: {state}).',
  'release.why.swarm_tasks_not_running':
    '{replicas} task(s) of {service} were not running within {seconds} s.',
  'release.why.swarm_tasks_not_running.detail':
    '{replicas} task(s) of {service} were not running within {seconds} s: {detail}',
  'release.why.no_deploy_target':
    'The agent has no {target} deploy target (is its Docker engine reachable?).',
  'release.why.ambiguous_image': 'The run built {count} images; say which one to deploy with deploy.from.',
  'release.why.no_built_image': 'No image to deploy: build job "{from}" produced none.',
  'release.why.no_build_job': 'No image to deploy: the run has no successful build job.',
  'release.why.target_error': 'The deploy target failed: {detail}',
} as const;

const WHY_ZH: Readonly<Record<keyof typeof WHY_EN, string>> = {
  'release.why.container_exited': '容器 {container} 已退出，退出码 {exitCode}。',
  'release.why.container_exited.detail': '容器 {container} 已退出，退出码 {exitCode}：{detail}',
  'release.why.container_restarting': '容器 {container} 不断重启（最近一次退出码 {exitCode}）。',
  'release.why.container_unhealthy': '容器 {container} 连续 {failures} 次健康检查失败，状态为不健康。',
  'release.why.container_unhealthy.detail':
    '容器 {container} 连续 {failures} 次健康检查失败，状态为不健康；最后输出：{detail}',
  'release.why.container_vanished': '容器 {container} 在启动过程中消失：{detail}',
  'release.why.not_healthy_in_time': '容器 {container} 在 {seconds} 秒内未变为健康。',
  'release.why.not_healthy_in_time.detail':
    '容器 {container} 在 {seconds} 秒内未变为健康；最后一次健康检查输出：{detail}',
  'release.why.image_pull_failed': '镜像 {image} 不在引擎上，且无法拉取：{detail}',
  'release.why.image_pull_timeout': '镜像 {image} 不在引擎上，且拉取未在 {seconds} 秒内完成。',
  'release.why.image_inspect_failed': '引擎无法检查镜像 {image}：{detail}',
  'release.why.port_in_use': '主机端口 {port} 已被其他进程占用。',
  'release.why.port_unavailable': '无法监听主机端口 {port}：{detail}',
  'release.why.engine_error': '{engine} 返回错误：{detail}',
  'release.why.deploy_step_failed': '部署步骤失败：{detail}',
  'release.why.nothing_deployed': '此环境中尚未部署任何内容。',
  'release.why.swarm_inactive':
    '执行器的引擎上未启用 Docker Swarm（状态：{state}）；请在该引擎上运行 `docker swarm init`，或改用 docker 部署目标。',
  'release.why.swarm_worker': '执行器的 Docker 引擎是 Swarm 工作节点而不是管理节点；执行器必须连接管理节点。',
  'release.why.swarm_rolled_back': 'Swarm 已回滚 {service} 的更新。',
  'release.why.swarm_rolled_back.detail': 'Swarm 已回滚 {service} 的更新：{detail}',
  'release.why.swarm_update_paused': '{service} 的更新已停止（{state}）。',
  'release.why.swarm_update_paused.detail': '{service} 的更新已停止（{state}）：{detail}',
  'release.why.swarm_update_timeout': '{service} 的更新未在 {seconds} 秒内完成（最后状态：{state}）。',
  'release.why.swarm_tasks_not_running': '{service} 的 {replicas} 个 Swarm 任务未在 {seconds} 秒内运行。',
  'release.why.swarm_tasks_not_running.detail':
    '{service} 的 {replicas} 个 Swarm 任务未在 {seconds} 秒内运行：{detail}',
  'release.why.no_deploy_target': '此执行器没有 {target} 部署目标（它的 Docker 引擎可以连接吗？）。',
  'release.why.ambiguous_image': '本次执行构建了 {count} 个镜像；请用 deploy.from 指定要部署哪一个。',
  'release.why.no_built_image': '没有可部署的镜像：构建任务“{from}”没有产出镜像。',
  'release.why.no_build_job': '没有可部署的镜像：本次执行没有成功的构建任务。',
  'release.why.target_error': '部署目标出错：{detail}',
};

export const RELEASE_WHY_SENTENCES = { en: WHY_EN, 'zh-CN': WHY_ZH } as const;
