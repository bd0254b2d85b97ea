// Labels of the issue-15 features (progress, lists, key awareness, …), kept apart from i18n.js so
// that parallel work on the other views merges cleanly. Loaded once by app.js.
import { STRINGS } from './i18n.js';

Object.assign(STRINGS.en, {
  'progress.title': 'Import progress',
  'progress.queued': 'Queued: {n} import(s) will start before this one.',
  'progress.queuedNext': 'Queued: this import starts next.',
  'progress.retrying': 'Waiting to retry after an error: {reason}',
  'progress.validating': 'Reading and validating the model’s files…',
  'progress.copying': 'Validating and copying the files',
  'progress.finishing': 'Finishing: copying the last files and recording the version…',
  'progress.bytes': '{done} of {total} ({percent}%)',
  'progress.eta': 'about {time} left',
});

Object.assign(STRINGS['zh-CN'], {
  'progress.title': '导入进度',
  'progress.queued': '排队中:前面还有 {n} 个导入任务。',
  'progress.queuedNext': '排队中:下一个开始。',
  'progress.retrying': '出错后等待重试:{reason}',
  'progress.validating': '正在读取并校验模型文件…',
  'progress.copying': '正在校验并复制文件',
  'progress.finishing': '即将完成:正在复制剩余文件并登记版本…',
  'progress.bytes': '{done} / {total}({percent}%)',
  'progress.eta': '约剩 {time}',
});
