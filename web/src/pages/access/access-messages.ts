/** Words of per-project access (members, visibility) in both languages. */
import { defineMessages } from '../../i18n/define-messages.js';

export const accessMessages = defineMessages({
  en: {
    'access.title': 'Members & visibility',
    'access.visibility': 'Visibility',
    'access.visibility.private': 'Private',
    'access.visibility.internal': 'Internal',
    'access.visibility.public': 'Public',
    'access.visibilityHint.private':
      'Only members and admins see this project; anyone else gets "not found".',
    'access.visibilityHint.internal': 'Every signed-in user reads this project; members may do more.',
    'access.visibilityHint.public': 'Anyone reads this project without signing in (read-only).',
    'access.publicOff': 'Public projects are turned off on this server (SLIPWAY_ALLOW_PUBLIC_PROJECTS).',
    'access.members': 'Members',
    'access.noMembers': 'No members yet.',
    'access.role.viewer': 'Viewer',
    'access.role.developer': 'Developer',
    'access.role.maintainer': 'Maintainer',
    'access.rolesHint':
      'Viewer reads runs, logs and releases. Developer also starts, cancels and retries runs, plays manual jobs and deploys. Maintainer also changes settings, secrets, members and approves releases. Instance admins are maintainers everywhere.',
    'access.username': 'User name',
    'access.add': 'Add member',
    'access.remove': 'Remove',
    'access.instanceRole': 'instance role: {role}',
  },
  'zh-CN': {
    'access.title': '成员与可见性',
    'access.visibility': '可见性',
    'access.visibility.private': '私有',
    'access.visibility.internal': '内部',
    'access.visibility.public': '公开',
    'access.visibilityHint.private': '只有成员和管理员能看到此项目；其他人得到“未找到”。',
    'access.visibilityHint.internal': '所有已登录用户都能查看此项目；成员可以做更多操作。',
    'access.visibilityHint.public': '任何人无需登录即可查看此项目（只读）。',
    'access.publicOff': '此服务器未开启公开项目（SLIPWAY_ALLOW_PUBLIC_PROJECTS）。',
    'access.members': '成员',
    'access.noMembers': '还没有成员。',
    'access.role.viewer': '查看者',
    'access.role.developer': '开发者',
    'access.role.maintainer': '维护者',
    'access.rolesHint':
      '查看者可查看运行、日志和发布。开发者还可以启动、取消和重试运行、执行手动任务并部署。维护者还可以修改设置、密钥、成员并审批发布。实例管理员在所有项目中都是维护者。',
    'access.username': '用户名',
    'access.add': '添加成员',
    'access.remove': '移除',
    'access.instanceRole': '实例角色：{role}',
  },
});
