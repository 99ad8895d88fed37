import { defineMessages } from '../../i18n/define-messages.js';

/** Texts of the registries section (global page and project settings), en + zh-CN. */
export const registryMessages = defineMessages({
  en: {
    'nav.registries': 'Registries',
    'registries.title': 'Registries',
    'registries.hintGlobal':
      'Credentials for container registries every project may push to and deploy from. A project’s own entry for the same host wins.',
    'registries.hintProject':
      'Credentials this project’s builds and deploys use. Global registries (set by an admin) serve too; an entry here for the same host wins.',
    'registries.none': 'No registries yet.',
    'registries.host': 'Registry host',
    'registries.username': 'User name',
    'registries.password': 'Password or token',
    'registries.add': 'Add registry',
    'registries.global': 'global',
    'registries.check': 'Check',
    'registries.check.ok': 'signed in',
    'registries.check.unauthorized': 'credentials refused',
    'registries.check.unreachable': 'not reachable',
    'registries.check.refused': 'host not allowed',
  },
  'zh-CN': {
    'nav.registries': '镜像仓库',
    'registries.title': '镜像仓库',
    'registries.hintGlobal': '所有项目都可用于推送和部署的镜像仓库凭据。项目自己为同一主机设置的凭据优先。',
    'registries.hintProject':
      '本项目构建和部署使用的凭据。管理员设置的全局仓库同样可用；此处为同一主机设置的凭据优先。',
    'registries.none': '还没有镜像仓库。',
    'registries.host': '仓库地址',
    'registries.username': '用户名',
    'registries.password': '密码或令牌',
    'registries.add': '添加仓库',
    'registries.global': '全局',
    'registries.check': '检查',
    'registries.check.ok': '登录成功',
    'registries.check.unauthorized': '凭据被拒绝',
    'registries.check.unreachable': '无法连接',
    'registries.check.refused': '不允许的主机',
  },
});
