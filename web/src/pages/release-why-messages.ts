/**
 * Why a release failed or was rolled back, for every code of RELEASE_REASONS the deploy targets
 * and the agent send (src/domain/reason-codes.ts), en + zh-CN. A code whose parameters may carry
 * the engine's own words has a `.detail` form used when `detail` is there.
 */
import { defineMessages } from '../i18n/define-messages.js';

export const releaseWhyMessages = defineMessages({
  en: {
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
    'release.runTitle': 'Release #{number} of {app} to {env}',
  },
  'zh-CN': {
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
    'release.why.swarm_worker':
      '执行器的 Docker 引擎是 Swarm 工作节点而不是管理节点；执行器必须连接管理节点。',
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
    'release.runTitle': '{app} 发布 #{number} 到 {env}',
  },
});
