/** Texts of the project image registry page, en + zh-CN. */
import { defineMessages } from '../i18n/define-messages.js';

export const imagesMessages = defineMessages({
  en: {
    'images.title': 'Image registry',
    'images.empty': 'No images yet. A build job (build:) records every image it builds and pushes here.',
    'images.tag': 'Tag',
    'images.digest': 'Digest',
    'images.size': 'Size',
    'images.created': 'Created',
    'images.run': 'Run',
    'images.commit': 'Commit',
    'images.local': 'local only',
    'images.copyDigest': 'Copy the digest',
    'images.copied': 'Copied',
    'images.deploy': 'Deploy this version',
    'images.deploySoon': 'coming with applications',
    'images.tags': '{n} tags',
  },
  'zh-CN': {
    'images.title': '镜像仓库',
    'images.empty': '还没有镜像。构建任务（build:）构建并推送的每个镜像都会记录在这里。',
    'images.tag': '标签',
    'images.digest': '摘要',
    'images.size': '大小',
    'images.created': '创建时间',
    'images.run': '执行记录',
    'images.commit': '提交',
    'images.local': '仅本地',
    'images.copyDigest': '复制摘要',
    'images.copied': '已复制',
    'images.deploy': '部署此版本',
    'images.deploySoon': '应用功能上线后可用',
    'images.tags': '{n} 个标签',
  },
});
