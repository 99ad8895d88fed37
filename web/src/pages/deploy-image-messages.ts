/** Texts of the “Deploy this image” dialog, en + zh-CN. */
import { defineMessages } from '../i18n/define-messages.js';

export const deployImageMessages = defineMessages({
  en: {
    'deployImage.title': 'Deploy {image}',
    'deployImage.application': 'Application',
    'deployImage.environment': 'Environment',
    'deployImage.noApps': 'This project has no applications yet: create one on the Applications tab.',
    'deployImage.approval': 'This environment requires approval: the release waits for a maintainer.',
    'deployImage.submit': 'Deploy',
    'deployImage.cancel': 'Cancel',
  },
  'zh-CN': {
    'deployImage.title': '部署 {image}',
    'deployImage.application': '应用',
    'deployImage.environment': '环境',
    'deployImage.noApps': '该项目还没有应用：请先在“应用”标签页创建。',
    'deployImage.approval': '该环境需要审批：发布将等待维护者批准。',
    'deployImage.submit': '部署',
    'deployImage.cancel': '取消',
  },
});
